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

// readProcStat reads the state and start time of pid.
func readProcStat(pid int) (procStat, error) {
	f, err := openProc(strconv.Itoa(pid)+"/stat", unix.O_RDONLY)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
			return procStat{}, errNoProcess
		}
		return procStat{}, err
	}
	defer f.Close()
	buf := make([]byte, 1024)
	n, err := f.Read(buf)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
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
	fields := bytes.Fields(data[i+1:])
	// fields[0] is field 3 (state); field 22 is fields[19].
	if len(fields) < 20 || len(fields[0]) != 1 {
		return procStat{}, fmt.Errorf("parse /proc stat: %d fields after the command", len(fields))
	}
	start, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("parse /proc stat start time: %w", err)
	}
	return procStat{State: fields[0][0], StartTime: start}, nil
}

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
