package integration

import (
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A namespaced sysctl and the OOM score adjustment are applied to the
// container only.
func TestSysctlAndOOMScoreAdj(t *testing.T) {
	hostForward := readFile(t, "/proc/sys/net/ipv4/ip_forward")
	out := outputOf(t, "cat /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj", func(s *specs.Spec) {
		s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		score := 512
		s.Process.OOMScoreAdj = &score
	})
	if want := "1\n512"; out != want {
		t.Errorf("ip_forward, oom_score_adj: %q, want %q", out, want)
	}
	if now := readFile(t, "/proc/sys/net/ipv4/ip_forward"); now != hostForward {
		t.Errorf("the host's ip_forward changed from %q to %q", hostForward, now)
	}
}

func TestDomainname(t *testing.T) {
	hostDomain := readFile(t, "/proc/sys/kernel/domainname")
	out := outputOf(t, "cat /proc/sys/kernel/domainname", func(s *specs.Spec) { s.Domainname = "it-domain" })
	if out != "it-domain" {
		t.Errorf("domainname %q, want it-domain", out)
	}
	if now := readFile(t, "/proc/sys/kernel/domainname"); now != hostDomain {
		t.Errorf("the host's domainname changed from %q to %q", hostDomain, now)
	}
}

func TestConfiguredDeviceIsCreated(t *testing.T) {
	mode := os.FileMode(0o644)
	uid, gid := uint32(1234), uint32(2345)
	out := outputOf(t, "stat -c '%F %t,%T %a %u:%g' /dev/it-zero; head -c 3 /dev/it-zero | wc -c", func(s *specs.Spec) {
		s.Linux.Devices = append(s.Linux.Devices, specs.LinuxDevice{
			Path: "/dev/it-zero", Type: "c", Major: 1, Minor: 5, FileMode: &mode, UID: &uid, GID: &gid,
		})
		s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{
			Allow: true, Type: "c", Major: int64Ptr(1), Minor: int64Ptr(5), Access: "rwm",
		})
	})
	if want := "character special file 1,5 644 1234:2345\n3"; out != want {
		t.Errorf("/dev/it-zero: %q, want %q", out, want)
	}
}

func int64Ptr(v int64) *int64 { return &v }
