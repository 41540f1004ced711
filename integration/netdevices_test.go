package integration

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// vethPair makes a veth pair on the host (the machine may have no dummy
// driver) and removes whatever is left of it when the test ends.
func vethPair(t *testing.T) (end, peer string) {
	t.Helper()
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	end, peer = "hullv"+hex.EncodeToString(b), "hullp"+hex.EncodeToString(b)
	if out, err := exec.Command("ip", "link", "add", end, "type", "veth", "peer", "name", peer).CombinedOutput(); err != nil {
		t.Skipf("skipping: cannot make a veth pair: %v: %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", end).Run()
		exec.Command("ip", "link", "del", peer).Run()
	})
	return end, peer
}

func hostHasLink(name string) bool {
	return exec.Command("ip", "link", "show", "dev", name).Run() == nil
}

// A host device in linux.netDevices appears inside under its new name,
// up, with its permanent global address and without its link-local one;
// it is gone from the host. When the container goes, the kernel destroys
// the veth (both ends), as with runc.
func TestNetDevicesMovedIn(t *testing.T) {
	end, peer := vethPair(t)
	for _, args := range [][]string{
		{"addr", "add", "192.0.2.7/24", "dev", end},
		{"addr", "add", "fe80::7/64", "dev", end, "scope", "link"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.NetDevices = map[string]specs.LinuxNetDevice{end: {Name: "ctr0"}}
	})
	out := mustSucceed(t, c.exec(nil, "ip", "-o", "addr", "show", "dev", "ctr0")).stdout
	if !strings.Contains(out, "inet 192.0.2.7/24") || strings.Contains(out, "fe80::7") {
		t.Errorf("ctr0 inside should keep 192.0.2.7/24 and drop the link-local fe80::7:\n%s", out)
	}
	link := mustSucceed(t, c.exec(nil, "ip", "-o", "link", "show", "dev", "ctr0")).stdout
	if !strings.Contains(link, ",UP") {
		t.Errorf("ctr0 is not up inside:\n%s", link)
	}
	if hostHasLink(end) {
		t.Errorf("%s is still on the host", end)
	}
	if !hostHasLink(peer) {
		t.Errorf("the peer %s left the host", peer)
	}
	mustSucceed(t, c.kill("KILL"))
	c.waitStatus(specs.StateStopped)
	mustSucceed(t, c.delete())
	waitFor(t, "the veth to be destroyed with the container's network namespace", func() bool {
		return !hostHasLink(end) && !hostHasLink(peer)
	})
}

// A device with more addresses than one netlink datagram holds keeps them
// all: the address dump spans several reads (on 6.1 kernels even two
// addresses do, one datagram per address family), and each read must not
// overwrite the addresses of the one before.
func TestNetDevicesManyAddresses(t *testing.T) {
	end, _ := vethPair(t)
	const count = 1000 // ~76 KB of RTM_NEWADDR, over the 64 KB read buffer
	var batch strings.Builder
	for i := range count {
		fmt.Fprintf(&batch, "addr add 10.%d.%d.1/24 dev %s\n", 100+i/256, i%256, end)
	}
	cmd := exec.Command("ip", "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip -batch: %v: %s", err, out)
	}
	out := outputOf(t, "ip -o -4 addr show dev ctr0 | wc -l; ip -o -4 addr show dev ctr0 | grep -c 'inet 10.103.231.1/24'", func(s *specs.Spec) {
		s.Linux.NetDevices = map[string]specs.LinuxNetDevice{end: {Name: "ctr0"}}
	})
	if got, want := strings.Fields(out), []string{strconv.Itoa(count), "1"}; !slices.Equal(got, want) {
		t.Errorf("ctr0 inside: %q (its IPv4 addresses, then how often the last one shows), want %q", got, want)
	}
}

// Without a name the device keeps its host name inside.
func TestNetDevicesKeepName(t *testing.T) {
	end, _ := vethPair(t)
	out := outputOf(t, "cat /sys/class/net/"+end+"/operstate; ls /sys/class/net | sort | tr '\\n' ' '", func(s *specs.Spec) {
		s.Linux.NetDevices = map[string]specs.LinuxNetDevice{end: {}}
	})
	if !strings.Contains(out, end) || !strings.Contains(out, "lo") {
		t.Errorf("devices inside %q, want lo and %s", out, end)
	}
}

// A device that is not on the host fails create with an error naming the
// field, and leaves nothing behind.
func TestNetDevicesMissingDevice(t *testing.T) {
	createFails(t, specWith(t, func(s *specs.Spec) {
		s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"hullnonexist0": {}}
	}), nil, "netDevices", "hullnonexist0")
}
