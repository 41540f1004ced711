package integration

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/testbundle"
)

// Attack tests, one per CVE class of runc, crun and youki (issue 10):
// each runs the real attack against a real container and checks that it
// is refused. Each names the CVE and the defence; the line in hull that
// defends carries the CVE id in a comment too.

// exeAttackTarget makes a container of a copy of hull's binary (an attack
// that succeeds damages only the copy), with a host directory bound at
// /out for the attacker's verdict; binaryUnchanged fails the test when
// the copy has changed.
func exeAttackTarget(t *testing.T) (c *container, out string, binaryUnchanged func()) {
	bin := filepath.Join(t.TempDir(), "hull-copy")
	copyFile(t, runtimeBinary, bin, 0o755)
	before := fileSHA256(t, bin)
	rt := newRuntime(t)
	rt.bin = bin
	out = t.TempDir()
	spec := testSpec(t, rt, "sleep", "1000")
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/out", Type: "bind", Source: out, Options: []string{"bind", "rw"}})
	return newContainer(t, rt, spec), out, func() {
		if after := fileSHA256(t, bin); after != before {
			t.Errorf("the runtime binary changed (CVE-2019-5736)")
		}
	}
}

// CVE-2019-5736, through exec: a process exec'd into the container keeps
// /proc/1/exe of the init (still hull's executor, waiting for start) open
// read-only, waits until no process runs the binary any more (the init has
// exec'd the user's program), and reopens it for writing through
// /proc/self/fd. Defence: the executor runs from a detached read-only
// bind mount of the binary (or a sealed memfd), so the reopen fails. The
// attack runs against a copy of the binary: were it to succeed, only the
// copy is damaged.
func TestAttackExeOverwriteReopenedAfterExit(t *testing.T) {
	c, out, binaryUnchanged := exeAttackTarget(t)
	mustSucceed(t, c.create())
	// Detached: it outlives exec, holding the init's exe open. (Opening
	// it may already be refused: the executor is not dumpable until it
	// execs, so /proc/1/exe is not the container's to open.)
	result := filepath.Join(out, "result")
	mustSucceed(t, c.exec([]string{"--detach"}, "sh", "-c",
		"if ! (exec 3</proc/1/exe) 2>/dev/null; then echo refused-open > /out/result; exit 0; fi; "+
			"exec 3</proc/1/exe; echo held > /out/held; sleep 2; "+
			"if echo pwned >> /proc/self/fd/3; then echo WROTE; else echo refused-write; fi > /out/result 2>&1"))
	waitFor(t, "the attacker to hold /proc/1/exe", func() bool {
		return fileExists(filepath.Join(out, "held")) || fileExists(result)
	})
	mustSucceed(t, c.start())
	waitFor(t, "the attacker's verdict", func() bool { return fileExists(result) && len(readFile(t, result)) > 0 })
	t.Logf("attacker: %s", readFile(t, result))
	if got := readFile(t, result); strings.Contains(got, "WROTE") {
		t.Errorf("the container reopened the runtime binary for writing: %s", got)
	}
	binaryUnchanged()
}

