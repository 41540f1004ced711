package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/testbundle"
)

// nobodyID is the unprivileged user the rootless tests run the runtime as.
const nobodyID = 65534

// inUserNSRuntime runs the runtime the way rootless podman does: as uid 0
// of a user namespace that an unprivileged user made (`unshare -Ur` run by
// nobody), with $XDG_RUNTIME_DIR set and no --root.
type inUserNSRuntime struct {
	t   *testing.T
	bin string // a copy of the runtime nobody can execute
	xdg string // $XDG_RUNTIME_DIR
}

func newInUserNSRuntime(t *testing.T) *inUserNSRuntime {
	t.Helper()
	for _, tool := range []string{"setpriv", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (util-linux)", tool)
		}
	}
	r := &inUserNSRuntime{t: t}
	dir := nobodyDir(t)
	r.bin = filepath.Join(dir, "runtime")
	data, err := os.ReadFile(runtimeBinary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	r.xdg = nobodyDir(t)
	if err := os.Chmod(r.xdg, 0o700); err != nil {
		t.Fatal(err)
	}
	return r
}

// nobodyDir is a temporary directory nobody owns and can reach.
func nobodyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(dir, nobodyID, nobodyID); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stateRoot is where runc, and so hull, keep state in this case.
func (r *inUserNSRuntime) stateRoot() string {
	return filepath.Join(r.xdg, filepath.Base(runtimeBinary))
}

// run runs the runtime with args as uid 0 of a new user namespace of
// nobody's.
func (r *inUserNSRuntime) run(args ...string) result {
	r.t.Helper()
	return r.runFrom(nil, args...)
}

// runInCgroups is run started from the cgroup directories dirs (the
// caller's cgroups, as the host placed the user there).
func (r *inUserNSRuntime) runInCgroups(dirs []string, args ...string) result {
	r.t.Helper()
	script := `for d in "$@"; do [ "$d" = -- ] && break; echo $$ > "$d/cgroup.procs" || exit 125; shift; done; shift; exec "$@"`
	return r.runFrom(append(append([]string{"sh", "-c", script, "sh"}, dirs...), "--"), args...)
}

// runFrom runs the runtime through prefix, a command that ends by
// exec'ing the rest of its arguments.
func (r *inUserNSRuntime) runFrom(prefix []string, args ...string) result {
	r.t.Helper()
	full := append([]string{"--reuid", strconv.Itoa(nobodyID), "--regid", strconv.Itoa(nobodyID), "--clear-groups",
		"--", "unshare", "-Ur", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "USER=nobody",
		"XDG_RUNTIME_DIR=" + r.xdg, r.bin}, args...)
	cmd := exec.Command("setpriv", full...)
	if len(prefix) > 0 {
		cmd = exec.Command(prefix[0], append(append(prefix[1:], "setpriv"), full...)...)
	}
	out, err := os.CreateTemp(r.t.TempDir(), "out")
	if err != nil {
		r.t.Fatal(err)
	}
	defer out.Close()
	errOut, err := os.CreateTemp(r.t.TempDir(), "err")
	if err != nil {
		r.t.Fatal(err)
	}
	defer errOut.Close()
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start %v: %v", cmd.Args, err)
	}
	res := result{args: cmd.Args, code: waitWithTimeout(r.t, cmd)}
	res.stdout = readAll(r.t, out)
	res.stderr = readAll(r.t, errOut)
	return res
}

// inUserNSSpec is the runtime's own template without a user namespace (as
// podman's configs), running args, readable by nobody; devpts loses gid=5,
// a group `unshare -Ur` does not map.
func inUserNSSpec(t *testing.T, args ...string) (*specs.Spec, func(bundle string)) {
	spec := testSpec(t, newRuntime(t), args...)
	for i, m := range spec.Mounts {
		if m.Destination == "/dev/pts" {
			spec.Mounts[i].Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "gid=5" })
		}
	}
	return spec, func(bundle string) { allowUnmappedRootToTraverse(t, bundle) }
}

