package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An exec whose execve fails (a script whose interpreter is missing)
// prints one line with Go's wording, `exec <path>: no such file or
// directory`, as runc, and exits 255.
func TestExecOfMissingInterpreterIsOneLine(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	script := filepath.Join(c.bundle, "rootfs", "bin", "badscript")
	if err := os.WriteFile(script, []byte("#!/nonexistent/interp\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := c.exec(nil, "/bin/badscript")
	if res.code != 255 {
		t.Errorf("exit %d, want 255: %v", res.code, res)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "exec /bin/badscript: no such file or directory") {
		t.Errorf("want one line with `exec /bin/badscript: no such file or directory`: %v", res)
	}
}

// exec exits 255 when hull fails before the process starts: a --pid-file
// in a missing directory, a paused container; --debug makes exec log at
// debug level.
func TestExecHullFailuresExit255AndDebug(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	res := c.exec([]string{"--pid-file", filepath.Join(t.TempDir(), "missing", "pid")}, "true")
	if res.code != 255 {
		t.Errorf("--pid-file in a missing directory: exit %d, want 255: %v", res.code, res)
	}
	res = rt.run("--debug", "exec", c.id, "true")
	if res.code != 0 || !strings.Contains(res.stderr, "level=debug") {
		t.Errorf("--debug exec prints no debug line: %v", res)
	}
	mustSucceed(t, rt.run("pause", c.id))
	defer rt.run("resume", c.id)
	if res := c.exec(nil, "true"); res.code != 255 {
		t.Errorf("exec into a paused container: exit %d, want 255: %v", res.code, res)
	}
}

// run of a program the kernel cannot execute (found, but its interpreter
// is missing) exits 255, runc's status for a process that failed to start,
// with the one line `exec <path>: no such file or directory`.
func TestRunOfUnexecutableProgramExits255(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "/bin/badscript"))
	script := filepath.Join(c.bundle, "rootfs", "bin", "badscript")
	if err := os.WriteFile(script, []byte("#!/nonexistent/interp\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := c.runForeground()
	if res.code != 255 || !strings.Contains(res.stderr, "exec /bin/badscript: no such file or directory") {
		t.Errorf("run: want exit 255 and `exec /bin/badscript: no such file or directory`: %v", res)
	}
}
