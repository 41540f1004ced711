package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/phasetrace"
)

// List returns the state of every container under root, sorted by id. A
// missing root is an empty list. A create in progress is listed as
// "creating", an abandoned one as "stopped"; a directory with no record at
// all (a create killed before it wrote its intent) is skipped.
//
// It is the one command whose cost grows with the number of containers,
// so each entry costs a few system calls on raw fds (no os.File: that is
// an fcntl, an fstat and a refused epoll registration per file) and reads
// only the fields it returns out of state.json (see listRecord). The
// status comes from the same rules as `state`: the init's start time in
// /proc/PID/stat against the recorded one, so that a reused pid is not
// taken for the container, then exec.fifo and the freezer.
func List(root string) ([]State, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list containers: %w", err)
	}
	rootFd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("list containers: open %s: %w", root, err)
	}
	defer unix.Close(rootFd)
	phasetrace.Mark("list:dir")
	l := lister{root: root, rootFd: rootFd, owner: owners{}, buf: make([]byte, 8<<10)}
	states := make([]State, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if st, ok := l.state(e.Name()); ok {
			states = append(states, st)
		}
	}
	sort.Slice(states, func(i, j int) bool { return states[i].ID < states[j].ID })
	phasetrace.Mark("list:read")
	return states, nil
}

// lister holds what the entries of one List share: the root's fd, the
// owner names looked up so far and one read buffer.
type lister struct {
	root   string
	rootFd int
	owner  owners
	buf    []byte
}

// state returns the listed state of container id; false skips it.
func (l *lister) state(id string) (State, bool) {
	uid, ok := l.dirOwner(id)
	if !ok {
		return State{}, false
	}
	data, err := l.read(id + "/" + stateFile)
	if errors.Is(err, unix.ENOENT) {
		// A create in progress or abandoned: the intent record, read the
		// ordinary way (rare).
		dir := l.root + "/" + id
		rec, err := loadRecord(dir, id)
		if err != nil {
			return State{}, false
		}
		c := &Container{id: id, dir: dir, rec: rec}
		st := c.stateWith(c.Status())
		st.Owner = l.owner.name(uid)
		return st, true
	}
	if err != nil {
		return State{}, false
	}
	var r listRecord
	if err := r.decode(data); err != nil || r.id != id {
		return State{}, false
	}
	live := liveness{InitAlive: processAlive(r.initPid, r.initStartTime)}
	if live.InitAlive {
		var st unix.Stat_t
		live.FifoExists = unix.Fstatat(l.rootFd, id+"/"+fifoFile, &st, unix.AT_SYMLINK_NOFOLLOW) == nil
		live.Frozen = l.frozen(r.cgroupPaths)
	}
	status := deriveStatus(live)
	st := State{
		OCIVersion:  specs.Version,
		ID:          id,
		Status:      status,
		Bundle:      r.bundle,
		Rootfs:      r.rootfs,
		Created:     r.created,
		Owner:       l.owner.name(uid),
		Annotations: r.annotations,
	}
	if status != Stopped {
		st.Pid = r.initPid
	}
	return st, true
}

// dirOwner returns the uid owning the container's directory.
func (l *lister) dirOwner(id string) (uint32, bool) {
	var st unix.Stat_t
	if err := unix.Fstatat(l.rootFd, id, &st, 0); err != nil {
		return 0, false
	}
	return st.Uid, true
}

// read returns the contents of name (under the root) in l's buffer, which
// the next read reuses.
func (l *lister) read(name string) ([]byte, error) {
	fd, err := unix.Openat(l.rootFd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return readAllFd(fd, &l.buf)
}

// readAllFd reads fd into *buf, growing it when full. A read that leaves
// room in the buffer is taken as the end: the files List reads are a
// state.json written whole and renamed into place, and cgroup and proc
// files that return their whole (short) text in one read, so the read
// that would return 0 is a system call per file saved.
func readAllFd(fd int, buf *[]byte) ([]byte, error) {
	n := 0
	for {
		if n == len(*buf) {
			grown := make([]byte, 2*len(*buf))
			copy(grown, *buf)
			*buf = grown
		}
		m, err := unix.Read(fd, (*buf)[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		n += m
		if m == 0 || n < len(*buf) {
			return (*buf)[:n], nil
		}
	}
}

// frozen is cgroupFrozen without os.File.
func (l *lister) frozen(paths cgroupStatePaths) bool {
	if paths.freezer != "" {
		data, err := l.readAbs(paths.freezer + "/freezer.state")
		return err == nil && string(trimSpace(data)) != "THAWED"
	}
	for _, p := range []string{paths.v2, paths.unified} {
		if p == "" {
			continue
		}
		if data, err := l.readAbs(p + "/cgroup.freeze"); err == nil {
			return string(trimSpace(data)) == "1"
		}
	}
	return false
}

func (l *lister) readAbs(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return readAllFd(fd, &l.buf)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// cgroupStatePaths are the cgroup directories the status reads (the
// freezer's, or the v2 one of a v2 or hybrid host).
type cgroupStatePaths struct{ freezer, v2, unified string }

// listRecord is the part of a record (state.json) that List returns.
type listRecord struct {
	id, bundle, rootfs string
	initPid            int
	initStartTime      uint64
	created            time.Time
	cgroupPaths        cgroupStatePaths
	annotations        map[string]string
}

// decode fills r from the raw state.json, decoding only the fields List
// returns; of the stored config ("spec") only its annotations.
func (r *listRecord) decode(data []byte) error {
	return objectFields(data, func(key, value []byte) (err error) {
		switch string(key) {
		case `"id"`:
			r.id, err = jsonString(value)
		case `"bundle"`:
			r.bundle, err = jsonString(value)
		case `"rootfs"`:
			r.rootfs, err = jsonString(value)
		case `"initPid"`:
			r.initPid, err = strconv.Atoi(string(value))
		case `"initStartTime"`:
			r.initStartTime, err = strconv.ParseUint(string(value), 10, 64)
		case `"created"`:
			err = r.created.UnmarshalJSON(value)
		case `"cgroupPaths"`:
			err = r.decodeCgroupPaths(value)
		case `"spec"`:
			err = r.decodeAnnotations(value)
		}
		return err
	})
}

func (r *listRecord) decodeCgroupPaths(raw []byte) error {
	return nullableObjectFields(raw, func(key, value []byte) (err error) {
		switch string(key) {
		case `"freezer"`:
			r.cgroupPaths.freezer, err = jsonString(value)
		case `""`:
			r.cgroupPaths.v2, err = jsonString(value)
		case `"unified"`:
			r.cgroupPaths.unified, err = jsonString(value)
		}
		return err
	})
}

func (r *listRecord) decodeAnnotations(raw []byte) error {
	return nullableObjectFields(raw, func(key, value []byte) error {
		if string(key) != `"annotations"` {
			return nil
		}
		if err := json.Unmarshal(value, &r.annotations); err != nil {
			return err
		}
		return errStopFields
	})
}
