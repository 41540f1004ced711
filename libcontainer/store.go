package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

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
// create, start, kill and delete of one container across processes. It
// holds the bare descriptor: an *os.File of a directory cost 6 more
// system calls a lock (a refused netpoller registration, and Fd's switch
// back to blocking mode), and a `run` takes 3.
type dirLock struct{ fd int }

// lockDir locks dir. When the directory was removed while we waited (a
// concurrent delete), the lock is on a dead inode: report the container as
// gone rather than act on it.
func lockDir(dir, id string) (*dirLock, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(id)
		}
		return nil, fmt.Errorf("open container directory: %w", &os.PathError{Op: "open", Path: dir, Err: err})
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("lock container %q: %w", id, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Nlink == 0 {
		unix.Close(fd)
		return nil, notExist(id)
	}
	return &dirLock{fd: fd}, nil
}

// unlock releases the lock (closing the fd drops the flock).
func (l *dirLock) unlock() {
	if l != nil && l.fd >= 0 {
		unix.Close(l.fd)
		l.fd = -1
	}
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers see the old or the new file, never a
// partial one.
//
// It makes the system calls itself rather than through os.CreateTemp and
// an *os.File: those add, per file, an attempt to register it with the
// netpoller (2 fcntl, a refused epoll_ctl, 2 fcntl), os.Rename's lstat
// of the target and a deferred remove of the renamed temporary (2
// unlinkat), 9 of 14 system calls. A create writes 4-5 files this way
// (intent, state.json, kill ticket, state output, start ticket), `run`
// 4; what is left is the open, write, fchmod, close and rename of
// os.CreateTemp's own sequence, with its names and errors.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var (
		tmp string
		fd  int
		err error
	)
	for range 100 {
		tmp = filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(uint64(rand.Uint32()), 10))
		fd, err = unix.Open(tmp, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
		if err != unix.EEXIST && err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, &os.PathError{Op: "open", Path: tmp, Err: err})
	}
	fail := func(what string, err error) error {
		unix.Close(fd)
		unix.Unlink(tmp)
		return fmt.Errorf("%s %s: %w", what, path, &os.PathError{Op: what, Path: tmp, Err: err})
	}
	for rest := data; len(rest) > 0; {
		n, err := unix.Write(fd, rest)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fail("write", err)
		}
		rest = rest[n:]
	}
	if err := ignoringEINTR(func() error { return unix.Fchmod(fd, uint32(mode.Perm())) }); err != nil {
		return fail("chmod", err)
	}
	if err := unix.Close(fd); err != nil {
		unix.Unlink(tmp)
		return fmt.Errorf("close %s: %w", path, &os.PathError{Op: "close", Path: tmp, Err: err})
	}
	if err := unix.Rename(tmp, path); err != nil {
		unix.Unlink(tmp)
		return fmt.Errorf("rename into %s: %w", path, &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err})
	}
	return nil
}

// ignoringEINTR retries fn while it is interrupted by a signal.
func ignoringEINTR(fn func() error) error {
	for {
		if err := fn(); err != unix.EINTR {
			return err
		}
	}
}

// saveRecord writes the container's record atomically, and then the kill
// ticket and the state output that follow from it (kill_ticket.go,
// state_output.go). mgr is the container's cgroup manager, for the kill
// ticket's delete section; nil leaves it out.
func saveRecord(dir string, r *record, mgr cgroups.Manager) error {
	// Until state.json holds the record, the bytes on disk are not its.
	r.raw = nil
	if !r.partial {
		raw, err := specjson.Marshal(r.Spec)
		if err != nil {
			return fmt.Errorf("encode state: %w", err)
		}
		r.RawSpec = raw
	}
	data, err := encodeRecord(r)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, stateFile), data, 0o600); err != nil {
		return err
	}
	if readsBackAsIs(data) {
		// The record decoded from these bytes is r: a re-read that finds
		// them keeps it (Container.refresh), as for a record read from
		// disk. A foreground run's start and delete, a few milliseconds
		// after its create wrote it, then decode state.json neither.
		r.raw = data
	}
	if err := saveKillTicket(dir, r, mgr); err != nil {
		return err
	}
	return saveStateOutput(dir, r)
}

// readsBackAsIs says that data, JSON encoding/json wrote, decodes to the
// values it was written from: that no string held invalid UTF-8, which
// encoding/json writes as the escape \ufffd and reads back as U+FFFD
// (a string holding that escape's text, written as \\ufffd, counts
// too: its record is then decoded again, as any other).
func readsBackAsIs(data []byte) bool {
	return !bytes.Contains(data, []byte(`\ufffd`))
}

// saveIntent writes the intent record of a create atomically.
func saveIntent(dir string, r *record) error {
	data, err := encodeRecord(r)
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
