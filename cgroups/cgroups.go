// Package cgroups owns hull's cgroup managers: creating a container's
// cgroup, placing processes in it, applying resources, freezing and
// removal. It decides nothing about the rest of the container.
//
// One cgroupfs manager serves v1, hybrid (v1 plus cgroup2 at
// /sys/fs/cgroup/unified) and pure v2 hosts; it writes the files runc's
// cgroupfs driver writes, converting the v1-shaped OCI values for v2 the way
// runc does. The systemd driver (systemd.go) has systemd create the cgroup
// as a transient unit and then lets the cgroupfs manager write the files,
// as runc's does. Every file is opened
// beneath its hierarchy's root (openat2 RESOLVE_BENEATH, no symlinks, no
// mount crossing), so a container that owns its cgroup cannot redirect the
// runtime's writes.
package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Mount describes one cgroup hierarchy as the container should see it under
// /sys/fs/cgroup, so that the rootfs plan can mount or bind it.
type Mount struct {
	// Dir is the directory name under /sys/fs/cgroup ("cpu,cpuacct",
	// "memory", "unified", or "" for a pure v2 host where cgroup2 is
	// /sys/fs/cgroup itself).
	Dir string
	// FsType is "cgroup" or "cgroup2".
	FsType string
	// Options are the mount options of a fresh mount ("cpu,cpuacct", "name=systemd", "").
	Options string
	// HostPath is the container's own cgroup directory on the host, bound
	// when the container has no cgroup namespace.
	HostPath string
	// Links are extra names that point at Dir ("cpu" and "cpuacct" for "cpu,cpuacct").
	Links []string
}

// Config says which cgroup a container gets and what limits it has.
type Config struct {
	// Path is linux.cgroupsPath: absolute paths are relative to each
	// hierarchy root, relative ones to the caller's cgroup; "" means the
	// container id relative to the caller's cgroup (runc's cgroupfs rules).
	Path      string
	ID        string
	Resources *specs.LinuxResources
	Systemd   bool
	// Rootless tolerates cgroups the caller may not create or join, as
	// runc's rootless cgroup manager does: only when Path is empty, and on
	// cgroup v2 only when no limit needs a controller; a v1 hierarchy left
	// out fails the limits that need it, device rules aside (an
	// unprivileged caller cannot restrict devices; they are ignored).
	// With Systemd, it selects the user's instance.
	Rootless bool
	// Annotations are the config's; the systemd driver reads its
	// org.systemd.property.* ones.
	Annotations map[string]string
}

// Manager is one container's cgroup in every hierarchy of the host. It is
// not safe for concurrent use; callers serialise through the container lock.
type Manager interface {
	// Apply creates the cgroup directories, applies the resources of the
	// Config and moves pid into every hierarchy (including the cgroup2
	// "unified" hierarchy of a hybrid host).
	Apply(pid int) error
	// Set applies new resources, as for `update`: only the fields r sets.
	// When the kernel refuses one, the files already written get their
	// old values back and the error names the refused field.
	Set(r *specs.LinuxResources) error
	// Destroy removes the directories, and any the container made inside
	// them. Missing directories are fine; it can be called again.
	Destroy() error
	// Pids lists every process in the container's cgroup, recursively.
	Pids() ([]int, error)
	// Freeze stops every process and returns once the kernel reports the
	// cgroup frozen; Thaw undoes it.
	Freeze() error
	Thaw() error
	// Kill SIGKILLs every process in the cgroup at once through cgroup2's
	// cgroup.kill; ErrKillUnsupported when there is none.
	Kill() error
	// Paths maps each hierarchy key ("memory", "cpu,cpuacct", "unified",
	// "" for a pure v2 host) to the container's directory. Save it, and
	// rebuild the manager with Load.
	Paths() map[string]string
	// Created maps a hierarchy key to the shallowest directory Apply made
	// there, when it made the container's directory or ancestors of it.
	// Save it with Paths, for RemoveCreatedParents after Destroy.
	Created() map[string]string
	// WouldCreate is what Created would be if Apply ran now: recorded
	// before Apply, so a create killed halfway can be cleaned up.
	WouldCreate() map[string]string
	// Mounts says how the container should see /sys/fs/cgroup.
	Mounts() []Mount
	// Exists says whether the container's cgroup directory is there.
	Exists() bool
	// Join moves pid into the existing cgroups (or sub-cgroups, sub maps
	// a controller, or "" for all, to a path below them), frozen or not.
	Join(pid int, sub map[string]string) error
	// Stats reads the resource usage (runc's `events` shape).
	Stats() (*Stats, error)
	// NotifyOOM reports each OOM kill in the cgroup; the channel closes
	// when the cgroup is removed.
	NotifyOOM() (<-chan struct{}, error)
}

