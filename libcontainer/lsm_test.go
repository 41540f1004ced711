package libcontainer

import (
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/seccomp"
	"github.com/hullrt/hull/specconv"
)

// withHostLSM makes Compile see host instead of this machine's LSMs.
func withHostLSM(t *testing.T, host lsmHost) {
	t.Helper()
	saved := hostLSM
	hostLSM = func() lsmHost { return host }
	t.Cleanup(func() { hostLSM = saved })
}

var (
	lsmNone     = lsmHost{AppArmorExecAttr: "attr/exec"}
	lsmAppArmor = lsmHost{AppArmor: true, AppArmorExecAttr: "attr/apparmor/exec"}
	lsmSELinux  = lsmHost{SELinux: true, AppArmorExecAttr: "attr/exec"}
)

const testMountLabel = "system_u:object_r:container_file_t:s0:c1,c2"

func withLabels(s *specs.Spec) {
	s.Process.Terminal = false
	s.Process.ApparmorProfile = "hull-test"
	s.Process.SelinuxLabel = "system_u:system_r:container_t:s0:c1,c2"
	s.Linux.MountLabel = testMountLabel
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/run", Type: "tmpfs", Source: "tmpfs"})
}

// The program of a config with every label: the exec labels after the
// fds are closed and before seccomp and the privilege drop, the keyring
// label around the session keyring, context= on every new filesystem but
// proc, sysfs, mqueue and cgroup, mqueue labelled after it is mounted.
func TestCompileLSMGolden(t *testing.T) {
	withHostLSM(t, lsmHost{AppArmor: true, SELinux: true, AppArmorExecAttr: "attr/apparmor/exec"})
	bundle := testBundle(t)
	prog := compileTestCase(t, compileCase{name: "lsm-labels", mutate: func(s *specs.Spec) {
		withLabels(s)
		s.Linux.Seccomp = denyMkdir()
		s.Linux.MaskedPaths = append(s.Linux.MaskedPaths, "/proc/acpi")
	}, opts: CompileOptions{CgroupMounts: hybridCgroups, ID: "ctr"}}, bundle)
	got := strings.ReplaceAll(prog.String(), bundle, "$BUNDLE")
	got = bpfSize.ReplaceAllString(got, "<BPF>")
	got = rootfsMount.ReplaceAllString(got, `"$$ROOTFS_MOUNT"$1`)
	checkGolden(t, "lsm-labels", got)

	if _, err := program.Decode(prog.Encode()); err != nil {
		t.Fatal(err)
	}
	execAt, closeAt, aaAt, seLabelAt, userAt := -1, -1, -1, -1, -1
	for i, op := range prog.Ops {
		switch {
		case op.Code == program.OpExec:
			execAt = i
		case op.Code == program.OpCloseFds:
			closeAt = i
		case op.Code == program.OpSetUser:
			userAt = i
		case op.Code == program.OpLsmAttr && op.Strs[0] == "attr/apparmor/exec":
			aaAt = i
			if op.Strs[1] != "exec hull-test" {
				t.Errorf("apparmor attribute value %q, want %q", op.Strs[1], "exec hull-test")
			}
		case op.Code == program.OpLsmAttr && op.Strs[0] == "attr/exec":
			seLabelAt = i
		}
	}
	if !(closeAt < aaAt && aaAt < seLabelAt && seLabelAt < userAt && userAt < execAt) {
		t.Errorf("order close-fds %d, apparmor %d, selinux %d, set-user %d, exec %d", closeAt, aaAt, seLabelAt, userAt, execAt)
	}
}

func TestCompileAppArmorFallsBackToAttrExec(t *testing.T) {
	withHostLSM(t, lsmHost{AppArmor: true, AppArmorExecAttr: "attr/exec"})
	prog := compileTestCase(t, compileCase{name: "apparmor-old-kernel", mutate: func(s *specs.Spec) {
		s.Process.ApparmorProfile = "p"
	}}, testBundle(t))
	for _, op := range prog.Ops {
		if op.Code == program.OpLsmAttr {
			if op.Strs[0] != "attr/exec" || op.Strs[1] != "exec p" {
				t.Errorf("lsm-attr %q %q, want attr/exec \"exec p\"", op.Strs[0], op.Strs[1])
			}
			return
		}
	}
	t.Fatal("no lsm-attr op")
}

// A label the host cannot apply is refused, naming the field; never
// dropped.
func TestLSMLabelRefusedWhenHostLacksIt(t *testing.T) {
	seccomp.DisableCache = true
	aaOff := "process.apparmorProfile: config provided but apparmor not supported: apparmor is not enabled on this host (/sys/module/apparmor/parameters/enabled is not Y)"
	seOff := "selinux label is specified in config, but selinux is disabled or not supported"
	for _, tc := range []struct {
		name   string
		host   lsmHost
		mutate func(s *specs.Spec)
		want   string
	}{
		{"apparmor", lsmNone, func(s *specs.Spec) { s.Process.ApparmorProfile = "p" }, aaOff},
		{"apparmor on an selinux host", lsmSELinux, func(s *specs.Spec) { s.Process.ApparmorProfile = "p" }, aaOff},
		{"selinux process label", lsmAppArmor, func(s *specs.Spec) { s.Process.SelinuxLabel = "u:r:t:s0" }, "process.selinuxLabel: " + seOff},
		{"selinux mount label", lsmAppArmor, func(s *specs.Spec) { s.Linux.MountLabel = "u:object_r:t:s0" }, "linux.mountLabel: " + seOff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withHostLSM(t, tc.host)
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
				t.Error("Compile returned a program with an error")
			}
		})
	}
}

