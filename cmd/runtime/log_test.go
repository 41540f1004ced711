package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

func TestJSONLogEndsWithTheError(t *testing.T) {
	l := logrus.New()
	var logBuf, stderr bytes.Buffer
	l.SetOutput(&logBuf)
	if err := setLogFormat(l, "json"); err != nil {
		t.Fatal(err)
	}
	l.Warn("something on the way")
	reportError(l, true, &stderr, errors.New(`container "x" does not exist`))
	lines := strings.Split(strings.TrimSpace(logBuf.String()), "\n")
	var last map[string]string
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatalf("last log line %q: %v", lines[len(lines)-1], err)
	}
	if last["level"] != "error" || last["msg"] != `container "x" does not exist` || last["time"] == "" {
		t.Fatalf("last log line: %v", last)
	}
	if stderr.String() != "container \"x\" does not exist\n" {
		t.Fatalf("stderr with --log: %q", stderr.String())
	}
}

func TestTextLogToStderrIsNotDoubled(t *testing.T) {
	l := logrus.New()
	var stderr bytes.Buffer
	l.SetOutput(&stderr)
	if err := setLogFormat(l, "text"); err != nil {
		t.Fatal(err)
	}
	reportError(l, false, &stderr, errors.New("boom"))
	if got := stderr.String(); strings.Count(got, "boom") != 1 || !strings.Contains(got, `level=error msg=boom`) {
		t.Fatalf("stderr: %q", got)
	}
	if err := setLogFormat(l, "xml"); err == nil {
		t.Fatal("unknown log format accepted")
	}
}