// TestRuntimeInUserNSWithoutRoot is rootless podman's case without podman:
// uid 0 in someone's user namespace, a config without one, no --root. As
// runc: the state goes under $XDG_RUNTIME_DIR, cgroups the runtime may not
// create are skipped (the config asks for no limits), device nodes are
// bound from the host (mknod is refused there), and nothing is warned.
func TestRuntimeInUserNSWithoutRoot(t *testing.T) {
	r := newInUserNSRuntime(t)
	spec, allow := inUserNSSpec(t, "sleep", "1000")
	id := uniqueID(t)
	bundle := testbundle.New(t, spec)
	allow(bundle)
	t.Cleanup(func() {
		exec.Command(runtimeBinary, "--root", r.stateRoot(), "delete", "--force", id).Run()
	})

	res := r.run("run", "--detach", "--bundle", bundle, id)
	if res.code != 0 {
		t.Fatalf("run in a user namespace without --root: %v", res)
	}
	if res.stderr != "" {
		t.Errorf("run printed warnings for a config that asks for nothing it cannot get:\n%s", res.stderr)
	}
	stateDir := filepath.Join(r.stateRoot(), id)
	if fi, err := os.Stat(stateDir); err != nil || !fi.IsDir() {
		t.Fatalf("state directory %s: %v (want it under $XDG_RUNTIME_DIR)", stateDir, err)
	}
	if _, err := os.Stat(filepath.Join("/run", filepath.Base(runtimeBinary), id)); err == nil {
		t.Errorf("state also under /run")
	}
	pid := initPidFromState(t, r.stateRoot(), id)

	// Cgroups: the init stays in the caller's cgroups, none named after the id.
	cg, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cg), id) {
		t.Errorf("the runtime made cgroups it may not make; /proc/%d/cgroup:\n%s", pid, cg)
	}
	for _, ctrl := range []string{"pids", "memory", "cpu", "unified", ""} {
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", ctrl, id)); err == nil {
			t.Errorf("cgroup %s left behind", filepath.Join("/sys/fs/cgroup", ctrl, id))
		}
	}

	// Devices: bind mounts of the host's nodes.
	mi, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, dev := range []string{"/dev/null", "/dev/zero", "/dev/urandom", "/dev/tty"} {
		if !mountedAt(string(mi), dev) {
			t.Errorf("%s is not a bind mount in the container:\n%s", dev, mi)
		}
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/root/dev/null", &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		t.Errorf("/dev/null in the container: mode %o rdev %d:%d", st.Mode, unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}

	// Another runtime process in another user namespace of the same user
	// finds the container without --root, and deletes it.
	if res := r.run("list", "-q"); res.code != 0 || !strings.Contains(res.stdout, id) {
		t.Errorf("list without --root: %v", res)
	}
	if res := r.run("delete", "--force", id); res.code != 0 {
		t.Fatalf("delete: %v", res)
	}
	if _, err := os.Stat(stateDir); err == nil {
		t.Errorf("state directory left after delete")
	}
}

// TestRuntimeInUserNSCgroupsPathNeedsPermission: with linux.cgroupsPath
// set, rootless skips nothing (runc's rule): a cgroup the runtime may not
// create is an error naming it, and nothing is left behind.
func TestRuntimeInUserNSCgroupsPathNeedsPermission(t *testing.T) {
	r := newInUserNSRuntime(t)
	spec, allow := inUserNSSpec(t, "true")
	id := uniqueID(t)
	spec.Linux.CgroupsPath = "/" + id
	bundle := testbundle.New(t, spec)
	allow(bundle)
	res := r.run("run", "--bundle", bundle, id)
	if res.code == 0 {
		t.Fatalf("run with a cgroupsPath the runtime may not create succeeded: %v", res)
	}
	if !strings.Contains(res.stderr, "permission denied") || !strings.Contains(res.stderr, id) {
		t.Errorf("error does not name the cgroup and the cause: %v", res)
	}
	if _, err := os.Stat(filepath.Join(r.stateRoot(), id)); err == nil {
		t.Errorf("state directory left after a failed run")
	}
}

// TestRuntimeInUserNSRootlessFalse: --rootless false makes the same
// permission error fatal even without a cgroupsPath.
func TestRuntimeInUserNSRootlessFalse(t *testing.T) {
	r := newInUserNSRuntime(t)
	spec, allow := inUserNSSpec(t, "true")
	id := uniqueID(t)
	bundle := testbundle.New(t, spec)
	allow(bundle)
	res := r.run("--rootless", "false", "run", "--bundle", bundle, id)
	if res.code == 0 || !strings.Contains(res.stderr, "permission denied") {
		t.Fatalf("--rootless false in a user namespace: want a cgroup permission error: %v", res)
	}
	if res := r.run("--rootless", "true", "run", "--bundle", bundle, id); res.code != 0 {
		t.Fatalf("--rootless true: %v", res)
	}
}

// mountedAt says whether mountinfo has a mount at path.
func mountedAt(mountinfo, path string) bool {
	for line := range strings.SplitSeq(mountinfo, "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && f[4] == path {
			return true
		}
	}
	return false
}

// initPidFromState reads the init's pid from `state`, run as root with
// the given --root.
func initPidFromState(t *testing.T, root, id string) int {
	t.Helper()
	out, err := exec.Command(runtimeBinary, "--root", root, "state", id).Output()
	if err != nil {
		t.Fatalf("state %s: %v", id, err)
	}
	var st specs.State
	if err := json.Unmarshal(out, &st); err != nil || st.Pid <= 0 {
		t.Fatalf("state %s: %q: %v", id, out, err)
	}
	return st.Pid
}