// CVE-2019-5736 in its original shape: the container gets the runtime's
// own binary to run inside it (the image's /bin/sh was `#!/proc/self/exe`;
// here the exec'd process is /proc/self/exe itself, which resolves to
// the executor's binary). Once it runs there it is the container's process
// (dumpable again after its execve), so another process in the container
// opens its /proc/PID/exe, waits for it to exit (here it blocks reading a
// config.json fifo the attacker then fills), and reopens the binary for
// writing through /proc/self/fd. A hostile dynamic library in the rootfs
// was runc's way to run code in that process; hull is linked statically
// (Makefile LDFLAGS), so nothing of the rootfs is loaded into it, and the
// process next to it does the same. Defence: the executor runs from a
// detached read-only bind mount of the binary or a sealed memfd
// (constructor.c protected_exe), so /proc/self/exe is never the host's
// writable file; not being dumpable does not help here, as the binary
// runs as the container's own program. The attack runs against a copy of
// the binary.
func TestAttackExeOverwriteRunInsideTheContainer(t *testing.T) {
	c, out, binaryUnchanged := exeAttackTarget(t)
	hold := filepath.Join(c.bundle, "rootfs", "hull-hold")
	if err := os.MkdirAll(hold, 0o755); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, filepath.Join(hold, "config.json"))
	t.Cleanup(func() { // release a runtime still blocked on the fifo
		if f, err := os.OpenFile(filepath.Join(hold, "config.json"), os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	// The runtime's binary, run inside the container, waits on the fifo.
	mustSucceed(t, c.exec([]string{"--detach"}, "/proc/self/exe", "--root", "/tmp/hull-hold-root", "run", "--bundle", "/hull-hold", "x"))
	result := filepath.Join(out, "result")
	mustSucceed(t, c.exec([]string{"--detach"}, "sh", "-c", `m=hull-; m=${m}hold; pid=
for i in $(seq 100); do
	for p in /proc/[0-9]*; do case "$(tr '\0' ' ' < $p/cmdline 2>/dev/null)" in *"--bundle /$m"*) pid=${p#/proc/};; esac; done
	[ -n "$pid" ] && break; sleep 0.1
done
if [ -z "$pid" ]; then echo no-runtime > /out/result; exit 0; fi
if ! (exec 3</proc/$pid/exe) 2>/dev/null; then echo refused-open > /out/result; exit 0; fi
exec 3</proc/$pid/exe
echo '{}' > /$m/config.json
while [ -e /proc/$pid ]; do sleep 0.1; done
if echo pwned >> /proc/self/fd/3; then echo WROTE; else echo refused-write; fi > /out/result 2>&1`))
	waitFor(t, "the attacker's verdict", func() bool { return fileExists(result) && len(readFile(t, result)) > 0 })
	got := readFile(t, result)
	t.Logf("attacker: %s", got)
	if strings.Contains(got, "no-runtime") {
		t.Fatalf("the runtime's binary did not run in the container")
	}
	if strings.Contains(got, "WROTE") {
		t.Errorf("the container reopened the runtime binary for writing: %s", got)
	}
	binaryUnchanged()
}

// CVE-2019-16884: a fake procfs (a directory the attacker fills) ends up
// over /proc, so that the runtime's writes to /proc (here a sysctl; LSM
// labels in the original) land in plain files instead of the kernel. A
// bind on /proc itself is refused by the config check (runc's rule), so
// the image does it the way that rule cannot see: a mount destination
// that is a symlink to /proc (the static form of a racing volume).
// Defence: sysctls are written through a private procfs the executor
// mounts itself and that is mounted nowhere, so the container runs and
// its real sysctl is set. (Without the private procfs, the verified
// /proc fallback refuses to start it; without both, the write lands in
// the fake.)
func TestAttackFakeProcfsCannotCatchSysctlWrites(t *testing.T) {
	fake := t.TempDir()
	target := filepath.Join(fake, "sys/net/ipv4/ip_forward")
	writeFile(t, target, "0\n")
	sysctlThroughSymlinkedMount(t, fake, target, "/proc")
}

// CVE-2025-52881: a mount over part of /proc/sys (a bind of an attacker's
// directory, placed through a symlinked destination as a racing container
// could) redirects the runtime's sysctl write. Defence: the same private
// procfs, where nothing of the container's can be mounted.
func TestAttackMountOverProcSysCannotRedirectSysctl(t *testing.T) {
	over := t.TempDir()
	target := filepath.Join(over, "ip_forward")
	writeFile(t, target, "0\n")
	sysctlThroughSymlinkedMount(t, over, target, "/proc/sys/net/ipv4")
}

// sysctlThroughSymlinkedMount runs a container that sets
// net.ipv4.ip_forward while the image's /evil is a symlink to procPath
// and the config binds source on /evil, after the procfs: the bind lands
// on procPath inside the root. The sysctl must reach the kernel (seen
// through a second procfs at /realproc) and never target.
func sysctlThroughSymlinkedMount(t *testing.T, source, target, procPath string) {
	t.Helper()
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("cat /realproc/sys/net/ipv4/ip_forward")...)
	spec.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
	// No read-only /proc/sys (as a privileged container has): it would
	// stop a plain write too, and hide whether the private procfs works.
	spec.Linux.ReadonlyPaths = nil
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/realproc", Type: "proc", Source: "proc"},
		specs.Mount{Destination: "/evil", Type: "bind", Source: source, Options: []string{"rbind", "rw"}})
	c := newContainer(t, rt, spec)
	if err := os.Symlink(procPath, filepath.Join(c.bundle, "rootfs", "evil")); err != nil {
		t.Fatal(err)
	}
	res := c.runForeground()
	if got := readFile(t, target); got != "0\n" {
		t.Errorf("the sysctl went into the attacker's file over %s: %q", procPath, got)
	}
	if res.code != 0 || strings.TrimSpace(res.stdout) != "1" {
		t.Errorf("with the attacker's mount over %s the container must run with its sysctl set (it goes through a private procfs): %v", procPath, res)
	}
}

