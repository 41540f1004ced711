package libcontainer

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// formatIDMap renders mappings in the format of /proc/PID/uid_map.
func formatIDMap(m []specs.LinuxIDMapping) []byte {
	var sb strings.Builder
	for _, e := range m {
		fmt.Fprintf(&sb, "%d %d %d\n", e.ContainerID, e.HostID, e.Size)
	}
	return []byte(sb.String())
}

// writeIDMaps writes the uid and gid maps of pid (the executor, just after
// its unshare(CLONE_NEWUSER)). An unprivileged writer must deny setgroups
// before it may write gid_map.
func writeIDMaps(pid int, linux *specs.Linux, rootless bool) error {
	if linux == nil {
		return nil
	}
	dir := strconv.Itoa(pid) + "/"
	if len(linux.UIDMappings) > 0 {
		if err := writeProc(dir+"uid_map", formatIDMap(linux.UIDMappings)); err != nil {
			return fmt.Errorf("linux.uidMappings: %w", err)
		}
	}
	if rootless {
		if err := writeProc(dir+"setgroups", []byte("deny")); err != nil {
			return fmt.Errorf("deny setgroups: %w", err)
		}
	}
	if len(linux.GIDMappings) > 0 {
		if err := writeProc(dir+"gid_map", formatIDMap(linux.GIDMappings)); err != nil {
			return fmt.Errorf("linux.gidMappings: %w", err)
		}
	}
	return nil
}
