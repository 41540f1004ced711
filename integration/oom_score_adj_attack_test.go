package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// CVE-2025-52881 through process.oomScoreAdj, in the runtime's own mount
// namespace: the executor writes /proc/self/oom_score_adj before it joins
// or creates any namespace, so only a mount that reaches the runtime's
// view of /proc (a shared mount a container propagates, or any racer on
// the host) can redirect it. Here the racer binds a file over the
// executor's /proc/PID/oom_score_adj while `create` waits to read its
// config (config.json is a fifo the test fills once the mount is in
// place), in a mount namespace of hull's own (the host's /proc is never
// touched). The file is a host file, or a writable procfs file standing
// in for core_pattern (it passes a check that the fd is on procfs).
// Defence: OP_OOM_SCORE_ADJ opens it through the verified procfs
// (paths.c open_proc: RESOLVE_NO_XDEV), which refuses to cross the mount:
// create fails with one line naming the field, and the file is untouched.
func TestAttackOomScoreAdjRedirectedByAMountOverTheRuntimesProc(t *testing.T) {
	for _, tc := range []struct{ name, bait string }{
		{name: "host-file"},
		{name: "procfs-file", bait: hostSysctlBait},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bait := tc.bait
			if bait == "" {
				bait = filepath.Join(t.TempDir(), "bait")
				writeFile(t, bait, "7\n")
			}
			before := readFile(t, bait)
			if bait == hostSysctlBait {
				t.Cleanup(func() { os.WriteFile(hostSysctlBait, []byte(before), 0o644) })
			}
			rt := newRuntime(t)
			spec := testSpec(t, rt, "true")
			adj := 345
			spec.Process.OOMScoreAdj = &adj
			c := newContainer(t, rt, spec)
			config := filepath.Join(c.bundle, "config.json")
			data := readFile(t, config)
			if err := os.Remove(config); err != nil {
				t.Fatal(err)
			}
			mkfifo(t, config)

			cmd := rt.command("create", "--bundle", c.bundle, c.id)
			// A file, not a pipe: were the attack to succeed, the created
			// init would hold a pipe open and Wait would never return.
			stderr := rt.tempFile()
			defer stderr.Close()
			cmd.Stderr = stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: unix.CLONE_NEWNS} // made private by Go
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			defer func() {
				// Whatever failed, the fifo gets its writer so that create ends.
				go func() { os.WriteFile(config, []byte(data), 0o644) }()
				<-done
			}()
			go func() { cmd.Wait(); close(done) }()

			executor := childOf(t, cmd.Process.Pid)
			target := "/proc/" + strconv.Itoa(executor) + "/oom_score_adj"
			if out, err := exec.Command("nsenter", "--target", strconv.Itoa(cmd.Process.Pid), "--mount",
				"mount", "--bind", bait, target).CombinedOutput(); err != nil {
				t.Fatalf("bind %s over %s in hull's mount namespace: %v %s", bait, target, err, out)
			}
			if err := os.WriteFile(config, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			<-done
			code := cmd.ProcessState.ExitCode()
			errText := readAll(t, stderr)
			t.Logf("create: exit %d: %s", code, errText)
			if after := readFile(t, bait); after != before {
				t.Errorf("the oom_score_adj write went into %s: %q, was %q", bait, after, before)
			}
			lines := strings.Split(strings.TrimSpace(errText), "\n")
			want := "process.oomScoreAdj: open /proc/self/oom_score_adj: invalid cross-device link"
			if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], want) {
				t.Errorf("create with a mount over the executor's oom_score_adj: exit %d, want a failure with the one line %q:\n%s", code, want, errText)
			}
		})
	}
}

// childOf waits until the process pid has a child (hull's executor,
// forked before Go starts) and returns its pid.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	path := "/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/children"
	deadline := time.Now().Add(commandTimeout)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		if f := strings.Fields(string(data)); len(f) > 0 {
			child, err := strconv.Atoi(f[0])
			if err != nil {
				t.Fatal(err)
			}
			return child
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d forked no executor", pid)
	return 0
}

// CVE-2025-52881 through process.oomScoreAdj, in the container's mount
// namespace: the container (with CAP_SYS_ADMIN) covers its /proc with a
// bind of a volume directory that holds a planted self/oom_score_adj, or
// replaces /proc by a symlink to it, before a `exec` whose process has an
// oomScoreAdj. A runtime writing /proc/self/oom_score_adj after joining
// the container's mount namespace would write the planted file (a host
// file through the volume). Defence: the executor writes it before it
// joins any namespace, through the runtime's verified procfs; the exec'd
// process has the value (read through the host's /proc) and the planted
// file is untouched.
func TestAttackOomScoreAdjThroughTheContainersProcOnExec(t *testing.T) {
	for _, tc := range []struct{ name, tamper string }{
		{name: "bind-over-proc", tamper: "mount --bind /vol/fake /proc"},
		{name: "proc-symlink", tamper: "umount -l /proc && rmdir /proc && ln -s /vol/fake /proc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			volume := t.TempDir()
			planted := filepath.Join(volume, "fake", "self", "oom_score_adj")
			writeFile(t, planted, "0\n")
			rt := newRuntime(t)
			c := startSleeper(t, rt, func(s *specs.Spec) {
				s.Mounts = append(s.Mounts, specs.Mount{Destination: "/vol", Type: "bind", Source: volume, Options: []string{"rbind", "rw"}})
				caps := s.Process.Capabilities
				caps.Bounding = append(caps.Bounding, "CAP_SYS_ADMIN")
				caps.Effective = append(caps.Effective, "CAP_SYS_ADMIN")
				caps.Permitted = append(caps.Permitted, "CAP_SYS_ADMIN")
				s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = nil, nil
				s.Root.Readonly = false
			})
			mustSucceed(t, c.exec(nil, "sh", "-c", tc.tamper))
			if got := mustSucceed(t, c.exec(nil, "cat", "/proc/self/oom_score_adj")).stdout; got != "0\n" {
				t.Fatalf("the container's /proc/self/oom_score_adj is not the planted file after %q: %q", tc.tamper, got)
			}
			adj := 456
			process := specs.Process{Args: []string{"sleep", "600"}, Env: []string{"PATH=/bin"}, Cwd: "/", OOMScoreAdj: &adj}
			pidFile := filepath.Join(t.TempDir(), "pid")
			res := c.exec([]string{"--process", writeJSON(t, process), "--detach", "--pid-file", pidFile})
			if got := readFile(t, planted); got != "0\n" {
				t.Errorf("the exec's oom_score_adj went into the planted file: %q", got)
			}
			mustSucceed(t, res)
			pid := strings.TrimSpace(readFile(t, pidFile))
			if got := strings.TrimSpace(readFile(t, "/proc/"+pid+"/oom_score_adj")); got != "456" {
				t.Errorf("the exec'd process has oom_score_adj %s, want 456", got)
			}
		})
	}
}
