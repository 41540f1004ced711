package cgroups

import (
	"reflect"
	"testing"
)

const procCgroups = `#subsys_name	hierarchy	num_cgroups	enabled
cpuset	3	1	1
cpu	1	1	1
cpuacct	1	1	1
memory	4	16	1
pids	8	1	1
hugetlb	0	1	1
`

func TestHierarchiesHybridCombined(t *testing.T) {
	mountinfo := `22 1 0:21 / /sys rw - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
35 30 0:31 / /mnt/memory-again rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
`
	self := "3:cpu,cpuacct:/a\n4:memory:/b\n9:name=systemd:/c\n0::/d\n"
	hs, pureV2, err := hierarchiesFrom([]byte(mountinfo), []byte(procCgroups), []byte(self))
	if err != nil || pureV2 {
		t.Fatalf("err %v pureV2 %v", err, pureV2)
	}
	type row struct {
		key, own string
		ctrls    []string
		v2       bool
	}
	var got []row
	for _, h := range hs {
		got = append(got, row{h.key, h.own, h.controllers, h.v2})
	}
	want := []row{
		{"cpu,cpuacct", "/a", []string{"cpu", "cpuacct"}, false},
		{"memory", "/b", []string{"memory"}, false},
		{"systemd", "/c", []string{"name=systemd"}, false},
		{"unified", "/d", nil, true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}

	m := &manager{}
	for _, h := range hs {
		m.cgroups = append(m.cgroups, &cgroup{hierarchy: h, dir: cgroupDir{root: h.mountpoint, rel: "x"}})
	}
	mounts := m.Mounts()
	wantMounts := []Mount{
		{Dir: "cpu,cpuacct", FsType: "cgroup", Options: "cpu,cpuacct", HostPath: "/sys/fs/cgroup/cpu,cpuacct/x", Links: []string{"cpu", "cpuacct"}},
		{Dir: "memory", FsType: "cgroup", Options: "memory", HostPath: "/sys/fs/cgroup/memory/x"},
		{Dir: "systemd", FsType: "cgroup", Options: "name=systemd", HostPath: "/sys/fs/cgroup/systemd/x"},
		{Dir: "unified", FsType: "cgroup2", Options: "", HostPath: "/sys/fs/cgroup/unified/x"},
	}
	if !reflect.DeepEqual(mounts, wantMounts) {
		t.Fatalf("Mounts() = %+v\nwant %+v", mounts, wantMounts)
	}
	paths := m.Paths()
	if paths["cpu,cpuacct"] != "/sys/fs/cgroup/cpu,cpuacct/x" || paths["unified"] != "/sys/fs/cgroup/unified/x" || len(paths) != 4 {
		t.Fatalf("Paths() = %v", paths)
	}
}

func TestHierarchiesPureV2(t *testing.T) {
	mountinfo := `30 22 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate
31 22 0:28 / /opt/old-v1 rw - cgroup cgroup rw,memory
`
	hs, pureV2, err := hierarchiesFrom([]byte(mountinfo), []byte(procCgroups), []byte("0::/init.scope\n"))
	if err != nil || !pureV2 || len(hs) != 1 {
		t.Fatalf("got %d hierarchies, pureV2 %v, err %v", len(hs), pureV2, err)
	}
	if h := hs[0]; h.key != "" || !h.v2 || h.own != "/init.scope" || h.mountpoint != "/sys/fs/cgroup" {
		t.Fatalf("got %+v", *h)
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	if got := unescapeMountinfo(`/mnt/a\040b`); got != "/mnt/a b" {
		t.Fatalf("got %q", got)
	}
}

func TestHierarchiesPreferSysFsCgroup(t *testing.T) {
	mountinfo := `35 30 0:31 / /mnt/pids rw - cgroup cgroup rw,pids
36 30 0:31 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
37 30 0:31 / /sys/fs/cgroup/pids-again rw - cgroup cgroup rw,pids
`
	hs, _, err := hierarchiesFrom([]byte(mountinfo), []byte(procCgroups), []byte("8:pids:/x\n"))
	if err != nil || len(hs) != 1 {
		t.Fatalf("got %d hierarchies, err %v; want one", len(hs), err)
	}
	if h := hs[0]; h.mountpoint != "/sys/fs/cgroup/pids" || h.own != "/x" {
		t.Fatalf("got %+v, want /sys/fs/cgroup/pids with own cgroup /x", *h)
	}
}