// raceSharedVolume starts an attacker container that shares the host
// directory volume (at /shared) and swaps /shared/dst, as fast as it can,
// between a directory and symlinks to hostDir (absolute and relative),
// until the test ends.
func raceSharedVolume(t *testing.T, volume, hostDir string) {
	t.Helper()
	rt := newRuntime(t)
	script := "while :; do rm -rf /shared/dst; mkdir -p /shared/dst; rm -rf /shared/dst; ln -s " + hostDir +
		" /shared/dst; rm -f /shared/dst; ln -s ../../../../../../../../.." + hostDir + " /shared/dst; done"
	spec := testSpec(t, rt, sh(script)...)
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/shared", Type: "bind", Source: volume, Options: []string{"rbind", "rw"}})
	attacker := newContainer(t, rt, spec)
	mustSucceed(t, attacker.create())
	mustSucceed(t, attacker.start())
}

// raceVictim runs a victim container, many times, that mounts the shared
// volume and then something at a path under the raced /shared/dst, and
// checks that nothing ever lands in hostDir.
func raceVictim(t *testing.T, volume, hostDir string, extra specs.Mount) {
	t.Helper()
	rt := newRuntime(t)
	spec := testSpec(t, rt, "true")
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/shared", Type: "bind", Source: volume, Options: []string{"rbind", "rw"}}, extra)
	bundle := newContainer(t, rt, spec).bundle
	started, runs := 0, raceRuns(t)
	for i := 0; i < runs; i++ {
		c := &container{rt: rt, id: uniqueID(t), bundle: bundle}
		if c.runForeground().code == 0 {
			started++
		}
		c.forceDelete()
		if entries, _ := os.ReadDir(hostDir); len(entries) != 0 {
			t.Fatalf("run %d: the victim's setup wrote into the host directory %s: %v", i, hostDir, entries)
		}
		if strings.Contains(readFile(t, "/proc/self/mountinfo"), " "+hostDir) {
			t.Fatalf("run %d: a mount landed on the host directory %s", i, hostDir)
		}
	}
	t.Logf("%d of %d victim runs started while the attacker raced", started, runs)
}

// raceRuns is how many victim containers a race test runs: 40, or
// HULL_TEST_RACE_RUNS. make test-v2 asks for fewer: under its emulated CPU
// one run beside the attacker's loop takes about 10 s, and the code raced
// (mount destinations resolved in the root) does not depend on the cgroup
// version; the host suite runs all 40.
func raceRuns(t *testing.T) int {
	v := os.Getenv("HULL_TEST_RACE_RUNS")
	if v == "" {
		return 40
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("HULL_TEST_RACE_RUNS=%q: want a positive number", v)
	}
	return n
}

