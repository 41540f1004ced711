package libcontainer

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hullrt/hull/cgroups"
)

// Stats reads the container's resource usage: its cgroups, plus the
// counters of every interface in its network namespace (runc reports only
// veth interfaces it configured itself, which OCI bundles never ask for;
// we report what the namespace holds, loopback included).
func (c *Container) Stats() (*cgroups.Stats, error) {
	if err := c.reload(); err != nil {
		return nil, err
	}
	if c.Status() == Stopped {
		return nil, c.stateError(ErrNotRunning)
	}
	s, err := cgroups.Load(c.rec.CgroupPaths).Stats()
	if err != nil {
		return nil, fmt.Errorf("read container stats: %w", err)
	}
	if c.ownsNamespace("network") {
		ifaces, err := readNetDev(c.rec.InitPid)
		if err != nil {
			return nil, fmt.Errorf("read container stats: %w", err)
		}
		// The init may have exited while we read: then the counters might
		// be another process's.
		if !processAlive(c.rec.InitPid, c.rec.InitStartTime) {
			return nil, c.stateError(ErrNotRunning)
		}
		s.NetworkInterfaces = ifaces
	}
	return s, nil
}

// NotifyOOM returns a channel that gets a value for each OOM kill in the
// container's memory cgroup and is closed when the cgroup is removed.
func (c *Container) NotifyOOM() (<-chan struct{}, error) {
	if err := c.reload(); err != nil {
		return nil, err
	}
	if c.Status() == Stopped {
		return nil, c.stateError(ErrNotRunning)
	}
	return cgroups.Load(c.rec.CgroupPaths).NotifyOOM()
}

// ownsNamespace says whether the container has a new namespace of type
// (not joined by path, which would be someone else's).
func (c *Container) ownsNamespace(typ string) bool {
	spec := c.Spec()
	if spec == nil || spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if string(ns.Type) == typ && ns.Path == "" {
			return true
		}
	}
	return false
}

// readNetDev reads /proc/PID/net/dev: the counters of the interfaces of
// pid's network namespace.
func readNetDev(pid int) ([]*cgroups.NetworkInterface, error) {
	f, err := openProc(strconv.Itoa(pid)+"/net/dev", 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return parseNetDev(string(data))
}

// parseNetDev parses net/dev: two header lines, then "name: " and 16
// counters, the receive eight then the transmit eight.
func parseNetDev(text string) ([]*cgroups.NetworkInterface, error) {
	var out []*cgroups.NetworkInterface
	for line := range strings.SplitSeq(text, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 16 {
			continue
		}
		var v [16]uint64
		for i := range v {
			n, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("parse net/dev line %q: %w", line, err)
			}
			v[i] = n
		}
		out = append(out, &cgroups.NetworkInterface{
			Name:    strings.TrimSpace(name),
			RxBytes: v[0], RxPackets: v[1], RxErrors: v[2], RxDropped: v[3],
			TxBytes: v[8], TxPackets: v[9], TxErrors: v[10], TxDropped: v[11],
		})
	}
	return out, nil
}
