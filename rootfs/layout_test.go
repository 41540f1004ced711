package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hullrt/hull/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func plan(t *testing.T, mutate func(*specs.Spec)) *specconv.Plan {
	t.Helper()
	bundle := t.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := specconv.Example(false)
	if mutate != nil {
		mutate(spec)
	}
	p, err := specconv.FromSpec(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeIsDir decides by name (".file" and /dev/* are files, ".missing" is
// missing, the rest are directories), so the
// tests do not depend on the host's files.
func fakeIsDir(p string) (bool, error) {
	switch {
	case strings.HasSuffix(p, ".missing"):
		return false, errors.New("stat " + p + ": no such file or directory")
	case strings.HasSuffix(p, ".file"), strings.HasPrefix(p, "/dev/"):
		return false, nil
	}
	return true, nil
}

// render prints actions one per line, for compact expectations.
func render(actions []Action) []string {
	var out []string
	for _, a := range actions {
		out = append(out, fmt.Sprintf("%T %+v", a, a))
	}
	return out
}

func find(actions []Action, substr string) []string {
	var out []string
	for _, line := range render(actions) {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

func TestDefaultDevFirstWhenConfigHasNone(t *testing.T) {
	p := plan(t, func(s *specs.Spec) { s.Mounts = append(s.Mounts[:1], s.Mounts[2:]...) })
	l, err := NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	first := render(l.Setup[:2])
	if !strings.Contains(first[0], "Mkdir {Path:/dev ") || !strings.Contains(first[1], "FsMount {FsType:tmpfs Source:tmpfs Dest:/dev ") {
		t.Fatalf("layout does not start with the default /dev:\n%s", strings.Join(first, "\n"))
	}
	fs := l.Setup[1].(FsMount)
	if fs.Attrs != unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_STRICTATIME || fs.Origin != "default /dev" {
		t.Errorf("default /dev mount = %+v", fs)
	}
	if got := len(find(l.Setup, "Mknod")); got != 6 {
		t.Errorf("%d device nodes, want the 6 defaults", got)
	}
}

func TestConfigDeviceReplacesDefault(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		mode := os.FileMode(0o600)
		uid := uint32(1000)
		s.Linux.Devices = []specs.LinuxDevice{
			{Path: "/dev/null", Type: "c", Major: 1, Minor: 3, FileMode: &mode, UID: &uid},
			{Path: "/dev/net/tun", Type: "c", Major: 10, Minor: 200},
			{Path: "/dev/loop0", Type: "b", Major: 7, Minor: 0},
		}
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	nulls := find(l.Setup, "Path:/dev/null ")
	if len(nulls) != 1 || !strings.Contains(nulls[0], fmt.Sprintf("Mode:%d ", unix.S_IFCHR|0o600)) ||
		!strings.Contains(nulls[0], "UID:1000") || !strings.Contains(nulls[0], "linux.devices[0]") {
		t.Errorf("/dev/null nodes: %q", nulls)
	}
	if got := find(l.Setup, "Mkdir {Path:/dev/net "); len(got) != 1 {
		t.Errorf("no parent directory for /dev/net/tun: %q", got)
	}
	if got := find(l.Setup, "/dev/loop0"); len(got) != 1 || !strings.Contains(got[0], fmt.Sprintf("Mode:%d ", unix.S_IFBLK|0o666)) {
		t.Errorf("/dev/loop0: %q", got)
	}
}

func TestUserNamespaceBindsDevices(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		withUserNamespace(s)
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(l.Setup, "Mknod"); len(got) != 0 {
		t.Errorf("mknod in a user namespace: %q", got)
	}
	want := []string{
		"rootfs.Mkfile {Path:/dev/zero Mode:438 Origin:default device (/dev/zero)}",
		"rootfs.BindMount {Source:/dev/zero Dest:/dev/zero Recursive:false AttrSet:0 AttrClr:0 ExplicitClr:0 RecAttrSet:0 RecAttrClr:0 Propagation:0 IDMap:<nil> Device:c 1:5 /dev/zero Origin:default device (/dev/zero)}",
	}
	if got := find(l.Setup, "/dev/zero"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The runtime inside someone's user namespace (rootless podman) may not
// mknod either, though the config has no user namespace: devices are bound.
func TestRuntimeInUserNSBindsDevices(t *testing.T) {
	p := plan(t, nil)
	l, err := NewLayout(p, Input{IsDir: fakeIsDir, RuntimeInUserNS: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(l.Setup, "Mknod"); len(got) != 0 {
		t.Errorf("mknod with the runtime in a user namespace: %q", got)
	}
	if got := find(l.Setup, "BindMount {Source:/dev/null Dest:/dev/null"); len(got) != 1 {
		t.Errorf("/dev/null is not bound: %q", render(l.Setup))
	}
	l, err = NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(l.Setup, "Mknod {Path:/dev/null"); len(got) != 1 {
		t.Errorf("without a user namespace /dev/null is not made with mknod: %q", render(l.Setup))
	}
}

func TestBoundDevHasNoDevices(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		s.Mounts[1] = specs.Mount{Destination: "/dev", Type: "bind", Source: "/dev", Options: []string{"rbind"}}
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(l.Setup, "default"); len(got) != 0 {
		t.Errorf("default /dev actions with /dev bound: %q", got)
	}
}

func TestBindOfFileMakesFile(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		s.Mounts = append(s.Mounts,
			specs.Mount{Destination: "/etc/hosts", Type: "bind", Source: "/x/hosts.file", Options: []string{"ro"}},
			specs.Mount{Destination: "/data", Source: "/srv/data", Options: []string{"rbind", "rslave"}})
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"rootfs.Mkdir {Path:/etc Mode:493 Origin:mounts[7] (/etc/hosts)}",
		"rootfs.Mkfile {Path:/etc/hosts Mode:420 Origin:mounts[7] (/etc/hosts)}",
		"rootfs.BindMount {Source:/x/hosts.file Dest:/etc/hosts Recursive:false AttrSet:1 AttrClr:2097166 ExplicitClr:0 RecAttrSet:0 RecAttrClr:0 Propagation:0 IDMap:<nil> Device:<nil> Origin:mounts[7] (/etc/hosts)}",
		"rootfs.Mkdir {Path:/data Mode:493 Origin:mounts[8] (/data)}",
		fmt.Sprintf("rootfs.BindMount {Source:/srv/data Dest:/data Recursive:true AttrSet:0 AttrClr:0 ExplicitClr:0 RecAttrSet:0 RecAttrClr:0 Propagation:%d IDMap:<nil> Device:<nil> Origin:mounts[8] (/data)}", unix.MS_SLAVE|unix.MS_REC),
	}
	got := append(find(l.Setup, "mounts[7]"), find(l.Setup, "mounts[8]")...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMountErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		mount specs.Mount
		want  string
	}{
		{specs.Mount{Destination: "/x", Type: "bind", Source: "/a.missing"},
			"mounts[7].source: stat /a.missing: no such file or directory"},
		{specs.Mount{Destination: "/proc/self", Type: "bind", Source: "/tmp"},
			`mounts[7].destination: "/proc/self" cannot be mounted because it is inside /proc`},
		{specs.Mount{Destination: "/proc", Type: "tmpfs", Source: "tmpfs"},
			`mounts[7].destination: "/proc" cannot be mounted because it is not of type proc`},
		{specs.Mount{Destination: "/proc", Type: "bind", Source: "/x/dir", Options: []string{"rbind"}},
			`mounts[7].destination: "/proc" cannot be mounted because it is not of type proc (source /x/dir is no procfs)`},
	} {
		p := plan(t, func(s *specs.Spec) { s.Mounts = append(s.Mounts, tc.mount) })
		_, err := NewLayout(p, Input{IsDir: fakeIsDir, IsProcfs: fakeIsProcfs})
		if err == nil || err.Error() != tc.want {
			t.Errorf("NewLayout error = %v\nwant %s", err, tc.want)
		}
	}
	// lxcfs-style files under /proc stay allowed.
	p := plan(t, func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/proc/meminfo", Type: "bind", Source: "/x/meminfo.file"})
	})
	if _, err := NewLayout(p, Input{IsDir: fakeIsDir}); err != nil {
		t.Errorf("bind onto /proc/meminfo: %v", err)
	}
	// A bind of a real procfs onto /proc is allowed, as runc does
	// (rootless in the host's pid namespace cannot mount its own).
	p = plan(t, func(s *specs.Spec) {
		for i, m := range s.Mounts {
			if m.Type == "proc" {
				s.Mounts[i] = specs.Mount{Destination: "/proc", Type: "none", Source: "/proc", Options: []string{"rbind", "nosuid"}}
			}
		}
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir, IsProcfs: fakeIsProcfs})
	if err != nil {
		t.Errorf("bind of a procfs onto /proc: %v", err)
	} else if len(l.Warnings) != 0 {
		t.Errorf("bind of a procfs's root onto /proc warns: %q", l.Warnings)
	}
	// Part of a procfs onto /proc: allowed with a warning, as runc.
	p = plan(t, func(s *specs.Spec) {
		for i, m := range s.Mounts {
			if m.Type == "proc" {
				s.Mounts[i] = specs.Mount{Destination: "/proc", Type: "bind", Source: "/proc/sys", Options: []string{"rbind"}}
			}
		}
	})
	l, err = NewLayout(p, Input{IsDir: fakeIsDir, IsProcfs: fakeIsProcfs})
	if err != nil {
		t.Errorf("bind of /proc/sys onto /proc: %v", err)
	} else if want := "bind-mount /proc (source /proc/sys) is of type procfs but is not the root of a procfs"; !slices.Contains(l.Warnings, want) {
		t.Errorf("warnings = %q, want %q", l.Warnings, want)
	}
}

// fakeIsProcfs says /proc and what is below it are on a procfs, /proc
// its root.
func fakeIsProcfs(p string) (procfs, root bool, err error) {
	return p == "/proc" || strings.HasPrefix(p, "/proc/"), p == "/proc", nil
}

// v1Views is a hybrid host's: cgroup2 at unified is not shown, as in runc.
var v1Views = []CgroupView{
	{Dir: "cpu,cpuacct", FsType: "cgroup", Options: "cpu,cpuacct", HostPath: "/sys/fs/cgroup/cpu,cpuacct/c1", Links: []string{"cpu", "cpuacct"}},
	{Dir: "systemd", FsType: "cgroup", Options: "none,name=systemd", HostPath: "/sys/fs/cgroup/systemd/c1"},
	{Dir: "unified", FsType: "cgroup2", HostPath: "/sys/fs/cgroup/unified/c1"},
}

func TestCgroupMountWithoutNamespaceBindsHostPaths(t *testing.T) {
	l, err := NewLayout(plan(t, nil), Input{IsDir: fakeIsDir, CgroupViews: v1Views})
	if err != nil {
		t.Fatal(err)
	}
	ro := fmt.Sprint(unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC)
	want := []string{
		"rootfs.Mkdir {Path:/sys/fs/cgroup Mode:493 Origin:mounts[6] (/sys/fs/cgroup)}",
		"rootfs.FsMount {FsType:tmpfs Source:tmpfs Dest:/sys/fs/cgroup Attrs:14 Propagation:0 Data:[{Key:mode Value:755}] LegacyFlags:0 CopyUp:false ModeOfCovered:false Origin:mounts[6] (/sys/fs/cgroup)}",
		"rootfs.Mkdir {Path:/sys/fs/cgroup/cpu,cpuacct Mode:493 Origin:mounts[6] (/sys/fs/cgroup)}",
		"rootfs.BindMount {Source:/sys/fs/cgroup/cpu,cpuacct/c1 Dest:/sys/fs/cgroup/cpu,cpuacct Recursive:false AttrSet:" + ro + " AttrClr:2097392 ExplicitClr:0 RecAttrSet:0 RecAttrClr:0 Propagation:0 IDMap:<nil> Device:<nil> Origin:mounts[6] (/sys/fs/cgroup)}",
		"rootfs.Symlink {Target:cpu,cpuacct Link:/sys/fs/cgroup/cpu Origin:mounts[6] (/sys/fs/cgroup)}",
		"rootfs.Symlink {Target:cpu,cpuacct Link:/sys/fs/cgroup/cpuacct Origin:mounts[6] (/sys/fs/cgroup)}",
		"rootfs.Mkdir {Path:/sys/fs/cgroup/systemd Mode:493 Origin:mounts[6] (/sys/fs/cgroup)}",
		"rootfs.BindMount {Source:/sys/fs/cgroup/systemd/c1 Dest:/sys/fs/cgroup/systemd Recursive:false AttrSet:" + ro + " AttrClr:2097392 ExplicitClr:0 RecAttrSet:0 RecAttrClr:0 Propagation:0 IDMap:<nil> Device:<nil> Origin:mounts[6] (/sys/fs/cgroup)}",
	}
	got := find(l.Setup, "mounts[6]")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if after := find(l.AfterPivot, "RemountRo {Path:/sys/fs/cgroup "); len(after) != 0 {
		t.Errorf("the cgroup tmpfs is made read-only after pivot (runc's stays writable): %q", render(l.AfterPivot))
	}
}

func TestCgroupMountWithNamespaceMountsFresh(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "cgroup"})
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir, CgroupViews: v1Views})
	if err != nil {
		t.Fatal(err)
	}
	got := find(l.Setup, "FsType:cgroup ")
	if len(got) != 2 || !strings.Contains(got[1], "Data:[{Key:none Value:} {Key:name Value:systemd}]") ||
		!strings.Contains(got[0], "Source:cgroup ") || !strings.Contains(got[1], "Source:systemd ") {
		t.Errorf("cgroup mounts (runc's sources: cgroup, and systemd for name=systemd): %q", got)
	}
	if v2 := find(l.Setup, "FsType:cgroup2"); len(v2) != 0 {
		t.Errorf("cgroup2 mounted on a hybrid host: %q", v2)
	}
}

func TestCgroupV2IsTheMountItself(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "cgroup"})
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir, CgroupViews: []CgroupView{{FsType: "cgroup2"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := find(l.Setup, "mounts[6]")
	if len(got) != 2 || !strings.Contains(got[1], "FsType:cgroup2 Source:cgroup2 Dest:/sys/fs/cgroup Attrs:15") {
		t.Errorf("cgroup2 mount: %q", got)
	}
	if after := find(l.AfterPivot, "/sys/fs/cgroup"); len(after) != 0 {
		t.Errorf("extra read-only remount of a cgroup2 mount: %q", after)
	}
}

func TestAfterPivotOrder(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		s.Linux.RootfsPropagation = "shared"
		s.Linux.MaskedPaths = []string{"/proc/kcore"}
		s.Linux.ReadonlyPaths = []string{"/proc/sys"}
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	if l.RootPropagation.Flags != unix.MS_SHARED {
		t.Errorf("root propagation before pivot = %#x, want MS_SHARED", l.RootPropagation.Flags)
	}
	want := []string{
		fmt.Sprintf("rootfs.Propagation {Path:/ Flags:%d Origin:linux.rootfsPropagation}", unix.MS_SHARED),
		"rootfs.Readonly {Path:/proc/sys Origin:linux.readonlyPaths[0] (/proc/sys)}",
		"rootfs.Mask {Path:/proc/kcore Origin:linux.maskedPaths[0] (/proc/kcore)}",
		"rootfs.RemountRo {Path:/ Origin:root.readonly}",
	}
	if got := render(l.AfterPivot); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	def, err := NewLayout(plan(t, nil), Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	if def.RootPropagation.Flags != unix.MS_SLAVE|unix.MS_REC {
		t.Errorf("default root propagation = %#x, want MS_SLAVE|MS_REC", def.RootPropagation.Flags)
	}
}

func TestUserNamespaceWithoutNetnsBindsSys(t *testing.T) {
	p := plan(t, func(s *specs.Spec) {
		s.Linux.Namespaces = slicesWithout(s.Linux.Namespaces, "network", "ipc")
		withUserNamespace(s)
	})
	l, err := NewLayout(p, Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"rootfs.Mkdir {Path:/dev/mqueue Mode:493 Origin:mounts[4] (/dev/mqueue) bound from the host}",
		"rootfs.BindMount {Source:/dev/mqueue Dest:/dev/mqueue Recursive:true AttrSet:14 AttrClr:0 ExplicitClr:0 RecAttrSet:0 RecAttrClr:0 Propagation:0 IDMap:<nil> Device:<nil> Origin:mounts[4] (/dev/mqueue) bound from the host}",
		"rootfs.Mkdir {Path:/sys Mode:493 Origin:mounts[5] (/sys) bound from the host}",
		"rootfs.BindMount {Source:/sys Dest:/sys Recursive:true AttrSet:15 AttrClr:0 ExplicitClr:0 RecAttrSet:0 RecAttrClr:0 Propagation:0 IDMap:<nil> Device:<nil> Origin:mounts[5] (/sys) bound from the host}",
	}
	if got := find(l.Setup, "bound from the host}"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// With their own namespaces, both are mounted fresh.
	l, err = NewLayout(plan(t, func(s *specs.Spec) {
		withUserNamespace(s)
	}), Input{IsDir: fakeIsDir})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(l.Setup, "bound from the host"); len(got) != 0 {
		t.Errorf("host binds despite own namespaces: %q", got)
	}
}

// withUserNamespace gives a spec a new user namespace mapping 65536 ids.
func withUserNamespace(s *specs.Spec) {
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
	s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
}

func slicesWithout(nss []specs.LinuxNamespace, types ...specs.LinuxNamespaceType) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, ns := range nss {
		keep := true
		for _, t := range types {
			keep = keep && ns.Type != t
		}
		if keep {
			out = append(out, ns)
		}
	}
	return out
}

func TestParentMountMadePrivateUnlessPropagationUnshares(t *testing.T) {
	for _, tc := range []struct {
		propagation string
		want        bool
	}{
		{"", false}, {"rslave", false}, {"rprivate", false}, {"runbindable", false},
		{"slave", true}, {"private", true}, {"shared", true}, {"rshared", true}, {"unbindable", true},
	} {
		p := plan(t, func(s *specs.Spec) { s.Linux.RootfsPropagation = tc.propagation })
		l, err := NewLayout(p, Input{IsDir: fakeIsDir, MountPointOf: func(string) (string, error) { return "/srv", nil }})
		if err != nil {
			t.Fatal(err)
		}
		got := l.ParentPrivate != nil
		if got != tc.want {
			t.Errorf("rootfsPropagation %q: parent made private = %v, want %v", tc.propagation, got, tc.want)
		}
		want := uint64(unix.MS_PRIVATE)
		if tc.propagation == "slave" {
			want = unix.MS_SLAVE // runc: the parent of a slave root is a slave, not private
		}
		if got && (l.ParentPrivate.Path != "/srv" || l.ParentPrivate.Flags != want) {
			t.Errorf("rootfsPropagation %q: %+v", tc.propagation, *l.ParentPrivate)
		}
	}
	p := plan(t, func(s *specs.Spec) { s.Linux.RootfsPropagation = "shared" })
	_, err := NewLayout(p, Input{IsDir: fakeIsDir, MountPointOf: func(string) (string, error) { return "", errors.New("no mount table") }})
	if want := "root.path: find the mount holding the rootfs: no mount table"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}
