package libcontainer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/rootfs"
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

// idmapRecordSize is the number of ints OpMountSources carries per
// id-mapped source: slot + 1, index + 1 of the user namespace in HostFiles,
// recursive, attr_set, attr_clr, rec_attr_set, rec_attr_clr, and
// whether the mapping applies to every mount of the tree. The executor
// ignores them: they are the parent's, for its answer.
const idmapRecordSize = 8

// idmappedSource marks a bind source slot as id-mapped: the parent
// answers it with the detached, id-mapped tree (idmappedTree) cloned in
// the container's mount namespace rather than an O_PATH fd. The parent
// keeps the user namespace until then (a host file of the program).
func (c *compiler) idmappedSource(slot uint64, a rootfs.BindMount, userns *os.File) {
	ns := c.prog.AddHostFile(userns) + 1
	op := &c.prog.Ops[c.mountSources]
	op.Ints = append(op.Ints, slot, ns, boolInt(a.Recursive), a.AttrSet, a.AttrClr,
		a.RecAttrSet, a.RecAttrClr, boolInt(a.IDMap.Recursive))
}

// idmapRequests decodes the id-mapped slots of an OpMountSources op:
// the bind (its source, attributes and id-mapping) and user namespace
// of each slot index (0-based).
func idmapRequests(prog *program.Program, op program.Op) (map[int]idmapRequest, error) {
	if len(op.Ints)%idmapRecordSize != 0 {
		return nil, fmt.Errorf("mount sources op: %d ints is not a list of id-mapped sources", len(op.Ints))
	}
	reqs := map[int]idmapRequest{}
	for r := op.Ints; len(r) > 0; r = r[idmapRecordSize:] {
		slot, ns := r[0], r[1]
		if slot == 0 || slot > uint64(len(op.Strs)) || ns == 0 || ns > uint64(len(prog.HostFiles)) {
			return nil, fmt.Errorf("mount sources op: id-mapped slot %d with user namespace %d out of range", slot, ns)
		}
		reqs[int(slot-1)] = idmapRequest{
			bind: rootfs.BindMount{Source: op.Strs[slot-1], Recursive: r[2] != 0, AttrSet: r[3], AttrClr: r[4],
				RecAttrSet: r[5], RecAttrClr: r[6], IDMap: &rootfs.IDMap{Recursive: r[7] != 0}},
			userns: prog.HostFiles[ns-1],
		}
	}
	return reqs, nil
}

type idmapRequest struct {
	bind   rootfs.BindMount
	userns *os.File
}
