package libcontainer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// procRoot is /proc opened once and checked to really be a procfs: a bind
// mount or a FUSE fs over /proc could otherwise redirect our writes of
// uid_map or our reads of a pid's start time.
var procRoot = sync.OnceValues(openVerifiedProc)

func openVerifiedProc() (int, error) {
	fd, err := unix.Open("/proc", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open /proc: %w", err)
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("statfs /proc: %w", err)
	}
	if st.Type != unix.PROC_SUPER_MAGIC {
		unix.Close(fd)
		return -1, fmt.Errorf("verify /proc: not a procfs (type %#x)", st.Type)
	}
	return fd, nil
}

// openProc opens name (e.g. "123/uid_map") relative to the verified /proc.
func openProc(name string, flags int) (*os.File, error) {
	root, err := procRoot()
	if err != nil {
		return nil, err
	}
	fd, err := unix.Openat(root, name, flags|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: "/proc/" + name, Err: err}
	}
	return os.NewFile(uintptr(fd), "/proc/"+name), nil
}

// writeProc writes data to a /proc file in a single write(2), as uid_map
// and friends require.
func writeProc(name string, data []byte) error {
	f, err := openProc(name, unix.O_WRONLY)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		// The file's own error names the path already.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("write /proc/%s: %w", name, err)
	}
	return nil
}

// procStat is what hull needs from /proc/PID/stat.
type procStat struct {
	State     byte   // field 3: R, S, D, Z, X, ...
	StartTime uint64 // field 22: start time in clock ticks after boot
}

// errNoProcess means the pid does not exist (any more).
var errNoProcess = errors.New("no such process")

// readProcStat reads the state and start time of pid. It is called once
// per container by `list`, so it reads through a raw fd into a buffer on
// the stack and parses without allocating.
func readProcStat(pid int) (procStat, error) {
	root, err := procRoot()
	if err != nil {
		return procStat{}, err
	}
	var name [32]byte
	path := append(strconv.AppendInt(name[:0], int64(pid), 10), "/stat"...)
	fd, err := unix.Openat(root, string(path), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		if err == unix.ENOENT || err == unix.ESRCH {
			return procStat{}, errNoProcess
		}
		return procStat{}, &os.PathError{Op: "open", Path: "/proc/" + string(path), Err: err}
	}
	defer unix.Close(fd)
	var buf [1024]byte
	n, err := unix.Read(fd, buf[:])
	for err == unix.EINTR {
		n, err = unix.Read(fd, buf[:])
	}
	if err != nil {
		if err == unix.ESRCH {
			return procStat{}, errNoProcess
		}
		return procStat{}, fmt.Errorf("read /proc/%d/stat: %w", pid, err)
	}
	return parseProcStat(buf[:n])
}

// parseProcStat parses the text of /proc/PID/stat. The command name (field
// 2) may hold spaces and parentheses, so fields are counted from the last ')'.
func parseProcStat(data []byte) (procStat, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return procStat{}, fmt.Errorf("parse /proc stat: no command field")
	}
	// fields[0] is field 3 (state); field 22 is fields[19].
	var fields [20][]byte
	nf := 0
	rest := data[i+1:]
	for nf < len(fields) {
		j := 0
		for j < len(rest) && isStatSpace(rest[j]) {
			j++
		}
		rest = rest[j:]
		if len(rest) == 0 {
			break
		}
		k := 0
		for k < len(rest) && !isStatSpace(rest[k]) {
			k++
		}
		fields[nf] = rest[:k]
		nf++
		rest = rest[k:]
	}
	if nf < len(fields) || len(fields[0]) != 1 {
		return procStat{}, fmt.Errorf("parse /proc stat: %d fields after the command", nf)
	}
	var start uint64
	for _, c := range fields[19] {
		if c < '0' || c > '9' || start > (1<<64-1-9)/10 {
			return procStat{}, fmt.Errorf("parse /proc stat start time: %q", string(fields[19]))
		}
		start = start*10 + uint64(c-'0')
	}
	return procStat{State: fields[0][0], StartTime: start}, nil
}

func isStatSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' }

// processAlive reports whether pid is a live (not zombie) process started
// at startTime, i.e. still the process we recorded and not a reused pid.
func processAlive(pid int, startTime uint64) bool {
	if pid <= 0 {
		return false
	}
	st, err := readProcStat(pid)
	if err != nil {
		return false
	}
	return st.StartTime == startTime && st.State != 'Z' && st.State != 'X'
}
