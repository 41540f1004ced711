package libcontainer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// formatIDMap renders mappings in the format of /proc/PID/uid_map.
func formatIDMap(m []specs.LinuxIDMapping) []byte {
	var sb strings.Builder
	for _, e := range m {
		fmt.Fprintf(&sb, "%d %d %d\n", e.ContainerID, e.HostID, e.Size)
	}
	return []byte(sb.String())
}

// idMapArgs renders mappings as the arguments of newuidmap/newgidmap
// after the pid: "container host size" triples.
func idMapArgs(m []specs.LinuxIDMapping) []string {
	args := make([]string, 0, 3*len(m))
	for _, e := range m {
		args = append(args, strconv.FormatUint(uint64(e.ContainerID), 10),
			strconv.FormatUint(uint64(e.HostID), 10), strconv.FormatUint(uint64(e.Size), 10))
	}
	return args
}

// mapsOwnGIDOnly says whether gid mappings map root to the caller's own
// gid and nothing else: the one gid map an unprivileged process may write
// itself, and only after denying setgroups.
func mapsOwnGIDOnly(m []specs.LinuxIDMapping, egid int) bool {
	return len(m) == 1 && m[0].ContainerID == 0 && int64(m[0].HostID) == int64(egid) && m[0].Size == 1
}

// writeIDMaps writes the uid and gid maps of pid (the executor, just after
// its unshare(CLONE_NEWUSER)), as runc does. A privileged runtime writes
// them itself. An unprivileged one (rootlessEUID) denies setgroups when
// the gid mapping is its own gid alone (the kernel requires it before an
// unprivileged gid_map write); when the kernel refuses a map (EPERM: it
// maps ids besides the caller's own, such as a subuid range), the
// setuid helpers newuidmap and newgidmap found on PATH write it, checking
// the ranges /etc/subuid and /etc/subgid grant.
func writeIDMaps(pid int, linux *specs.Linux, rootlessEUID bool) error {
	if linux == nil {
		return nil
	}
	dir := strconv.Itoa(pid) + "/"
	if rootlessEUID && len(linux.GIDMappings) > 0 && mapsOwnGIDOnly(linux.GIDMappings, os.Getegid()) {
		if err := writeProc(dir+"setgroups", []byte("deny")); err != nil {
			return fmt.Errorf("deny setgroups: %w", err)
		}
	}
	if err := writeIDMap(pid, "uid_map", "newuidmap", linux.UIDMappings, rootlessEUID); err != nil {
		return fmt.Errorf("linux.uidMappings: %w", err)
	}
	if err := writeIDMap(pid, "gid_map", "newgidmap", linux.GIDMappings, rootlessEUID); err != nil {
		return fmt.Errorf("linux.gidMappings: %w", err)
	}
	return nil
}

// writeIDMap writes one map of pid, through helper when the kernel refuses
// an unprivileged caller.
func writeIDMap(pid int, file, helper string, m []specs.LinuxIDMapping, rootlessEUID bool) error {
	if len(m) == 0 {
		return nil
	}
	err := writeProc(strconv.Itoa(pid)+"/"+file, formatIDMap(m))
	if err == nil || !rootlessEUID || !errors.Is(err, unix.EPERM) {
		return err
	}
	path, lookErr := exec.LookPath(helper)
	if lookErr != nil {
		return fmt.Errorf("%w (mapping more than the caller's own id needs %s, which was not found in $PATH)", err, helper)
	}
	return runIDMapHelper(path, pid, m)
}

// runIDMapHelper runs newuidmap or newgidmap for pid with an empty
// environment, as runc does.
func runIDMapHelper(path string, pid int, m []specs.LinuxIDMapping) error {
	cmd := exec.Command(path, append([]string{strconv.Itoa(pid)}, idMapArgs(m)...)...)
	cmd.Env = []string{}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if msg != "" {
			return fmt.Errorf("run %s: %w: %s", path, err, msg)
		}
		return fmt.Errorf("run %s: %w", path, err)
	}
	return nil
}
