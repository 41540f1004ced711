package integration

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Each test here tries an attack that worked against some runtime; the
// comment names the CVE class.

// A mount destination under a symlink in the (hostile) image pointing at
// a host path is resolved inside the root: the host directory gets no
// mount, no file and none of the directories the runtime makes for the
// destination (runc CVE-2021-30465 class; defence: RESOLVE_IN_ROOT).
func TestMountDestinationSymlinkStaysInsideTheRoot(t *testing.T) {
	hostDir := t.TempDir()
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("echo pwned > /evil/made/file; echo pwned > /evil-rel/made/file")...)
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/evil/made", Type: "tmpfs", Source: "tmpfs"},
		specs.Mount{Destination: "/evil-rel/made", Type: "tmpfs", Source: "tmpfs"},
	)
	c := newContainer(t, rt, spec)
	rootfs := filepath.Join(c.bundle, "rootfs")
	if err := os.Symlink(hostDir, filepath.Join(rootfs, "evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../../../.."+hostDir, filepath.Join(rootfs, "evil-rel")); err != nil {
		t.Fatal(err)
	}
	res := c.runForeground()
	t.Logf("run: %v", res)

	entries, err := os.ReadDir(hostDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the container wrote into the host directory %s: %v", hostDir, entries)
	}
	if mountinfo := readFile(t, "/proc/self/mountinfo"); strings.Contains(mountinfo, " "+hostDir+" ") {
		t.Errorf("a mount landed on the host directory %s", hostDir)
	}
}

// The container sees only stdio, plus exactly the fds --preserve-fds
// passes: nothing of the runtime's leaks in (runc CVE-2024-21626 class).
func TestOnlyPassedFdsReachTheContainer(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("host secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, preserve := range []int{0, 1} {
		rt := newRuntime(t)
		c := newContainer(t, rt, testSpec(t, rt, sh("ls /proc/self/fd; cat /proc/self/fd/3 2>/dev/null || true")...))
		f, err := os.Open(secret)
		if err != nil {
			t.Fatal(err)
		}
		cmd := rt.command("run", "--preserve-fds", strconv.Itoa(preserve), "--bundle", c.bundle, c.id)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.ExtraFiles = []*os.File{f}
		err = cmd.Run()
		f.Close()
		if err != nil {
			t.Fatalf("run --preserve-fds %d: %v\n%s", preserve, err, out.String())
		}
		// ls itself opens one directory fd (3, or 4 with fd 3 passed).
		fds := strings.Fields(strings.Split(out.String(), "host secret")[0])
		leaked := strings.Contains(out.String(), "host secret")
		switch preserve {
		case 0:
			if leaked || len(fds) > 4 {
				t.Errorf("without --preserve-fds the container saw fds %v (secret leaked: %v)", fds, leaked)
			}
		case 1:
			if !leaked {
				t.Errorf("with --preserve-fds 1 the container cannot read fd 3: %s", out.String())
			}
		}
	}
}

// A cwd through /proc/self/fd/N must never leave the container's root
// through an fd the runtime holds (runc CVE-2024-21626): here fds of a
// host directory the caller leaked to hull (not passed with
// --preserve-fds). Either the container fails to start, or its cwd is
// inside its root. Defence: OP_CHDIR resolves the cwd in the root without
// magic links and checks it with getcwd.
func TestCwdThroughProcFdCannotLeaveTheRoot(t *testing.T) {
	hostDir := hostDirWithMarker(t)
	for fd := 3; fd <= 9; fd++ {
		rt := newRuntime(t)
		spec := testSpec(t, rt, sh("pwd; ls -a")...)
		spec.Process.Cwd = "/proc/self/fd/" + strconv.Itoa(fd)
		c := newContainer(t, rt, spec)
		res := runLeakingDir(t, rt, hostDir, "run", "--bundle", c.bundle, c.id)
		if res.code != 0 {
			continue
		}
		if strings.Contains(res.stdout, "host-marker") || strings.Contains(res.stdout, "(unreachable)") {
			t.Errorf("cwd %s reached outside the root:\n%s", spec.Process.Cwd, res.stdout)
		}
	}
}

// While the init waits for start it is still the runtime's executor: a
// process in the container must not open /proc/1/exe at all (the fd would
// lead to the runtime's binary on the host: runc CVE-2019-5736, and its
// /proc files or ptrace to the host, CVE-2016-9962), let alone write to
// it. Defence: the executor is not dumpable until its execve
// (executor.c); the write also meets the read-only bind (constructor.c).
func TestContainerCannotOverwriteTheRuntimeBinary(t *testing.T) {
	before := fileSHA256(t, runtimeBinary)
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	mustSucceed(t, c.create())

	res := c.exec(nil, "sh", "-c", "(exec 3</proc/1/exe) 2>/dev/null && echo OPENED; echo pwned >> /proc/1/exe && echo WROTE")
	if strings.Contains(res.stdout, "WROTE") {
		t.Errorf("a container process wrote to the executor's /proc/1/exe: %v", res)
	}
	if strings.Contains(res.stdout, "OPENED") {
		t.Errorf("a container process opened the waiting executor's /proc/1/exe: %v", res)
	}
	// The same from the host side: the init's exe is on a read-only mount.
	exe := filepath.Join("/proc", strconv.Itoa(c.state().Pid), "exe")
	f, err := os.OpenFile(exe, os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		f.Close()
		t.Errorf("opened the waiting init's exe %s for writing", exe)
	} else if !errors.Is(err, unix.EROFS) && !errors.Is(err, unix.ETXTBSY) {
		t.Logf("opening %s for writing failed with %v", exe, err)
	}
	if after := fileSHA256(t, runtimeBinary); after != before {
		t.Fatalf("the runtime binary %s changed", runtimeBinary)
	}
}

func fileSHA256(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// Started by systemd's socket activation (LISTEN_FDS for hull's own pid),
// hull passes the sockets on as runc does: fds 3.. in the container, before
// the --preserve-fds ones, announced by LISTEN_FDS and LISTEN_PID=1.
func TestSocketActivationFdsReachTheContainer(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, sh(`echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID"; cat <&3; cat <&4; ls /proc/self/fd/5 2>&1 || true`)...))
	files := make([]*os.File, 3)
	for i, text := range []string{"socket one\n", "preserved two\n", "not passed\n"} {
		path := filepath.Join(t.TempDir(), "fd")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files[i] = f
	}
	cmd := rt.command("run", "--preserve-fds", "1", "--bundle", c.bundle, c.id)
	// LISTEN_PID must be hull's own pid: the shell execs hull in its place.
	cmd.Args = append([]string{"/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"`}, cmd.Args...)
	cmd.Path = "/bin/sh"
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.ExtraFiles = files
	if err := cmd.Run(); err != nil {
		t.Fatalf("run with LISTEN_FDS=1 --preserve-fds 1: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"LISTEN_FDS=1 LISTEN_PID=1\n", "socket one\n", "preserved two\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the container's output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "not passed") || !strings.Contains(got, "No such file") {
		t.Errorf("fd 5 (neither a socket nor preserved) reached the container:\n%s", got)
	}
}
