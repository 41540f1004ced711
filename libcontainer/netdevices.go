package libcontainer

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/rtnl"
)

// moveNetDevices moves each of linux.netDevices from the runtime's
// network namespace into that of pid (the executor, waiting in its
// OpHostStep), as runtime-spec 1.3 and runc do: down, renamed and moved
// in one request, its permanent global addresses added again (the move
// drops them), up. Nothing moves them back: when the namespace goes, the
// kernel returns physical devices to the host and destroys virtual ones
// (the spec forbids the runtime to interfere). A failure leaves the
// devices already moved to that same fate.
func moveNetDevices(devs map[string]specs.LinuxNetDevice, pid int) error {
	nsPath := "/proc/" + strconv.Itoa(pid) + "/ns/net"
	ns, err := os.Open(nsPath)
	if err != nil {
		return fmt.Errorf("linux.netDevices: open the container's network namespace: %w", err)
	}
	defer ns.Close()
	host, err := rtnl.Dial()
	if err != nil {
		return fmt.Errorf("linux.netDevices: %w", err)
	}
	defer host.Close()
	inside, err := rtnl.DialIn(ns)
	if err != nil {
		return fmt.Errorf("linux.netDevices: %w", err)
	}
	defer inside.Close()
	names := make([]string, 0, len(devs))
	for name := range devs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		newName := devs[name].Name
		if newName == "" {
			newName = name
		}
		if err := moveNetDevice(host, inside, name, newName, int(ns.Fd())); err != nil {
			return fmt.Errorf("linux.netDevices[%q]: %w", name, err)
		}
		logrus.Debugf("moved network device %s into %s as %s", name, nsPath, newName)
	}
	return nil
}

func moveNetDevice(host, inside *rtnl.Conn, name, newName string, nsFd int) error {
	link, err := host.LinkByName(name)
	if err != nil {
		return fmt.Errorf("find device %s in the runtime's network namespace: %w", name, err)
	}
	if err := host.SetUp(link.Index, false); err != nil {
		return fmt.Errorf("set %s down: %w", name, err)
	}
	addrs, err := host.Addrs(link.Index)
	if err != nil {
		return fmt.Errorf("list addresses of %s: %w", name, err)
	}
	if err := host.MoveTo(link.Index, newName, nsFd); err != nil {
		return fmt.Errorf("move %s into the container's network namespace as %s: %w", name, newName, err)
	}
	// A "%d" template is numbered by the kernel: find the device by its
	// index, which the move keeps unless the namespace already uses it.
	moved, err := inside.LinkByIndex(link.Index)
	if !strings.Contains(newName, "%d") {
		moved, err = inside.LinkByName(newName)
	}
	if err != nil {
		return fmt.Errorf("find %s in the container's network namespace: %w", newName, err)
	}
	for _, a := range addrs {
		// Only what the user configured for the wider network (RFC 3549
		// 2.3.3.2): permanent addresses of global scope.
		if a.Flags&unix.IFA_F_PERMANENT == 0 || a.Scope != unix.RT_SCOPE_UNIVERSE {
			continue
		}
		if err := inside.AddAddr(moved.Index, a); err != nil {
			return fmt.Errorf("add address %s/%d to %s: %w", a.Local, a.PrefixLen, moved.Name, err)
		}
	}
	if err := inside.SetUp(moved.Index, true); err != nil {
		return fmt.Errorf("set %s up: %w", moved.Name, err)
	}
	return nil
}