// CVE-2019-19921 and CVE-2021-30465: a mount destination inside a volume
// another container shares is swapped for a symlink to a host path while
// the runtime mounts there. Defence: every destination is resolved with
// openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) from the root fd and
// mounted through the resolved fd (move_mount), so a symlink can only
// lead back inside the root.
func TestAttackRacedMountDestinationStaysInsideTheRoot(t *testing.T) {
	volume, hostDir := t.TempDir(), t.TempDir()
	raceSharedVolume(t, volume, hostDir)
	raceVictim(t, volume, hostDir, specs.Mount{Destination: "/shared/dst/mnt", Type: "tmpfs", Source: "tmpfs"})
}

// CVE-2024-45310: the same race makes the runtime create the missing
// directories of a deep mount destination (or a bind target file) outside
// the root. Defence: OP_MKDIR_ALL and OP_MKFILE create each component
// relative to the fd of its parent, resolved inside the root.
func TestAttackRacedMkdirStaysInsideTheRoot(t *testing.T) {
	volume, hostDir := t.TempDir(), t.TempDir()
	source := filepath.Join(t.TempDir(), "file")
	writeFile(t, source, "x")
	raceSharedVolume(t, volume, hostDir)
	raceVictim(t, volume, hostDir, specs.Mount{Destination: "/shared/dst/a/b/file", Type: "bind", Source: source, Options: []string{"bind"}})
}

// CVE-2024-21626 through `exec --cwd`: a cwd of /proc/self/fd/N reaches a
// host directory when the runtime holds an fd to one (runc leaked one of
// /sys/fs/cgroup). Here the caller leaks fds of a host directory to hull
// (no --preserve-fds: they are not the container's), so such fds are open
// in the executor when it changes directory. Defence: the cwd is resolved
// inside the root with RESOLVE_NO_MAGICLINKS and checked with getcwd
// (OP_CHDIR), and every fd not passed is close-on-exec.
func TestAttackExecCwdThroughProcFdCannotLeaveTheRoot(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	hostDir := hostDirWithMarker(t)
	for fd := 3; fd <= 12; fd++ {
		res := runLeakingDir(t, rt, hostDir, "exec", "--cwd", "/proc/self/fd/"+strconv.Itoa(fd), c.id, "sh", "-c", "pwd; ls -a")
		if res.code != 0 {
			continue
		}
		if strings.Contains(res.stdout, "host-marker") || strings.Contains(res.stdout, "(unreachable)") || !strings.HasPrefix(res.stdout, "/") {
			t.Errorf("exec --cwd /proc/self/fd/%d reached outside the root:\n%s", fd, res.stdout)
		}
	}
}

// hostDirWithMarker is a host directory holding a file named host-marker,
// for a container to recognise it sees the host.
func hostDirWithMarker(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "host-marker"), "host\n")
	return dir
}

