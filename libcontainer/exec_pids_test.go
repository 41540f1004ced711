package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/program"
)

func TestExecPidsErrorNamesTheLimitOnlyWhenReached(t *testing.T) {
	pidsDir := func(max, current string) map[string]string {
		d := t.TempDir()
		for name, v := range map[string]string{"pids.max": max + "\n", "pids.current": current + "\n"} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return map[string]string{"pids": d}
	}
	forkEAGAIN := &ExecutorError{Origin: "process", Message: "fork the container process", Errno: unix.EAGAIN, Op: program.OpFork}
	for _, tc := range []struct {
		name  string
		err   error
		paths map[string]string
		named bool
	}{
		{"at the limit, executor still there", forkEAGAIN, pidsDir("2", "2"), true},
		{"at the limit, executor gone", forkEAGAIN, pidsDir("2", "1"), true},
		{"room left", forkEAGAIN, pidsDir("10", "2"), false},
		{"no limit", forkEAGAIN, pidsDir("max", "2"), false},
		{"no pids cgroup", forkEAGAIN, map[string]string{}, false},
		{"another errno", &ExecutorError{Op: program.OpFork, Errno: unix.ENOMEM}, pidsDir("1", "2"), false},
		{"another op", &ExecutorError{Op: program.OpSetns, Errno: unix.EAGAIN}, pidsDir("1", "2"), false},
	} {
		got := execPidsError(tc.err, tc.paths)
		named := strings.HasPrefix(got.Error(), "linux.resources.pids.limit: ")
		if named != tc.named {
			t.Errorf("%s: %q, want the limit named: %v", tc.name, got, tc.named)
		}
		if named && !errors.Is(got, unix.EAGAIN) {
			t.Errorf("%s: %q does not wrap EAGAIN", tc.name, got)
		}
		if !named && got != tc.err {
			t.Errorf("%s: the error was changed to %q", tc.name, got)
		}
	}
}
