package libcontainer

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/seccomp"
	"github.com/hullrt/hull/specconv"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/compile/*.golden")

// hybridCgroups is what a cgroup manager reports on a v1 hybrid host.
var hybridCgroups = []cgroups.Mount{
	{Dir: "cpu,cpuacct", FsType: "cgroup", Options: "cpu,cpuacct", HostPath: "/sys/fs/cgroup/cpu,cpuacct/hull/c1", Links: []string{"cpu", "cpuacct"}},
	{Dir: "memory", FsType: "cgroup", Options: "memory", HostPath: "/sys/fs/cgroup/memory/hull/c1"},
	{Dir: "unified", FsType: "cgroup2", HostPath: "/sys/fs/cgroup/unified/hull/c1"},
}

// compileCase is one config and the options it is compiled with.
type compileCase struct {
	name   string
	mutate func(s *specs.Spec)
	opts   CompileOptions
	// rootless starts from `spec --rootless` instead of `spec`.
	rootless bool
	// oldKernel compiles for a kernel that cannot mount on a detached
	// tree (before 6.15); the others for one that can.
	oldKernel bool
}

var compileCases = []compileCase{
	{name: "runc-spec", opts: CompileOptions{Console: true, CgroupMounts: hybridCgroups, ID: "ctr"}},
	{name: "runc-spec-rootless", rootless: true, opts: CompileOptions{Console: true, CgroupMounts: hybridCgroups, ID: "ctr"},
		mutate: func(s *specs.Spec) {
			// A range of ids, so that the golden file does not depend on
			// the uid running the test.
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
		}},
	{name: "join-netns", opts: CompileOptions{CgroupMounts: hybridCgroups}, mutate: func(s *specs.Spec) {
		s.Process.Terminal = false
		s.Process.Args = []string{"ip", "link"}
		s.Linux.Namespaces[1].Path = "/proc/self/ns/net"
		s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
	}},
	{name: "kitchen-sink", opts: CompileOptions{NoPivot: true, PreserveFDs: 2, CgroupMounts: hybridCgroups, ID: "ctr", NoNewKeyring: true}, mutate: kitchenSink},
	{name: "no-mountns", opts: CompileOptions{CgroupMounts: hybridCgroups}, mutate: noMountNamespace},
	{name: "no-mountns-old-kernel", oldKernel: true, opts: CompileOptions{CgroupMounts: hybridCgroups}, mutate: noMountNamespace},
	{name: "tuning", opts: CompileOptions{CgroupMounts: hybridCgroups}, mutate: tuning},
	{name: "seccomp-before-caps", mutate: func(s *specs.Spec) {
		s.Process.Terminal = false
		s.Process.NoNewPrivileges = false
		s.Linux.Seccomp = denyMkdir()
	}},
	{name: "seccomp-last", mutate: func(s *specs.Spec) {
		s.Process.Terminal = false
		s.Linux.Seccomp = denyMkdir()
	}},
}

func noMountNamespace(s *specs.Spec) {
	s.Process.Terminal = false
	s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.MountNamespace
	})
}

// kitchenSink uses every feature the compiler handles, in one config.
func kitchenSink(s *specs.Spec) {
	s.Process.Terminal = false
	s.Process.Args = []string{"./app", "--flag"}
	s.Process.Cwd = "/srv/app"
	s.Process.Env = []string{"PATH=/bin", "HOME=/root", "PATH=/opt/bin:/bin"}
	s.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 20}, Umask: ptrTo(uint32(0o077))}
	s.Process.OOMScoreAdj = ptrTo(-500)
	s.Process.Capabilities = &specs.LinuxCapabilities{
		Bounding:    []string{"CAP_CHOWN", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"},
		Effective:   []string{"CAP_NET_ADMIN"},
		Permitted:   []string{"CAP_NET_ADMIN"},
		Inheritable: []string{"CAP_CHOWN"},
	}
	s.Process.Rlimits = append(s.Process.Rlimits,
		specs.POSIXRlimit{Type: "RLIMIT_CORE", Soft: 0, Hard: 0},
		specs.POSIXRlimit{Type: "RLIMIT_NPROC", Soft: 100, Hard: ^uint64(0)})
	s.Domainname = "example.org"
	s.Root.Readonly = true
	s.Mounts = []specs.Mount{ // no /dev: the default one comes first
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666"}},
		{Destination: "/data", Type: "bind", Source: "data", Options: []string{"rbind", "rw", "nodev", "rslave"}},
		{Destination: "/etc/hosts", Source: "hosts.txt", Options: []string{"bind", "ro", "noexec"}},
		{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "noatime", "mode=1777", "size=64m", "uid=1000"}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro", "nosuid"}},
	}
	s.Hooks = &specs.Hooks{
		//lint:ignore SA1019 deprecated by the spec, still run by runc
		Prestart:        []specs.Hook{{Path: "/usr/bin/true"}},
		CreateContainer: []specs.Hook{{Path: "/usr/bin/true"}},
	}
	s.Linux.Namespaces = append(s.Linux.Namespaces,
		specs.LinuxNamespace{Type: specs.CgroupNamespace}, specs.LinuxNamespace{Type: specs.TimeNamespace})
	s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{
		"monotonic": {Secs: -3600}, "boottime": {Secs: 86400, Nanosecs: 500},
	}
	s.Linux.Devices = []specs.LinuxDevice{
		{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, FileMode: ptrTo(os.FileMode(0o600)), UID: ptrTo(uint32(1000)), GID: ptrTo(uint32(1000))},
		{Path: "/dev/net/tun", Type: "c", Major: 10, Minor: 200},
		{Path: "/dev/sda", Type: "b", Major: 8, Minor: 0},
		{Path: "/dev/pipe", Type: "p"},
	}
	s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "65536", "net/core/somaxconn": "1024"}
	s.Linux.RootfsPropagation = "rshared"
	s.Linux.MaskedPaths = []string{"/proc/kcore", "/sys/firmware"}
	s.Linux.ReadonlyPaths = []string{"/proc/sys"}
}

// tuning sets every scheduling, personality, memory-policy and
// net-device field; execCPUAffinity is for exec'd processes only, so the
// init's affinity is still reset.
func tuning(s *specs.Spec) {
	s.Process.Terminal = false
	s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedDeadline, Runtime: 10e6, Deadline: 20e6, Period: 30e6,
		Flags: []specs.LinuxSchedulerFlag{specs.SchedFlagResetOnFork, specs.SchedFlagReclaim}}
	s.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_IDLE, Priority: 7}
	s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "1", Final: "0-1"}
	s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux32, Flags: []specs.LinuxPersonalityFlag{"ADDR_NO_RANDOMIZE"}}
	s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolInterleave, Nodes: "0-2,5",
		Flags: []specs.MemoryPolicyFlagType{specs.MpolFStaticNodes}}
	s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"veth1": {Name: "eth1"}}
}

func denyMkdir() *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno}},
	}
}

func ptrTo[T any](v T) *T { return &v }

// testBundle makes a bundle with an empty rootfs and the host files the
// kitchen-sink config binds.
func testBundle(t *testing.T) string {
	t.Helper()
	bundle := t.TempDir()
	for _, dir := range []string{"rootfs", "data"} {
		if err := os.Mkdir(filepath.Join(bundle, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bundle, "hosts.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return bundle
}

func compileTestCase(t *testing.T, tc compileCase, bundle string) *program.Program {
	t.Helper()
	seccomp.DisableCache = true // no writes to the host's cache from tests
	spec := specconv.Example(tc.rootless)
	if tc.mutate != nil {
		tc.mutate(spec)
	}
	plan, err := specconv.FromSpec(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	fifo, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fifo.Close() })
	opts := tc.opts
	opts.ExecFifo = fifo
	saved := mountOnDetachedTree
	mountOnDetachedTree = func() bool { return !tc.oldKernel }
	defer func() { mountOnDetachedTree = saved }()
	prog, err := Compile(plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeNamespaceFiles(prog.Files, fifo) })
	return prog
}

// bpfSize hides the size of compiled filters, which depends on the
// libseccomp version.
var bpfSize = regexp.MustCompile(`<\d+ bytes of BPF>`)

// rootfsMount hides which host mount holds the test's temporary bundle.
var rootfsMount = regexp.MustCompile(`"[^"]*"(    # linux.rootfsPropagation \(parent mount)`)

// checkGolden compares a disassembly with testdata/compile/name.golden,
// rewriting the file first under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", "compile", name+".golden")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("program differs from %s (go test ./libcontainer -run Golden -update to accept):\n%s", golden, got)
	}
}

func TestCompileGolden(t *testing.T) {
	saved := revealingMounts
	revealingMounts = func(string) ([]string, error) { return []string{"/proc", "/sys"}, nil }
	t.Cleanup(func() { revealingMounts = saved })
	defer func(saved func() []string) { runtimeEnviron = saved }(runtimeEnviron)
	runtimeEnviron = func() []string { return []string{"PATH=/usr/bin:/bin"} }
	for _, tc := range compileCases {
		t.Run(tc.name, func(t *testing.T) {
			bundle := testBundle(t)
			prog := compileTestCase(t, tc, bundle)
			got := strings.ReplaceAll(prog.String(), bundle, "$BUNDLE")
			got = bpfSize.ReplaceAllString(got, "<BPF>")
			got = rootfsMount.ReplaceAllString(got, `"$$ROOTFS_MOUNT"$1`)
			checkGolden(t, tc.name, got)
		})
	}
}

// Every op must say where it came from, and survive the wire format.
func TestCompiledProgramsEncodeAndHaveOrigins(t *testing.T) {
	for _, tc := range compileCases {
		prog := compileTestCase(t, tc, testBundle(t))
		decoded, err := program.Decode(prog.Encode())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(decoded.Ops) != len(prog.Ops) {
			t.Fatalf("%s: decoded %d ops, want %d", tc.name, len(decoded.Ops), len(prog.Ops))
		}
		for i, op := range prog.Ops {
			if op.Origin == "" {
				t.Errorf("%s: op %d (%s) has no origin", tc.name, i, op.Code)
			}
			d := decoded.Ops[i]
			if d.Code != op.Code || !reflect.DeepEqual(nilIfEmpty(d.Ints), nilIfEmpty(op.Ints)) || !reflect.DeepEqual(d.Strs, nilIfEmptyS(op.Strs)) {
				t.Errorf("%s: op %d does not survive encoding: %+v vs %+v", tc.name, i, d, op)
			}
		}
		if last := prog.Ops[len(prog.Ops)-1].Code; last != program.OpExec {
			t.Errorf("%s: last op is %s, want exec", tc.name, last)
		}
	}
}

func nilIfEmpty(v []uint64) []uint64 {
	if len(v) == 0 {
		return nil
	}
	return v
}

func nilIfEmptyS(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return v
}

func TestCompileErrorsNameTheField(t *testing.T) {
	regular := filepath.Join(t.TempDir(), "not-a-namespace")
	if err := os.WriteFile(regular, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(s *specs.Spec)
		want   string
	}{
		{"missing namespace file", func(s *specs.Spec) { s.Linux.Namespaces[1].Path = "/nonexistent/ns/net" },
			"linux.namespaces[1].path: open /nonexistent/ns/net: no such file or directory"},
		{"regular file as namespace", func(s *specs.Spec) { s.Linux.Namespaces[2].Path = regular },
			"linux.namespaces[2].path: " + regular + " is not a namespace file"},
		{"bind source missing", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/x", Type: "bind", Source: "/nonexistent"})
		}, "mounts[7].source: stat /nonexistent: no such file or directory"},
		{"user namespace without mount namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
				return ns.Type == specs.MountNamespace
			})
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
		}, "linux.namespaces: a user namespace needs a mount namespace too"},
		{"seccomp notify on sendmsg", func(s *specs.Spec) {
			s.Linux.Seccomp = denyMkdir()
			s.Linux.Seccomp.Syscalls[0].Action = specs.ActNotify
			s.Linux.Seccomp.Syscalls[0].Names = append(s.Linux.Seccomp.Syscalls[0].Names, "sendmsg")
			s.Linux.Seccomp.ListenerPath = "/run/agent.sock"
		}, "linux.seccomp.syscalls[0].names[2]: SCMP_ACT_NOTIFY cannot be used for the sendmsg syscall (it hands the notify fd to the runtime)"},
		{"seccomp notify without listener", func(s *specs.Spec) {
			s.Linux.Seccomp = denyMkdir()
			s.Linux.Seccomp.Syscalls[0].Action = specs.ActNotify
		}, "linux.seccomp.listenerPath: must be set when SCMP_ACT_NOTIFY is used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seccomp.DisableCache = true
			spec := specconv.Example(false)
			tc.mutate(spec)
			plan, err := specconv.FromSpec(spec, testBundle(t))
			if err != nil {
				t.Fatal(err)
			}
			prog, err := Compile(plan, CompileOptions{})
			if err == nil || err.Error() != tc.want {
				t.Errorf("Compile error = %v\nwant %s", err, tc.want)
			}
			if prog != nil {
				t.Errorf("Compile returned a program with an error")
			}
		})
	}
}

func TestDescribeBundle(t *testing.T) {
	bundle := testBundle(t)
	data, err := os.ReadFile(filepath.Join("..", "specconv", "testdata", "runc-spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := DescribeBundle(bundle, CompileOptions{NoPivot: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"file 0: exec fifo\n", " console ", " move-root ", " wait-start ", `"sh"`} {
		if !strings.Contains(text, want) {
			t.Errorf("description lacks %q:\n%s", want, text)
		}
	}
	if _, err := DescribeBundle(t.TempDir(), CompileOptions{}); err == nil || !strings.HasPrefix(err.Error(), "read config.json: ") {
		t.Errorf("DescribeBundle of an empty dir: %v", err)
	}
}

func TestCompileExecGolden(t *testing.T) {
	seccomp.DisableCache = true
	bundle := testBundle(t)
	spec := specconv.Example(false)
	spec.Linux.Seccomp = denyMkdir()
	plan, err := specconv.FromSpec(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	process := &specs.Process{
		Args: []string{"ps", "-ef"}, Cwd: "/tmp", Env: []string{"PATH=/bin", "HOME=/h"},
		User:         specs.User{UID: 1, GID: 2},
		Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}, Effective: []string{"CAP_KILL"}},
	}
	// Our own namespaces stand in for a container's init.
	pid := os.Getpid()
	prog, err := CompileExec(plan, process, pid, CompileOptions{Console: true, PreserveFDs: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	got := strings.ReplaceAll(prog.String(), "/proc/"+strconv.Itoa(pid)+"/", "/proc/$PID/")
	got = strings.ReplaceAll(got, "init "+strconv.Itoa(pid)+")", "init $PID)")
	got = bpfSize.ReplaceAllString(got, "<BPF>")
	checkGolden(t, "exec", got)

	// An exec inherits the container's scheduler, I/O priority and
	// execCPUAffinity where its own process has none.
	plan.Spec.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedBatch, Nice: 5}
	plan.Spec.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 1}
	plan.Spec.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "1", Final: "0-1,3"}
	process.Scheduler = &specs.Scheduler{Policy: specs.SchedRR, Priority: 9}
	tuned, err := CompileExec(plan, process, pid, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tuned.Close()
	got = strings.ReplaceAll(tuned.String(), "/proc/"+strconv.Itoa(pid)+"/", "/proc/$PID/")
	got = strings.ReplaceAll(got, "init "+strconv.Itoa(pid)+")", "init $PID)")
	got = bpfSize.ReplaceAllString(got, "<BPF>")
	checkGolden(t, "exec-tuning", got)

	process.Cwd = "tmp"
	if _, err := CompileExec(plan, process, pid, CompileOptions{}); err == nil || err.Error() != `process.cwd: "tmp" is not absolute` {
		t.Errorf("CompileExec with a relative cwd: %v", err)
	}
}

// A joined user namespace comes first, whatever its place in the config:
// it grants the capabilities to join the others.
func TestJoinedUserNamespaceFirst(t *testing.T) {
	spec := specconv.Example(false)
	spec.Process.Terminal = false
	spec.Linux.Namespaces[1].Path = "/proc/self/ns/net"
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/self/ns/user"})
	plan, err := specconv.FromSpec(spec, testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(plan, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	var got []string
	for _, op := range prog.Ops[:3] {
		got = append(got, op.Code.String()+" "+op.Origin)
	}
	want := []string{
		"setns linux.namespaces[5] (user)",
		"setns linux.namespaces[1] (network)",
		"unshare linux.namespaces (pid, ipc, uts, mount)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("first ops:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if prog.FileNames[0] != "ns:user /proc/self/ns/user" {
		t.Errorf("file 0 = %q, want the user namespace", prog.FileNames[0])
	}
}
