package rootfs

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Action is one step of building a container's filesystem. The concrete
// types below are plain values; libcontainer turns each into one executor
// operation. Paths named Path, Dest or Link are in-root: absolute and clean,
// resolved inside the root by the executor, never on the host.
type Action interface {
	// From names the config field the action comes from, e.g. "mounts[3] (/data)".
	From() string
}

// Mkdir creates Path and its missing parents.
type Mkdir struct {
	Path   string
	Mode   uint32
	Origin string
}

// Mkfile creates an empty file at Path (and its parents) when missing: the
// target of a bind mount of a file.
type Mkfile struct {
	Path   string
	Mode   uint32
	Origin string
}

// BindMount binds the host path Source onto Dest, then changes the mount
// attributes (MOUNT_ATTR_*: AttrSet/AttrClr on the top mount,
// RecAttrSet/RecAttrClr on the whole tree), id-maps it when IDMap is set
// and, when Propagation is not 0, changes its propagation. Where the
// kernel refuses to clear a flag locked on the source (a mount from a
// more privileged user namespace), the source's locked flags are kept,
// unless ExplicitClr names one of them: then the bind fails, as runc's.
type BindMount struct {
	Source      string
	Dest        string
	Recursive   bool
	AttrSet     uint64
	AttrClr     uint64
	ExplicitClr uint64
	RecAttrSet  uint64
	RecAttrClr  uint64
	Propagation uint64
	IDMap       *IDMap
	// Device is set when the bind stands in for a device node (in a user
	// namespace): the host's Source must be that very device.
	Device *Mknod
	Origin string
}

// IDMap is an id-mapped mount's mapping: a user namespace with these maps
// is made on the host side, and its fd given to mount_setattr.
type IDMap struct {
	UIDMappings []specs.LinuxIDMapping
	GIDMappings []specs.LinuxIDMapping
	// UserNSPath, when set, is the user namespace whose mappings apply
	// (the one the container joins, for "idmap" without mappings).
	UserNSPath string
	Recursive  bool
}

// FsMount mounts a fresh filesystem of FsType on Dest.
type FsMount struct {
	FsType      string
	Source      string
	Dest        string
	Attrs       uint64 // MOUNT_ATTR_* of the new mount
	Propagation uint64
	Data        []DataOption
	// LegacyFlags are MS_* flags that only mount(2) takes.
	LegacyFlags uint64
	// CopyUp copies what the covered directory holds into the new mount.
	CopyUp bool
	// ModeOfCovered gives the new mount's root the mode of the directory
	// it covers.
	ModeOfCovered bool
	Origin        string
}

// DataOption is one filesystem parameter; an empty Value means a flag
// ("newinstance"), as with fsconfig(FSCONFIG_SET_FLAG).
type DataOption struct {
	Key   string
	Value string
}

// Mknod creates a device node (Mode holds S_IF* and permission bits).
type Mknod struct {
	Path         string
	Mode         uint32
	Major, Minor uint64
	UID, GID     uint32
	Origin       string
}

// Symlink creates Link pointing at Target (Target is not resolved).
type Symlink struct {
	Target string
	Link   string
	Origin string
}

// Propagation changes the propagation of the mount at Path (MS_* flags).
// Before pivot_root the path is the host's "/", after it the new root.
type Propagation struct {
	Path   string
	Flags  uint64
	Origin string
}

// Mask hides Path in the new root (a read-only tmpfs or /dev/null over it).
type Mask struct {
	Path   string
	Origin string
}

// Readonly makes Path in the new root read-only, recursively.
type Readonly struct {
	Path   string
	Origin string
}

// RemountRo makes the one mount at Path in the new root read-only.
type RemountRo struct {
	Path   string
	Origin string
}

func (a Mkdir) From() string       { return a.Origin }
func (a Mkfile) From() string      { return a.Origin }
func (a BindMount) From() string   { return a.Origin }
func (a FsMount) From() string     { return a.Origin }
func (a Mknod) From() string       { return a.Origin }
func (a Symlink) From() string     { return a.Origin }
func (a Propagation) From() string { return a.Origin }
func (a Mask) From() string        { return a.Origin }
func (a Readonly) From() string    { return a.Origin }
func (a RemountRo) From() string   { return a.Origin }

// String names the device for disassemblies and test output:
// "c 1:3 /dev/null".
func (a *Mknod) String() string {
	kind := "c"
	switch a.Mode & unix.S_IFMT {
	case unix.S_IFBLK:
		kind = "b"
	case unix.S_IFIFO:
		kind = "p"
	}
	return fmt.Sprintf("%s %d:%d %s", kind, a.Major, a.Minor, a.Path)
}