// Warn reports settings that are accepted but have no effect (such as
// linux.resources.memory.kernel). The CLI points it at its log.
var Warn = func(msg string) { fmt.Fprintln(os.Stderr, "warning:", msg) }

func warnf(format string, args ...any) {
	if Warn != nil {
		Warn(fmt.Sprintf(format, args...))
	}
}

// New finds the host's hierarchies and computes the container's cgroup
// directories. It creates nothing.
func New(c Config) (Manager, error) {
	if c.Systemd {
		return newSystemd(c)
	}
	inner, err := innerPath(c.Path, c.ID)
	if err != nil {
		return nil, err
	}
	hs, pureV2, err := detectHierarchies()
	if err != nil {
		return nil, err
	}
	m := &manager{pureV2: pureV2, resources: c.Resources, rootless: c.Rootless, explicitPath: c.Path != ""}
	for _, h := range hs {
		dir, err := containerDir(h, inner)
		if err != nil {
			return nil, err
		}
		m.cgroups = append(m.cgroups, &cgroup{hierarchy: h, dir: dir.withCache()})
	}
	return m, nil
}

// Load rebuilds a manager from the Paths() of an earlier one, for delete,
// kill --all, pause and update. Hierarchies no longer mounted are dropped.
func Load(paths map[string]string) Manager {
	m := loadFS(paths)
	if _, ok := paths[systemdUnitKey]; ok {
		return loadSystemd(paths, m)
	}
	return m
}

// LoadFrom is Load in the process whose manager made made the paths (a
// foreground run deleting the container its create made): the
// hierarchies are the ones made found, not detected again from the mount
// table, /proc/cgroups and /proc/self/cgroup a few milliseconds later
// (perf: ~2% of a `run`'s samples, the three reads and their parsing).
// A manager of another driver (systemd) is loaded as Load does.
func LoadFrom(made Manager, paths map[string]string) Manager {
	m, ok := made.(*manager)
	if _, unit := paths[systemdUnitKey]; !ok || unit || m.loadErr != nil {
		return Load(paths)
	}
	hs := make([]*hierarchy, 0, len(m.cgroups))
	for _, c := range m.cgroups {
		hs = append(hs, c.hierarchy)
	}
	return managerOf(hs, m.pureV2, paths)
}

func loadFS(paths map[string]string) *manager {
	hs, pureV2, err := detectHierarchies()
	if err != nil {
		return &manager{loadErr: err}
	}
	return managerOf(hs, pureV2, paths)
}

// managerOf is the manager of paths in the hierarchies hs.
func managerOf(hs []*hierarchy, pureV2 bool, paths map[string]string) *manager {
	m := &manager{pureV2: pureV2}
	for _, h := range hs {
		p, ok := paths[h.key]
		if !ok {
			continue
		}
		rel, ok := strings.CutPrefix(path.Clean(p), h.mountpoint+"/")
		if !ok || strings.Contains("/"+rel+"/", "/../") {
			continue
		}
		m.cgroups = append(m.cgroups, &cgroup{hierarchy: h, dir: cgroupDir{root: h.mountpoint, rel: rel}.withCache()})
	}
	return m
}

// RemoveCreatedParents removes, after Destroy, the ancestors of the
// container's cgroups that Apply created (created as from Created), so
// that delete leaves nothing create made. It walks up from each
// container directory's parent to the created one, removing only empty
// cgroups: one another container still uses stays. Missing is fine.
// mgr is the container's manager (from New or Load): its hierarchies are
// walked as found, not detected again from the mount table, /proc/cgroups
// and /proc/self/cgroup (~1% of delete's CPU).
func RemoveCreatedParents(mgr Manager, created map[string]string) error {
	var m *manager
	switch l := mgr.(type) {
	case *manager:
		m = l
	case *systemdManager:
		m, _ = l.fs.(*manager)
	}
	if m == nil {
		m = loadFS(mgr.Paths())
	}
	return removeCreatedParents(m, created)
}

func removeCreatedParents(m *manager, created map[string]string) error {
	if m.loadErr != nil {
		return nil
	}
	var errs []error
	for _, c := range m.cgroups {
		top, ok := created[c.key]
		if !ok {
			continue
		}
		topRel, ok := strings.CutPrefix(path.Clean(top), c.dir.root+"/")
		if !ok || !strings.HasPrefix(c.dir.rel, topRel+"/") {
			continue
		}
		for d := c.dir.parent(); d.rel != "" && strings.HasPrefix(d.rel+"/", topRel+"/"); d = d.parent() {
			if err := d.removeEmpty(); err != nil {
				if !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.ENOTEMPTY) {
					errs = append(errs, err)
				}
				break
			}
		}
	}
	return errors.Join(errs...)
}
