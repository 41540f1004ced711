package nsenter

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

const preforkReportEnv = "_HULL_TEST_PREFORK_REPORT"

// TestMain lets the tests run this binary as if it were `hull ARGS`: the
// constructor sees ARGS, and the report says whether it forked.
func TestMain(m *testing.M) {
	if os.Getenv(preforkReportEnv) == "1" {
		if _, err := TakePreforked(); errors.Is(err, ErrNoPreforked) {
			fmt.Println("none")
		} else {
			fmt.Println("preforked:", err)
		}
		os.Exit(0)
	}
	if os.Getenv(rootlessRunEnv) == "1" {
		if err := runRootlessContainer(); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// This test binary imports nsenter but not its prefork opt-in: run as
// `create`, `run` or `exec`, it must fork nothing (a library user's own
// argv is none of hull's business). The prefork package's tests show the
// other half.
func TestNoPreforkWithoutTheOptIn(t *testing.T) {
	for _, args := range [][]string{
		{"create", "--bundle", "b", "id"},
		{"run", "id"},
		{"--log-format=json", "exec", "id", "sh"},
	} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), preforkReportEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if string(out) != "none\n" {
			t.Errorf("%q without the opt-in: want no executor, got %q", args, out)
		}
	}
}