func TestCompileExecLSM(t *testing.T) {
	seccomp.DisableCache = true
	spec := specconv.Example(false)
	spec.Process.ApparmorProfile = "container-profile"
	plan, err := specconv.FromSpec(spec, testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	pid := os.Getpid()
	attrs := func(t *testing.T, p *specs.Process) []string {
		t.Helper()
		prog, err := CompileExec(plan, p, pid, CompileOptions{ID: "ctr"})
		if err != nil {
			t.Fatal(err)
		}
		defer prog.Close()
		var got []string
		for _, op := range prog.Ops {
			if op.Code == program.OpLsmAttr {
				got = append(got, op.Strs[0]+"="+op.Strs[1])
			}
		}
		return got
	}
	process := func() *specs.Process {
		return &specs.Process{Args: []string{"true"}, Cwd: "/"}
	}

	withHostLSM(t, lsmHost{AppArmor: true, SELinux: true, AppArmorExecAttr: "attr/apparmor/exec"})
	// Without a profile of its own the exec gets the container's (as runc).
	if got := strings.Join(attrs(t, process()), " "); got != "attr/apparmor/exec=exec container-profile" {
		t.Errorf("inherited: %s", got)
	}
	// exec --apparmor / --process-label.
	p := process()
	p.ApparmorProfile, p.SelinuxLabel = "exec-profile", "u:r:t:s0"
	want := "attr/keycreate=u:r:t:s0 attr/keycreate= attr/apparmor/exec=exec exec-profile attr/exec=u:r:t:s0"
	if got := strings.Join(attrs(t, p), " "); got != want {
		t.Errorf("exec labels:\n got %s\nwant %s", got, want)
	}

	withHostLSM(t, lsmNone)
	for _, tc := range []struct {
		mutate func(p *specs.Process)
		want   string
	}{
		{func(p *specs.Process) {}, "process.apparmorProfile: "}, // inherited, still refused
		{func(p *specs.Process) { p.ApparmorProfile = "x" }, "process.apparmorProfile: "},
		{func(p *specs.Process) { p.SelinuxLabel = "u:r:t:s0" }, "process.apparmorProfile: "},
	} {
		p := process()
		tc.mutate(p)
		if _, err := CompileExec(plan, p, pid, CompileOptions{}); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("CompileExec on a host without LSMs: %v, want %s...", err, tc.want)
		}
	}
	plan.Spec.Process.ApparmorProfile = ""
	p = process()
	p.SelinuxLabel = "u:r:t:s0"
	if _, err := CompileExec(plan, p, pid, CompileOptions{}); err == nil ||
		err.Error() != "process.selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported" {
		t.Errorf("CompileExec --process-label without selinux: %v", err)
	}
}

func TestInheritLabels(t *testing.T) {
	container := &specs.Process{ApparmorProfile: "c-aa", SelinuxLabel: "c-se"}
	for _, tc := range []struct{ aa, se, wantAA, wantSE string }{
		{"", "", "c-aa", "c-se"},
		{"own", "", "own", "c-se"},
		{"", "own", "c-aa", "own"},
		{"a", "b", "a", "b"},
	} {
		p := &specs.Process{ApparmorProfile: tc.aa, SelinuxLabel: tc.se}
		got := inheritLabels(p, container)
		if got.ApparmorProfile != tc.wantAA || got.SelinuxLabel != tc.wantSE {
			t.Errorf("inheritLabels(%q, %q) = %q, %q", tc.aa, tc.se, got.ApparmorProfile, got.SelinuxLabel)
		}
		if p.ApparmorProfile != tc.aa || p.SelinuxLabel != tc.se {
			t.Error("inheritLabels changed its argument")
		}
	}
	if got := inheritLabels(&specs.Process{}, nil); got.ApparmorProfile != "" {
		t.Error("no container process: nothing to inherit")
	}
}

func TestProbeLSMHostMatchesSysfs(t *testing.T) {
	h := probeLSMHost()
	data, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	want := err == nil && strings.HasPrefix(string(data), "Y")
	if h.AppArmor != want {
		t.Errorf("AppArmor = %v, sysfs says %v (%q)", h.AppArmor, want, data)
	}
	if h.AppArmorExecAttr != "attr/exec" && h.AppArmorExecAttr != "attr/apparmor/exec" {
		t.Errorf("AppArmorExecAttr = %q", h.AppArmorExecAttr)
	}
}

// An exec'd process without a label needs nothing of the host's LSMs, so
// the host is not probed; one with a label gets the probe, and its check.
func TestLSMForProbesOnlyForALabel(t *testing.T) {
	probes := 0
	saved := hostLSM
	hostLSM = func() lsmHost { probes++; return lsmAppArmor }
	t.Cleanup(func() { hostLSM = saved })

	if got := lsmFor(&specs.Process{Args: []string{"true"}}); got != (lsmHost{}) || probes != 0 {
		t.Errorf("no label: %+v after %d probes, want nothing probed", got, probes)
	}
	for _, p := range []*specs.Process{{ApparmorProfile: "p"}, {SelinuxLabel: "l"}} {
		probes = 0
		if got := lsmFor(p); got != lsmAppArmor || probes != 1 {
			t.Errorf("%+v: %+v after %d probes, want the host after one", p, got, probes)
		}
	}
	if err := checkProcessLSM(&specs.Process{ApparmorProfile: "p"}, lsmFor(&specs.Process{ApparmorProfile: "p"})); err != nil {
		t.Errorf("apparmor profile on an apparmor host: %v", err)
	}
	hostLSM = func() lsmHost { return lsmNone }
	if err := checkProcessLSM(&specs.Process{ApparmorProfile: "p"}, lsmFor(&specs.Process{ApparmorProfile: "p"})); err == nil {
		t.Error("apparmor profile on a host without apparmor: no error")
	}
}
