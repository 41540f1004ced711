package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// listFds is a hook or process that writes the names in its own
// /proc/self/fd to file: 0, 1 and 2, and the directory ls reads (3) when
// nothing leaked in.
func listFds(file string) []string {
	return []string{"/bin/sh", "-c", "ls /proc/self/fd > " + file}
}

// No fd of the caller's (here a host file hull gets as fd 3, not passed
// with --preserve-fds) nor of hull's own reaches anything the container
// runs, at every step (runc's "detect fd leak as comprehensively as
// possible"): the created init, every kind of hook, the process at its
// start, and an exec'd process.
func TestCreateLeaksNoFd(t *testing.T) {
	secretPath := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretPath, []byte("host secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t)
	spec := testSpec(t, rt, listFds("/fds-process")[2])
	spec.Process.Args = listFds("/fds-process")
	spec.Root.Readonly = false
	hook := func(file string) []specs.Hook {
		args := listFds(file)
		return []specs.Hook{{Path: args[0], Args: args}}
	}
	// Host-side hooks run in the bundle, createContainer ones in the
	// rootfs; startContainer ones run in the container.
	spec.Hooks = &specs.Hooks{
		Prestart:        hook("./fds-prestart"), //nolint:staticcheck // runc still runs it
		CreateRuntime:   hook("./fds-createRuntime"),
		CreateContainer: hook("./fds-createContainer"),
		StartContainer:  hook("/fds-startContainer"),
		Poststart:       hook("./fds-poststart"),
		Poststop:        hook("./fds-poststop"),
	}
	c := newContainer(t, rt, spec)
	rootfs := filepath.Join(c.bundle, "rootfs")

	withSecret := func(args ...string) result {
		t.Helper()
		secret, err := os.Open(secretPath)
		if err != nil {
			t.Fatal(err)
		}
		defer secret.Close()
		cmd := rt.command(args...)
		// Files, not pipes: the created init keeps its stdio open.
		out, errOut := rt.tempFile(), rt.tempFile()
		defer out.Close()
		defer errOut.Close()
		cmd.Stdout, cmd.Stderr = out, errOut
		cmd.ExtraFiles = []*os.File{secret}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		res := result{args: cmd.Args, code: waitWithTimeout(t, cmd)}
		res.stdout, res.stderr = readAll(t, out), readAll(t, errOut)
		return res
	}
	mustSucceed(t, withSecret("create", "--bundle", c.bundle, c.id))

	// The created init holds nothing of the caller's.
	var secretStat syscall.Stat_t
	if err := syscall.Stat(secretPath, &secretStat); err != nil {
		t.Fatal(err)
	}
	fdDir := filepath.Join("/proc", strconv.Itoa(c.state().Pid), "fd")
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		var st syscall.Stat_t
		if syscall.Stat(filepath.Join(fdDir, e.Name()), &st) != nil {
			continue
		}
		if st.Dev == secretStat.Dev && st.Ino == secretStat.Ino {
			target, _ := os.Readlink(filepath.Join(fdDir, e.Name()))
			t.Errorf("the created init holds the caller's fd %s (%s)", e.Name(), target)
		}
	}

	mustSucceed(t, withSecret("start", c.id))
	c.waitStatus(specs.StateStopped)
	mustSucceed(t, withSecret("delete", c.id))

	want := "0 1 2 3"
	for file, dir := range map[string]string{
		"fds-prestart": c.bundle, "fds-createRuntime": c.bundle, "fds-poststart": c.bundle, "fds-poststop": c.bundle,
		"fds-createContainer": rootfs, "fds-startContainer": rootfs, "fds-process": rootfs,
	} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if got := strings.Join(strings.Fields(string(data)), " "); got != want {
			t.Errorf("%s: fds %q, want %q", file, got, want)
		}
	}

	// exec: the same for the exec'd process.
	sleeper := startSleeper(t, rt, nil)
	res := mustSucceed(t, withSecret("exec", sleeper.id, "ls", "/proc/self/fd"))
	if got := strings.Join(strings.Fields(res.stdout), " "); got != want {
		t.Errorf("exec'd process: fds %q, want %q", got, want)
	}
}
