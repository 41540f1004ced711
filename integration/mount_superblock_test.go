package integration

import (
	"strings"
	"testing"
)

// As runc mounts them: the template's read-only sysfs is read-only at the
// superblock too, and a masked directory is covered by a tmpfs read-only
// at the superblock, of 4k and a single inode.
func TestSysfsAndMaskedDirectoriesAsRunc(t *testing.T) {
	out := outputOf(t, `grep -E ' /sys | /sys/firmware ' /proc/self/mountinfo`, nil)
	var sysfs, masked string
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		_, super, _ := strings.Cut(line, " - ")
		switch fields[4] {
		case "/sys":
			sysfs = super
		case "/sys/firmware":
			masked = super
		}
	}
	if sysfs != "sysfs sysfs ro" {
		t.Errorf("/sys superblock: %q, want \"sysfs sysfs ro\"\n%s", sysfs, out)
	}
	if !strings.HasPrefix(masked, "tmpfs tmpfs ro,") || !strings.Contains(masked, "size=4k") || !strings.Contains(masked, "nr_inodes=1") {
		t.Errorf("masked /sys/firmware superblock: %q, want tmpfs ro, size=4k, nr_inodes=1\n%s", masked, out)
	}
}
