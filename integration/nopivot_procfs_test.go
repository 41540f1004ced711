package integration

import (
	"strings"
	"testing"
)

// With --no-pivot the host's old root stays in the container's mount
// namespace. A process that gains a user namespace (CAP_SETFCAP lets
// unshare -r write its uid map) must still not mount a fresh, unmasked
// procfs or sysfs: runc hides the host's full procfs and sysfs mounts, so
// the kernel refuses (mount_too_revealing) with EPERM.
func TestNoPivotHidesTheHostProcfs(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(`
		unshare -mrpf sh -c 'mount -t proc none /proc && echo PROC-MOUNTED'; echo proc=$?
		unshare -mrf sh -c 'mount -t sysfs none /sys && echo SYSFS-MOUNTED'; echo sysfs=$?
		unshare -mrpf true && echo unshare-works`)...)
	caps := spec.Process.Capabilities
	for _, set := range []*[]string{&caps.Bounding, &caps.Effective, &caps.Permitted} {
		*set = append(*set, "CAP_SETFCAP", "CAP_SYS_ADMIN")
	}
	c := newContainer(t, rt, spec)
	res := mustSucceed(t, rt.run("run", "--no-pivot", "--bundle", c.bundle, c.id))
	if !strings.Contains(res.stdout, "unshare-works") {
		t.Fatalf("unshare -mrpf does not work in the container, the test proves nothing: %v", res)
	}
	if strings.Contains(res.stdout, "MOUNTED") {
		t.Errorf("a nested user namespace mounted a fresh procfs or sysfs under --no-pivot: %v", res)
	}
	if !strings.Contains(res.stderr+res.stdout, "permission denied") {
		t.Errorf("the mounts did not fail with permission denied: %v", res)
	}
	// The host's own mounts are untouched.
	if !fileExists("/proc/self/status") || !fileExists("/sys/kernel") {
		t.Errorf("the host's /proc or /sys is gone")
	}
}