// runLeakingDir runs hull with fds 3 to 8 open on hostDir and inherited
// (as a careless caller leaks them), none of them passed to the container.
func runLeakingDir(t *testing.T, rt *runtime, hostDir string, args ...string) result {
	t.Helper()
	var files []*os.File
	for i := 0; i < 6; i++ {
		f, err := os.Open(hostDir)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	cmd := rt.command(args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.ExtraFiles = files
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	res := result{args: cmd.Args, code: waitWithTimeout(t, cmd)}
	res.stdout, res.stderr = out.String(), errOut.String()
	return res
}

// CVE-2023-25809: a rootless container must not get a writable
// /sys/fs/cgroup. The attack is the CVE's own case: the runtime runs as
// uid 0 in an unprivileged user's namespace (rootless podman), the host
// delegated cgroups to that user and started the runtime in them (as
// systemd does for each user), and the config asks for no cgroup
// namespace (podman --cgroupns=host). The runtime then makes the
// container's cgroups under the delegated ones, owned by the user, that
// is by the container's root: only the mount's being read-only keeps the
// container from writing them (making cgroups, moving processes, raising
// its own limits). With a cgroup namespace the fresh cgroup mounts show
// the same user-owned cgroups. Defence: the config's /sys/fs/cgroup
// mount is `ro` (the template's, as runc's) and hull applies it to every
// hierarchy it binds or mounts there (rootfs/cgroup.go); the host's tree
// under /sys never shows, since /sys/fs/cgroup is always covered. (The
// tmpfs that holds the hierarchies is the container's own and stays
// writable, as in runc: what is made there reaches no cgroup.)
func TestAttackRootlessCannotWriteSysFsCgroup(t *testing.T) {
	for _, cgroupns := range []bool{false, true} {
		name := "host-cgroupns"
		if cgroupns {
			name = "own-cgroupns"
		}
		t.Run(name, func(t *testing.T) { rootlessCgroupWriteAttack(t, cgroupns) })
	}
}

func rootlessCgroupWriteAttack(t *testing.T, cgroupns bool) {
	r := newInUserNSRuntime(t)
	hierarchies := []string{"pids", "systemd", "unified"}
	if fileExists(filepath.Join(cgroupRoot, "cgroup.controllers")) {
		hierarchies = []string{""} // pure cgroup v2: the one hierarchy
	}
	delegated := delegateCgroups(t, nobodyID, hierarchies...)
	spec, allow := inUserNSSpec(t, sh("for d in /sys/fs/cgroup/*/; do "+
		"mkdir ${d}hull-escape 2>/dev/null && echo MADE $d; "+
		"echo $$ > ${d}cgroup.procs 2>/dev/null && echo WROTE $d; done; echo done")...)
	spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.CgroupNamespace
	})
	if cgroupns {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}
	id := uniqueID(t)
	bundle := testbundle.New(t, spec)
	allow(bundle)
	t.Cleanup(func() {
		exec.Command(runtimeBinary, "--root", r.stateRoot(), "delete", "--force", id).Run()
	})
	res := r.runInCgroups(delegated, "run", "--bundle", bundle, id)
	if res.code != 0 || !strings.Contains(res.stdout, "done") {
		t.Fatalf("rootless run in delegated cgroups: %v", res)
	}
	if strings.Contains(res.stdout, "MADE") || strings.Contains(res.stdout, "WROTE") {
		t.Errorf("the rootless container wrote to /sys/fs/cgroup (CVE-2023-25809):\n%s", res.stdout)
	}
	for _, d := range delegated {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() && e.Name() == "hull-escape" {
				t.Errorf("the rootless container made the cgroup %s", p)
			}
			return nil
		})
	}
}

