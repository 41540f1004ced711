package phasetrace

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

func TestReportListsEveryPhaseInOrder(t *testing.T) {
	if Report("x") != "" {
		t.Fatal("a trace that was never enabled reports something")
	}
	Enable(time.Now().Add(-5 * time.Millisecond))
	Mark("load")
	time.Sleep(2 * time.Millisecond)
	Mark("compile")
	got := Report("create")
	re := regexp.MustCompile(`^phase trace create: go-start=(\d+\.\d{3}) load=\d+\.\d{3} compile=(\d+\.\d{3}) total=\d+\.\d{3} \(ms\)$`)
	m := re.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("report %q", got)
	}
	if goStart, _ := strconv.ParseFloat(m[1], 64); goStart < 5 {
		t.Fatalf("go-start shorter than it took: %q", got)
	}
	if compile, _ := strconv.ParseFloat(m[2], 64); compile < 2 {
		t.Fatalf("phases shorter than they took: %q", got)
	}
}

func TestEnableTakesTheBoundariesAlreadyPassed(t *testing.T) {
	start := time.Now().Add(-10 * time.Millisecond)
	Enable(start,
		Boundary{Name: "go-start", At: start.Add(3 * time.Millisecond)},
		Boundary{Name: "unknown", At: time.Time{}},
		Boundary{Name: "backwards", At: start.Add(time.Millisecond)},
		Boundary{Name: "init", At: start.Add(5 * time.Millisecond)})
	Mark("cli")
	got := Report("state")
	re := regexp.MustCompile(`^phase trace state: go-start=3\.000 init=2\.000 cli=(\d+\.\d{3}) total=\d+\.\d{3} \(ms\)$`)
	m := re.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("report %q", got)
	}
	if cli, _ := strconv.ParseFloat(m[1], 64); cli < 5 {
		t.Fatalf("the phase after the boundaries shorter than it took: %q", got)
	}
}
