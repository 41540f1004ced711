package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestDefaultDevicesArePresent(t *testing.T) {
	// stat prints each node's type and major,minor in hex.
	out := outputOf(t, "cd /dev && stat -c '%n %F %t,%T' null zero full random urandom tty", nil)
	want := []string{
		"null character special file 1,3",
		"zero character special file 1,5",
		"full character special file 1,7",
		"random character special file 1,8",
		"urandom character special file 1,9",
		"tty character special file 5,0",
	}
	if got := strings.Split(out, "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("default devices:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
}

func TestDefaultDeviceLinks(t *testing.T) {
	out := outputOf(t, "for l in ptmx fd stdin stdout stderr; do echo $l $(readlink /dev/$l); done", nil)
	want := "ptmx pts/ptmx\nfd /proc/self/fd\nstdin /proc/self/fd/0\nstdout /proc/self/fd/1\nstderr /proc/self/fd/2"
	if out != want {
		t.Errorf("/dev links:\n%s\nwant:\n%s", out, want)
	}
}

func TestDevicesWork(t *testing.T) {
	out := outputOf(t, "echo gone > /dev/null && head -c 4 /dev/zero | wc -c && head -c 16 /dev/urandom | wc -c", nil)
	if out != "4\n16" {
		t.Errorf("reading /dev/zero and /dev/urandom: %q, want 4 and 16 bytes", out)
	}
}

func TestHostDevicesAreAbsent(t *testing.T) {
	var hostDisks []string
	for _, d := range []string{"/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/xvda", "/dev/kmsg", "/dev/mem"} {
		if fileExists(d) {
			hostDisks = append(hostDisks, d)
		}
	}
	if len(hostDisks) == 0 {
		t.Fatal("the host has none of the devices this test looks for")
	}
	script := ""
	for _, d := range hostDisks {
		script += "test -e " + d + " && echo present: " + d + "; "
	}
	if out := outputOf(t, script+"true", nil); out != "" {
		t.Errorf("host devices visible in the container:\n%s", out)
	}
}

// The default device rules let the container open /dev/net/tun (c 10:200)
// once it makes the node, as runc's do: tools that cannot add device
// rules rely on it. /dev/mem (c 1:1), not in the defaults, stays closed.
func TestDefaultRulesAllowTun(t *testing.T) {
	if !fileExists("/dev/net/tun") {
		t.Fatal("the host has no /dev/net/tun (tun module)")
	}
	script := `mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && mknod /dev/mymem c 1 1 &&
		{ (exec 3<>/dev/net/tun) && echo tun opened; } && { (exec 4</dev/mymem) 2>/dev/null || echo mem refused; }`
	out := outputOf(t, script, func(s *specs.Spec) {
		for _, set := range []*[]string{&s.Process.Capabilities.Bounding, &s.Process.Capabilities.Effective, &s.Process.Capabilities.Permitted} {
			*set = append(*set, "CAP_MKNOD")
		}
	})
	if out != "tun opened\nmem refused" {
		t.Errorf("opening /dev/net/tun and /dev/mem made in the container: %q, want tun opened and mem refused", out)
	}
}