// delegateCgroups makes a cgroup in each named hierarchy and gives it to
// uid as systemd delegates one (the directory and the files that move
// processes and enable controllers), and removes it, with whatever was
// made under it, when the test ends.
func delegateCgroups(t *testing.T, uid int, hierarchies ...string) []string {
	t.Helper()
	var dirs []string
	for _, h := range hierarchies {
		d := filepath.Join(cgroupRoot, h, "hull-delegated-"+strconv.Itoa(os.Getpid()))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { removeCgroupTree(d) })
		for _, f := range []string{"", "cgroup.procs", "tasks", "cgroup.threads", "cgroup.subtree_control"} {
			if err := os.Chown(filepath.Join(d, f), uid, uid); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// CVE-2025-31133: /dev/null (here in a volume bound on /dev, which the
// runtime fills no devices into) is a symlink to another file when the
// runtime binds it over the masked paths, which would expose that file
// instead of hiding one; a racing container can swap it in just as well.
// Defence: OP_MASK opens the root's /dev/null without following symlinks
// and requires the char device 1:3.
func TestAttackDevNullSwappedBeforeMaskingIsRefused(t *testing.T) {
	volume := t.TempDir()
	if err := os.Symlink("/proc/self/environ", filepath.Join(volume, "null")); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("head -c 64 /proc/kcore | od -c | head -2; echo end")...)
	var mounts []specs.Mount
	for _, m := range spec.Mounts {
		if m.Destination != "/dev" {
			mounts = append(mounts, m)
		}
	}
	spec.Mounts = append([]specs.Mount{{Destination: "/dev", Type: "bind", Source: volume, Options: []string{"rbind", "rw"}}}, mounts...)
	res := newContainer(t, rt, spec).runForeground()
	t.Logf("run: %v", res)
	if res.code == 0 && strings.Contains(res.stdout, "0000000") {
		t.Fatalf("the masked /proc/kcore shows another file's content:\n%s", res.stdout)
	}
}

// A rootfs whose /dev, /proc or /sys is a symlink to a host directory:
// the runtime's mounts (/dev's tmpfs, procfs, sysfs), device nodes and
// directories must not land there. The mounts are made in the container's
// mount namespace, invisible from the host's, so a createRuntime hook
// (run before pivot_root) copies the container's mountinfo out: no mount
// there may sit on the host directory. Defence: paths resolved inside the
// root (RESOLVE_IN_ROOT) for /dev; for /proc and /sys also procfs and
// sysfs only on an ordinary directory (OP_REQUIRE_DIR): each alone stops
// these two.
func TestAttackRootfsDevSymlinkToHostPath(t *testing.T) {
	for _, name := range []string{"dev", "proc", "sys"} {
		t.Run(name, func(t *testing.T) {
			hostDir := t.TempDir()
			out := filepath.Join(t.TempDir(), "mountinfo")
			rt := newRuntime(t)
			spec := testSpec(t, rt, "true")
			spec.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c",
				`pid=$(sed 's/.*"pid": *\([0-9]*\).*/\1/'); cat /proc/$pid/mountinfo > ` + out}}}}
			c := newContainer(t, rt, spec)
			link := filepath.Join(c.bundle, "rootfs", name)
			if err := os.RemoveAll(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(hostDir, link); err != nil {
				t.Fatal(err)
			}
			res := c.runForeground()
			t.Logf("run with /%s -> %s: exit %d %s", name, hostDir, res.code, res.stderr)
			if entries, _ := os.ReadDir(hostDir); len(entries) != 0 {
				t.Errorf("the runtime wrote into the host directory behind /%s: %v", name, entries)
			}
			if strings.Contains(readFile(t, "/proc/self/mountinfo"), " "+hostDir+" ") {
				t.Errorf("a mount landed on the host directory behind /%s", name)
			}
			if fileExists(out) {
				for _, line := range strings.Split(readFile(t, out), "\n") {
					if f := strings.Fields(line); len(f) > 4 && (f[4] == hostDir || strings.HasPrefix(f[4], hostDir+"/")) {
						t.Errorf("in the container's mount namespace a mount landed on the host directory behind /%s: %s", name, line)
					}
				}
			} else {
				t.Logf("the container failed before its createRuntime hook: nothing was mounted")
			}
		})
	}
}

