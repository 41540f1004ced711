package cgroups

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
)

// cgroupRoot is where distributions mount cgroup hierarchies; a cgroup2
// mount exactly here means a pure v2 host.
const cgroupRoot = "/sys/fs/cgroup"

// hierarchy is one mounted cgroup hierarchy of the host.
type hierarchy struct {
	// key names the hierarchy in Paths(): the base name of its mount point
	// ("memory", "cpu,cpuacct", "systemd", "unified"), or "" for the cgroup2
	// of a pure v2 host.
	key         string
	mountpoint  string
	mountRoot   string   // the cgroup mounted at mountpoint ("/" unless a namespace hides the rest)
	controllers []string // v1 only: "cpu", "cpuacct", "name=systemd"
	v2          bool
	own         string // the calling process's cgroup in this hierarchy (/proc/self/cgroup)
}

func (h *hierarchy) has(controller string) bool { return slices.Contains(h.controllers, controller) }

// options is what a fresh mount of this hierarchy passes as data.
func (h *hierarchy) options() string { return strings.Join(h.controllers, ",") }

type mountEntry struct {
	mountpoint, root, fstype, superOpts string
}

// parseMountinfo returns the cgroup and cgroup2 mounts of a mountinfo file.
// Every create, delete and kill parses it; it walks the data in place
// (bufio.Scanner's 64 KiB buffer was a quarter of a `run`'s heap, and each
// fresh heap page is a page fault) and splits only the cgroup lines.
func parseMountinfo(data []byte) []mountEntry {
	var out []mountEntry
	rest := string(data)
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		pre, post, ok := strings.Cut(line, " - ")
		if !ok || !strings.HasPrefix(post, "cgroup") {
			continue
		}
		f := strings.Fields(pre)
		g := strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		if g[0] != "cgroup" && g[0] != "cgroup2" {
			continue
		}
		out = append(out, mountEntry{
			root:       unescapeMountinfo(f[3]),
			mountpoint: unescapeMountinfo(f[4]),
			fstype:     g[0],
			superOpts:  g[2],
		})
	}
	return out
}

// unescapeMountinfo undoes the kernel's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseProcCgroup maps the controller list of each /proc/<pid>/cgroup line
// ("cpu,cpuacct", "name=systemd", "" for cgroup2) to the cgroup path.
func parseProcCgroup(data []byte) map[string]string {
	out := map[string]string{}
	for line := range strings.SplitSeq(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		out[parts[1]] = parts[2]
	}
	return out
}

// v1Controllers picks controller names out of a v1 mount's super options,
// which also carry flags such as "rw" and "clone_children".
func v1Controllers(superOpts string, known map[string]bool) []string {
	var out []string
	for o := range strings.SplitSeq(superOpts, ",") {
		if known[o] || strings.HasPrefix(o, "name=") {
			out = append(out, o)
		}
	}
	return out
}

// parseKnownControllers reads /proc/cgroups.
func parseKnownControllers(data []byte) map[string]bool {
	known := map[string]bool{}
	for line := range strings.SplitSeq(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			known[f[0]] = true
		}
	}
	return known
}

// hierarchiesFrom builds the host's hierarchies from mountinfo, /proc/cgroups
// and /proc/self/cgroup contents. pureV2 is true when cgroup2 is mounted at
// /sys/fs/cgroup; then v1 mounts elsewhere are ignored, as runc does.
func hierarchiesFrom(mountinfo, procCgroups, selfCgroup []byte) (hs []*hierarchy, pureV2 bool, err error) {
	mounts := parseMountinfo(mountinfo)
	known := parseKnownControllers(procCgroups)
	own := parseProcCgroup(selfCgroup)

	// The last mount on a mount point is the visible one.
	for _, m := range mounts {
		if m.mountpoint == cgroupRoot {
			pureV2 = m.fstype == "cgroup2"
		}
	}
	seen := map[string]int{} // hierarchy id -> index in hs
	for _, m := range mounts {
		h := &hierarchy{mountpoint: m.mountpoint, mountRoot: m.root, key: path.Base(m.mountpoint)}
		var id string
		switch {
		case m.fstype == "cgroup2" && pureV2:
			if m.mountpoint != cgroupRoot {
				continue
			}
			h.v2, h.key = true, ""
		case m.fstype == "cgroup2":
			h.v2 = true
		case pureV2:
			continue
		default:
			h.controllers = v1Controllers(m.superOpts, known)
			if len(h.controllers) == 0 {
				continue
			}
			id = h.options()
		}
		h.own = own[id]
		// A hierarchy may be mounted more than once (bind mounts); prefer
		// the first one under /sys/fs/cgroup, else the first.
		if i, ok := seen[id]; ok {
			if path.Dir(hs[i].mountpoint) != cgroupRoot && path.Dir(m.mountpoint) == cgroupRoot {
				hs[i] = h
			}
			continue
		}
		seen[id] = len(hs)
		hs = append(hs, h)
	}
	if len(hs) == 0 {
		return nil, false, fmt.Errorf("find cgroup hierarchies: none is mounted")
	}
	return hs, pureV2, nil
}

// detectHierarchies reads the calling process's view of cgroups.
func detectHierarchies() ([]*hierarchy, bool, error) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, false, fmt.Errorf("find cgroup hierarchies: %w", err)
	}
	pc, err := os.ReadFile("/proc/cgroups")
	if err != nil && !os.IsNotExist(err) {
		return nil, false, fmt.Errorf("find cgroup hierarchies: %w", err)
	}
	sc, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, false, fmt.Errorf("find cgroup hierarchies: %w", err)
	}
	return hierarchiesFrom(mi, pc, sc)
}
