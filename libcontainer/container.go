package libcontainer

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/specconv"
)

// Container is a handle on one container's state directory. It holds no
// lock between calls; each operation locks, re-reads and acts.
type Container struct {
	id  string
	dir string
	rec *record
	// console is the pty master kept by Create for a foreground run.
	console *os.File
	// exe is the executor kept after create so a foreground run can hear
	// an exec failure of the init on its socket.
	exe *nsenter.Executor
	// prog is the compiled program (files closed), to name the config
	// field of an executor error that arrives after create.
	prog *program.Program
	// cgroupsMadeBy is the cgroup manager of the Create that returned
	// the container (nil when loaded): its Delete rebuilds the manager
	// from the hierarchies it found (cgroups.LoadFrom).
	cgroupsMadeBy cgroups.Manager
}

// cgroupManager rebuilds the container's cgroup manager from the record's paths.
func (c *Container) cgroupManager() cgroups.Manager {
	if c.cgroupsMadeBy != nil {
		return cgroups.LoadFrom(c.cgroupsMadeBy, c.rec.CgroupPaths)
	}
	return cgroups.Load(c.rec.CgroupPaths)
}

// ID returns the container's id.
func (c *Container) ID() string { return c.id }

// Pid returns the init's pid in the caller's pid namespace.
func (c *Container) Pid() int { return c.rec.InitPid }

// Spec returns the config the container was created with (should the
// stored config not decode, the part of it the lifecycle reads).
func (c *Container) Spec() *specs.Spec {
	if spec, err := c.rec.fullSpec(); err == nil {
		return spec
	}
	return c.rec.Spec
}

// Console returns the pty master when Create kept it (CreateOptions.KeepConsole),
// else nil. The caller owns it.
func (c *Container) Console() *os.File { return c.console }

// Load opens the container id under root.
func Load(root, id string) (*Container, error) {
	if err := specconv.ValidateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, id)
	rec, err := loadRecord(dir, id)
	if err != nil {
		return nil, err
	}
	return &Container{id: id, dir: dir, rec: rec}, nil
}

// reload re-reads the record under the lock, so an operation acts on what
// is on disk now rather than what Load saw.
func (c *Container) reload() error {
	rec, err := loadRecord(c.dir, c.id)
	if err != nil {
		return err
	}
	c.rec = rec
	return nil
}

// refresh is reload for a container whose record this process has not
// changed since it read it: the file is read again all the same, and only
// when it holds other bytes is it decoded again. The same bytes decode to
// the same record, so exec, which read the record (and decoded the whole
// config to build its process) a millisecond or two earlier, does not
// decode both a second time: ~0.15 ms of its critical path (docs/SPEED.md).
func (c *Container) refresh() error {
	if c.rec == nil || c.rec.raw == nil || c.rec.intent {
		return c.reload()
	}
	data, err := os.ReadFile(filepath.Join(c.dir, stateFile))
	if err != nil || !bytes.Equal(data, c.rec.raw) {
		return c.reload()
	}
	return nil
}

// lockAndReload takes the container's lock and re-reads its record, so an
// operation acts on what is on disk now rather than what Load saw (or
// what Create wrote), and returns its current status. The caller unlocks.
// The record is decoded again only when state.json changed (refresh).
func (c *Container) lockAndReload() (*dirLock, Status, error) {
	lock, err := lockDir(c.dir, c.id)
	if err != nil {
		return nil, "", err
	}
	if err := c.refresh(); err != nil {
		lock.unlock()
		return nil, "", err
	}
	if c.rec.intent {
		// We hold the lock: the create that wrote the intent is gone.
		return lock, Stopped, nil
	}
	return lock, c.Status(), nil
}

// Status derives the container's current status from the live system. A
// create that has not finished is "creating" while it runs and "stopped"
// once abandoned (killed halfway), so that delete cleans up after it.
func (c *Container) Status() Status {
	if c.rec.intent {
		if creationLocked(c.dir) {
			return Creating
		}
		return Stopped
	}
	return deriveStatus(probe(c.dir, c.rec))
}

// State returns the container's state as `hull state` prints it.
// Its owner is empty, as in runc's `state`; List fills it in.
func (c *Container) State() State { return c.stateWith(c.Status()) }

func (c *Container) stateWith(status Status) State {
	st := State{
		OCIVersion: specs.Version,
		ID:         c.id,
		Status:     status,
		Bundle:     c.rec.Bundle,
		Rootfs:     c.rec.Rootfs,
		Created:    c.rec.Created,
	}
	if status != Stopped {
		st.Pid = c.rec.InitPid
	}
	if c.rec.Spec != nil {
		st.Annotations = c.rec.Spec.Annotations
	}
	return st
}

// owners names the users owning container directories, as runc's list
// does, reading the user database once per uid.
type owners map[uint32]string

// name is the user name of uid, or "#uid" when it has none.
func (o owners) name(uid uint32) string {
	if name, ok := o[uid]; ok {
		return name
	}
	name := "#" + strconv.Itoa(int(uid))
	if u, err := user.LookupUid(int(uid)); err == nil {
		name = u.Name
	}
	o[uid] = name
	return name
}