// A device node in a user namespace is a bind of the host's node of the
// same path: a config naming a path that is not a device on the host
// (a file someone planted in /dev, a symlink) must not bind that host
// file into the container. Defence: the host source must be a device of
// the config's type, major and minor.
func TestAttackDeviceWithHostFileAsSource(t *testing.T) {
	if !fileExists("/proc/self/ns/user") {
		t.Skip("kernel without user namespaces")
	}
	secret := filepath.Join("/dev", "hull-attack-"+strconv.Itoa(os.Getpid()))
	writeFile(t, secret, "host secret\n")
	t.Cleanup(func() { os.Remove(secret) })
	if err := os.Chmod(secret, 0o644); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("cat "+secret+" 2>&1; echo end")...)
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Linux.Devices = append(spec.Linux.Devices, specs.LinuxDevice{Path: secret, Type: "c", Major: 1, Minor: 3})
	c := newContainer(t, rt, spec)
	allowUnmappedRootToTraverse(t, c.bundle)
	res := c.runForeground()
	if strings.Contains(res.stdout, "host secret") {
		t.Errorf("the host file %s reached the container as a device: %v", secret, res)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// CVE-2025-52565: with process.terminal, the image's /dev/ptmx (here with
// /dev bound from the image, as a racing volume could place it) or the
// /dev/pts/ptmx behind it is swapped for another file: a fifo whose
// writer waits for the runtime to open it, a symlink to another device,
// a regular file under a /dev/pts the config leaves unmounted. Defence:
// OP_CONSOLE checks through an O_PATH fd that it is the pty multiplexer
// 5:2 before opening it (ops_process.c open_ptmx), so no other file is
// opened or sent tty ioctls, nothing reaches the console socket, and the
// error names the path and what it found there.
func TestAttackPtmxSwappedIsNeverOpened(t *testing.T) {
	cases := []struct {
		name string
		// swap puts the attacker's file in the image's dev directory.
		swap func(t *testing.T, dev string)
		// devpts keeps the config's /dev/pts mount.
		devpts bool
		kind   string
	}{
		{"fifo", func(t *testing.T, dev string) { mkfifo(t, filepath.Join(dev, "ptmx")) }, true, "a fifo"},
		{"symlink-to-null", func(t *testing.T, dev string) { symlink(t, "null", filepath.Join(dev, "ptmx")) }, true, "char device 1:3"},
		{"pts-ptmx-file", func(t *testing.T, dev string) {
			symlink(t, "pts/ptmx", filepath.Join(dev, "ptmx"))
			writeFile(t, filepath.Join(dev, "pts", "ptmx"), "attacker's\n")
		}, false, "a regular file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			spec := testSpec(t, rt, "true")
			spec.Process.Terminal = true
			c := newContainer(t, rt, spec)
			dev := filepath.Join(c.bundle, "rootfs", "imagedev")
			if err := os.MkdirAll(dev, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := unix.Mknod(filepath.Join(dev, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
				t.Fatal(err)
			}
			tc.swap(t, dev)
			opened := watchFifoOpen(t, filepath.Join(dev, "ptmx"))
			var mounts []specs.Mount
			for _, m := range spec.Mounts {
				switch {
				case m.Destination == "/dev":
					m = specs.Mount{Destination: "/dev", Type: "bind", Source: dev, Options: []string{"rbind"}}
				case m.Destination == "/dev/pts" && !tc.devpts:
					continue
				}
				mounts = append(mounts, m)
			}
			spec.Mounts = mounts
			writeSpec(t, c.bundle, spec)

			socketPath, received := consoleSocket(t)
			res := c.rt.run("create", "--bundle", c.bundle, "--console-socket", socketPath, c.id)
			want := "/dev/ptmx in root is " + tc.kind + ", not the pty multiplexer 5:2"
			if res.code == 0 || !strings.Contains(res.stderr, want) {
				t.Errorf("create with /dev/ptmx swapped: want an error %q: %v", want, res)
			}
			if n := received(); n != 0 {
				t.Errorf("%d fds reached the console socket", n)
			}
			if opened() {
				t.Errorf("the runtime opened the image's fifo at /dev/ptmx")
			}
		})
	}
}

// watchFifoOpen reports whether anyone opened the fifo at path for
// reading (a writer's open waits for one); for any other file, false.
func watchFifoOpen(t *testing.T, path string) func() bool {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return func() bool { return false }
	}
	done := make(chan struct{})
	go func() {
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		close(done)
	}()
	return func() bool {
		select {
		case <-done:
			return true
		case <-time.After(200 * time.Millisecond):
		}
		// Release the writer: this open is ours.
		if f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0); err == nil {
			<-done
			f.Close()
		}
		return false
	}
}

// consoleSocket listens on a console socket and returns its path and a
// function that, once the runtime is done, counts the fds received.
func consoleSocket(t *testing.T) (string, func() int) {
	t.Helper()
	socketPath := filepath.Join(t.TempDir(), "console.sock")
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: socketPath, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	count := make(chan int, 1)
	go func() {
		n := 0
		defer func() { count <- n }()
		conn, err := listener.AcceptUnix()
		if err != nil {
			return
		}
		defer conn.Close()
		buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4*8))
		for {
			r, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
			msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
			for i := range msgs {
				fds, _ := unix.ParseUnixRights(&msgs[i])
				for _, fd := range fds {
					unix.Close(fd)
				}
				n += len(fds)
			}
			if err != nil || (r == 0 && oobn == 0) {
				return
			}
		}
	}()
	return socketPath, func() int {
		listener.Close()
		return <-count
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := unix.Mkfifo(path, 0o666); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
