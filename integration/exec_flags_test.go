package integration

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// exec --cgroup sub puts the process in the existing sub-cgroup of the
// container's cgroup, in every hierarchy; a CONTROLLER:PATH form picks one
// hierarchy; a path out of the container's cgroup is refused.
func TestExecCgroupLandsInTheSubCgroup(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	c := startSleeper(t, rt, func(s *specs.Spec) { s.Linux.CgroupsPath = cgroupPath })
	t.Cleanup(func() { removeCgroupDirs(cgroupPath + "/sub"); removeCgroupDirs(cgroupPath) })
	dirs := cgroupDirs(cgroupPath)
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(d, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		// A v1 cpuset cgroup starts with no cpus and takes no process.
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if v, err := os.ReadFile(filepath.Join(d, f)); err == nil && !strings.Contains(d, "unified") {
				_ = os.WriteFile(filepath.Join(d, "sub", f), v, 0o644)
			}
		}
	}

	out := mustSucceed(t, c.exec([]string{"--cgroup", "sub"}, "cat", "/proc/self/cgroup")).stdout
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, ":name=") && !strings.Contains(line, "systemd") {
			continue
		}
		if !strings.HasSuffix(line, "/sub") {
			t.Errorf("exec --cgroup sub: cgroup line %q is not the sub-cgroup (all:\n%s)", line, out)
		}
	}

	if fileExists(filepath.Join(cgroupRoot, "memory")) {
		out = mustSucceed(t, c.exec([]string{"--cgroup", "memory:sub"}, "cat", "/proc/self/cgroup")).stdout
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			inSub := strings.HasSuffix(line, "/sub")
			if isMemory := strings.Contains(line, ":memory:"); isMemory != inSub {
				t.Errorf("exec --cgroup memory:sub: line %q", line)
			}
		}
	}

	for _, bad := range []string{"../escape", "sub/../../x"} {
		res := c.exec([]string{"--cgroup", bad}, "true")
		if res.code == 0 || !strings.Contains(res.stderr, "bad sub cgroup path") {
			t.Errorf("exec --cgroup %s: %v", bad, res)
		}
	}
	if res := c.exec([]string{"--cgroup", "missing"}, "true"); res.code == 0 {
		t.Errorf("exec --cgroup into a missing sub-cgroup succeeded: %v", res)
	}
	if res := c.exec([]string{"--cgroup", "memory:a", "--cgroup", "memory:b"}, "true"); res.code == 0 ||
		!strings.Contains(res.stderr, "specified multiple times") {
		t.Errorf("exec --cgroup twice for memory: %v", res)
	}
}

// exec into a paused container fails; with --ignore-paused it runs once
// the container is resumed.
func TestExecIgnorePaused(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	mustSucceed(t, rt.run("pause", c.id))
	t.Cleanup(func() { rt.run("resume", c.id) })

	res := c.exec(nil, "echo", "ok")
	if res.code == 0 || !strings.Contains(res.stderr, "cannot exec in a paused container") {
		t.Errorf("exec into a paused container: %v", res)
	}

	cmd := rt.command("exec", "--ignore-paused", c.id, "echo", "ok")
	out := rt.tempFile()
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := startWaiting(cmd)
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("exec --ignore-paused finished while the container was paused: %v\n%s", err, readAll(t, out))
	default:
	}
	mustSucceed(t, rt.run("resume", c.id))
	if code := awaitExit(t, cmd, done); code != 0 || strings.TrimSpace(readAll(t, out)) != "ok" {
		t.Errorf("exec --ignore-paused exited %d, printed %q", code, readAll(t, out))
	}
}

// A pidfd received over create's --pidfd-socket signals the init; one
// from exec's names the exec'd process.
func TestPidfdSocketSignalsTheInit(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "600"))
	socketPath, files := fileSocket(t)
	mustSucceed(t, rt.run("create", "--bundle", c.bundle, "--pidfd-socket", socketPath, c.id))
	pidfd := <-files
	if pidfd == nil {
		t.Fatal("no pidfd received")
	}
	defer pidfd.Close()
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateRunning)

	socketPath, files = fileSocket(t)
	mustSucceed(t, c.exec([]string{"--detach", "--pidfd-socket", socketPath}, "sleep", "500"))
	execPidfd := <-files
	if execPidfd == nil {
		t.Fatal("no pidfd received from exec")
	}
	defer execPidfd.Close()
	if err := unix.PidfdSendSignal(int(execPidfd.Fd()), unix.SIGKILL, nil, 0); err != nil {
		t.Errorf("signal the exec'd process through its pidfd: %v", err)
	}

	if err := unix.PidfdSendSignal(int(pidfd.Fd()), unix.SIGKILL, nil, 0); err != nil {
		t.Fatalf("signal the init through its pidfd: %v", err)
	}
	c.waitStatus(specs.StateStopped)
}

// run --no-subreaper is accepted (as runc) and the container still runs to
// its end with its status.
func TestRunNoSubreaperIsAccepted(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, sh("exit 7")...))
	if res := rt.run("run", "--no-subreaper", "--bundle", c.bundle, c.id); res.code != 7 {
		t.Errorf("run --no-subreaper: %v", res)
	}
}

// exec -p honours the process object's fields: user with groups and umask,
// env, cwd, rlimits, capabilities, noNewPrivileges, oomScoreAdj, and the
// terminal's consoleSize.
func TestExecProcessFileHonoursEveryField(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	umask := uint32(0o027)
	oom := 321
	process := specs.Process{
		Args: []string{"sh", "-c", `id -u; id -g; id -G; umask; echo $X; pwd; ulimit -n; grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status; cat /proc/self/oom_score_adj`},
		Env:  []string{"PATH=/bin", "X=42"},
		Cwd:  "/etc",
		User: specs.User{UID: 1000, GID: 1001, AdditionalGids: []uint32{1002}, Umask: &umask},
		Rlimits: []specs.POSIXRlimit{
			{Type: "RLIMIT_NOFILE", Soft: 123, Hard: 456},
		},
		Capabilities: &specs.LinuxCapabilities{
			Bounding: []string{"CAP_KILL"}, Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_KILL"},
		},
		NoNewPrivileges: true,
		OOMScoreAdj:     &oom,
	}
	out := strings.Fields(mustSucceed(t, c.exec([]string{"--process", writeJSON(t, process)})).stdout)
	want := []string{"1000", "1001", "1001", "1002", "0027", "42", "/etc", "123", "CapBnd:", "0000000000000020", "NoNewPrivs:", "1", "321"}
	if strings.Join(out, " ") != strings.Join(want, " ") {
		t.Errorf("exec -p printed %q\nwant %q", out, want)
	}

	// consoleSize reaches the pty.
	sized := specs.Process{
		Args: []string{"stty", "size"}, Env: []string{"PATH=/bin"}, Cwd: "/", Terminal: true,
		ConsoleSize: &specs.Box{Height: 33, Width: 97},
	}
	socketPath, masters := fileSocket(t)
	mustSucceed(t, c.exec([]string{"--process", writeJSON(t, sized), "--detach", "--console-socket", socketPath}))
	master := <-masters
	if master == nil {
		t.Fatal("no pty master received")
	}
	defer master.Close()
	got, _ := io.ReadAll(master)
	if strings.TrimSpace(string(got)) != "33 97" {
		t.Errorf("stty size in a pty of consoleSize 33x97 printed %q", got)
	}
}

// writeJSON writes v to a temporary file and returns its path.
func writeJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
