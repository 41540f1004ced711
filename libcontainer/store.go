package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/internal/specjson"
)

// Files in a container's directory (<root>/<id>).
const (
	stateFile = "state.json"
	fifoFile  = "exec.fifo"
	// hookReportFile carries a failed startContainer hook's error from
	// the init to `start` (see Container.Start).
	hookReportFile = "hook-report.fifo"
	// intentFile is what a create is about to make (cgroups, executor),
	// written before it makes any of it and removed once state.json is
	// written: a create killed halfway leaves it for cleanup to follow.
	intentFile = "intent.json"
)

// ErrNotExist is returned (wrapped) for an unknown container id.
var ErrNotExist = errors.New("does not exist")

// ErrExist is returned (wrapped) when creating an id that is taken.
var ErrExist = errors.New("already exists")

// makeContainerDir creates root (0700) and root/id atomically: mkdir fails
// with EEXIST when another create of the same id got there first. The
// directory of an abandoned create (killed halfway) is cleaned up and
// taken over.
func makeContainerDir(root, id string) (string, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("create state root: %w", err)
	}
	dir := filepath.Join(root, id)
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, os.ErrExist) {
		if rerr := reclaimAbandoned(dir, id); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			if errors.Is(rerr, ErrExist) || errors.Is(rerr, errBeingCreated) {
				return "", fmt.Errorf("container %q %w", id, ErrExist)
			}
			return "", fmt.Errorf("clean up an earlier create of %q: %w", id, rerr)
		}
		err = os.Mkdir(dir, 0o700)
	}
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("container %q %w", id, ErrExist)
		}
		return "", fmt.Errorf("create container directory: %w", err)
	}
	return dir, nil
}

// dirLock is an exclusive flock on a container's directory; it serialises
// create, start, kill and delete of one container across processes.
type dirLock struct{ f *os.File }

// lockDir locks dir. When the directory was removed while we waited (a
// concurrent delete), the lock is on a dead inode: report the container as
// gone rather than act on it.
func lockDir(dir, id string) (*dirLock, error) {
	f, err := os.OpenFile(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(id)
		}
		return nil, fmt.Errorf("open container directory: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock container %q: %w", id, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Nlink == 0 {
		f.Close()
		return nil, notExist(id)
	}
	return &dirLock{f: f}, nil
}

// unlock releases the lock (closing the fd drops the flock).
func (l *dirLock) unlock() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers see the old or the new file, never a
// partial one.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}

// saveRecord writes the container's record atomically, and then the kill
// ticket and the state output that follow from it (kill_ticket.go,
// state_output.go). mgr is the container's cgroup manager, for the kill
// ticket's delete section; nil leaves it out.
func saveRecord(dir string, r *record, mgr cgroups.Manager) error {
	if !r.partial {
		raw, err := specjson.Marshal(r.Spec)
		if err != nil {
			return fmt.Errorf("encode state: %w", err)
		}
		r.RawSpec = raw
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, stateFile), data, 0o600); err != nil {
		return err
	}
	if err := saveKillTicket(dir, r, mgr); err != nil {
		return err
	}
	return saveStateOutput(dir, r)
}

// saveIntent writes the intent record of a create atomically.
func saveIntent(dir string, r *record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode intent record: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, intentFile), data, 0o600)
}

// loadRecord reads the record of the container in dir. Without one, the
// intent record of a create in progress or abandoned stands in for it
// (record.intent); a directory with neither does not exist for outsiders.
func loadRecord(dir, id string) (*record, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return loadIntent(dir, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read state of %q: %w", id, err)
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode state of %q: %w", id, err)
	}
	if r.Spec, err = specSummary(r.RawSpec); err != nil {
		return nil, fmt.Errorf("decode state of %q: %w", id, err)
	}
	r.partial = r.Spec != nil
	r.raw = data
	return &r, nil
}

// loadIntent reads the intent record of a create that has not finished.
func loadIntent(dir, id string) (*record, error) {
	data, err := os.ReadFile(filepath.Join(dir, intentFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(id)
		}
		return nil, fmt.Errorf("read intent record of %q: %w", id, err)
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode intent record of %q: %w", id, err)
	}
	r.intent = true
	return &r, nil
}

// notExist is the error for an unknown id: `container "x" does not exist`.
func notExist(id string) error { return fmt.Errorf("container %q %w", id, ErrNotExist) }
