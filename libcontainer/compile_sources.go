package libcontainer

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
)

// hostOpenedSources emits OpMountSources at the end of stage 1's
// namespace ops: in a user namespace, the container's root is a stranger
// to host-owned files, and a rootfs or bind source below a directory
// only the host's root may enter (a 0700 bundle) is out of its reach. As
// runc does, the parent opens them for it, with its own privileges but in
// the container's new mount namespace (so that the executor may clone
// those mounts), and passes the fds; the ops that use them name the
// source by its slot (see mountSource). Nothing is needed without a user
// namespace (the executor is the host's root) or when rootless (the
// container's root is the caller, who can reach what the caller can).
func (c *compiler) hostOpenedSources() {
	if !c.opts.HostOpensMountSources || !c.plan.HasNamespace(specs.UserNamespace) ||
		!c.plan.HasNamespace(specs.MountNamespace) {
		return
	}
	c.mountSources = c.prog.Add("root.path, mounts (sources opened by the runtime)", program.OpMountSources, nil)
}

// mountSource returns the slot + 1 of a host path in OpMountSources,
// adding it there, or 0 when the parent opens no sources. A bind source
// inside the rootfs is left to the executor: an earlier mount of the
// container may still change what it names.
func (c *compiler) mountSource(hostPath string, isRoot bool) uint64 {
	if c.mountSources == 0 {
		return 0
	}
	if !isRoot && withinDir(c.plan.Rootfs, hostPath) {
		return 0
	}
	op := &c.prog.Ops[c.mountSources]
	op.Strs = append(op.Strs, hostPath)
	return uint64(len(op.Strs))
}

// withinDir reports whether p is dir or below it (lexically).
func withinDir(dir, p string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(p))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// rootOpenSlots returns the ints OpRootOpen takes after the propagation:
// the slots of the rootfs and of the root of the mount holding it (which
// the executor makes private, and could not find by walking up through a
// directory it may not enter), or none when the parent opens no sources.
func (c *compiler) rootOpenSlots() ([]uint64, error) {
	if c.mountSources == 0 {
		return nil, nil
	}
	mroot, err := mountRootOf(c.plan.Rootfs)
	if err != nil {
		return nil, fmt.Errorf("root.path: %w", err)
	}
	return []uint64{c.mountSource(c.plan.Rootfs, true), c.mountSource(mroot, true)}, nil
}

// mountRootOf returns the mount point of the mount holding dir: the last
// directory up from it with the same mount id.
func mountRootOf(dir string) (string, error) {
	p, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("find the mount holding %s: %w", dir, err)
	}
	p, err = filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("find the mount holding %s: %w", dir, err)
	}
	id, err := mountID(p)
	if err != nil {
		return "", err
	}
	for p != "/" {
		up := filepath.Dir(p)
		upID, err := mountID(up)
		if err != nil {
			return "", err
		}
		if upID != id {
			break
		}
		p = up
	}
	return p, nil
}

func mountID(p string) (uint64, error) {
	var stx unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, p, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_MNT_ID, &stx); err != nil {
		return 0, fmt.Errorf("find the mount holding %s: statx: %w", p, err)
	}
	return stx.Mnt_id, nil
}
