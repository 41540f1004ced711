package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/specconv"
)

// A create writes its intent record (intent.json: the cgroups it will
// make, its executor) before it makes anything, holds the directory's lock
// until it has written state.json, and its init dies if the create dies
// first (OpWaitStart watches the executor socket until MsgCreated). So a
// directory without state.json is either a create in progress (locked) or
// an abandoned one, whose every piece the intent record names.

// RemoveAbandoned removes what a create that died before writing the
// container's record left (a killed `hull create`), so that the id can be
// used again: its processes, the cgroups it made and its directory. A
// create still running holds the directory's lock and is left alone. It
// is a no-op when there is no such directory, and leaves a real container
// (one with a record) to Delete.
func RemoveAbandoned(root, id string) error {
	if err := specconv.ValidateID(id); err != nil {
		return err
	}
	err := reclaimAbandoned(filepath.Join(root, id), id)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrExist) {
		return nil
	}
	return err
}

// errBeingCreated is returned by reclaimAbandoned for a create in progress.
var errBeingCreated = errors.New("is being created")

// reclaimAbandoned removes the directory dir of an abandoned create and
// everything its intent record names. It fails with ErrExist when dir holds
// a container's record, with errBeingCreated when its create still runs,
// and with os.ErrNotExist when there is no dir.
func reclaimAbandoned(dir, id string) error {
	f, err := os.OpenFile(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return err
		}
		return fmt.Errorf("open container directory: %w", err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return fmt.Errorf("container %q %w", id, errBeingCreated)
		}
		return fmt.Errorf("lock container %q: %w", id, err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return fmt.Errorf("container %q %w", id, ErrExist)
	}
	rec, err := loadIntent(dir, id)
	switch {
	case err == nil:
		c := &Container{id: id, dir: dir, rec: rec}
		return c.destroy(cgroups.Load(rec.CgroupPaths))
	case errors.Is(err, ErrNotExist):
		// Killed before the intent record: nothing was made yet.
	default:
		// An unreadable intent record (a torn disk?): remove what can be.
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove abandoned container directory: %w", err)
	}
	return nil
}

// killAbandonedExecutor SIGKILLs the executor an abandoned create started,
// should it still run: one that has not joined the cgroup yet is not
// reached by killing the cgroup. (It would exit on its own on its
// socket's EOF; this only makes that sure and quick.)
func killAbandonedExecutor(r *record) {
	if r.ExecutorPid <= 0 {
		return
	}
	if signalProcess(r.ExecutorPid, r.ExecutorStartTime, unix.SIGKILL) == nil {
		waitGone(r.ExecutorPid, r.ExecutorStartTime, killTimeout)
	}
}

// creationLocked says whether a create holds dir's lock, i.e. is still
// running. It takes a shared lock for an instant, which only a holder of
// the exclusive one (a create, or an operation on a created container)
// prevents.
func creationLocked(dir string) bool {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return errors.Is(unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB), unix.EWOULDBLOCK)
}
