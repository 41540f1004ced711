package seccomp

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"unsafe"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// The load tests re-run the test binary as a child that loads a compiled
// filter the way the executor does (no_new_privs, then seccomp(2) on one
// locked thread) and reports the errno of each probe syscall. A filter can
// never be removed, so it must not be loaded into the test process itself.

const (
	childEnv      = "HULL_SECCOMP_TEST_CHILD"
	childBPFEnv   = "HULL_SECCOMP_TEST_BPF"
	childFlagsEnv = "HULL_SECCOMP_TEST_FLAGS"
)

// probe is one syscall the child makes after loading the filter.
type probe struct {
	// Kind is "raw" (Nr with integer Args), "mkdir" (Path) or "getcwd".
	Kind string
	Nr   uintptr
	Args [3]uintptr
	Path string
	// Notify makes the child answer seccomp notifications on another
	// thread with errno NotifyErrno while the probes run.
	NotifyErrno int32
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// runInChild loads f in a fresh child and returns the errno of each probe
// (0 for success), or the child's wait status when it did not exit cleanly.
func runInChild(t *testing.T, f *Filter, probes []probe) ([]syscall.Errno, syscall.WaitStatus) {
	t.Helper()
	bpfPath := filepath.Join(t.TempDir(), "filter.bpf")
	if err := os.WriteFile(bpfPath, f.BPF, 0o600); err != nil {
		t.Fatal(err)
	}
	probesJSON, err := json.Marshal(probes)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childEnv+"="+string(probesJSON),
		childBPFEnv+"="+bpfPath,
		childFlagsEnv+"="+strconv.FormatUint(f.Flags, 10),
	)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return nil, exitErr.Sys().(syscall.WaitStatus)
	}
	if err != nil {
		t.Fatalf("run child: %v", err)
	}
	var errnos []syscall.Errno
	if err := json.Unmarshal(out, &errnos); err != nil {
		t.Fatalf("decode child output %q: %v", out, err)
	}
	if len(errnos) != len(probes) {
		t.Fatalf("child ran %d probes, want %d", len(errnos), len(probes))
	}
	return errnos, 0
}

func runChild() int {
	var probes []probe
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &probes); err != nil {
		fmt.Fprintln(os.Stderr, "child: decode probes:", err)
		return 2
	}
	bpf, err := os.ReadFile(os.Getenv(childBPFEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	flags, err := strconv.ParseUint(os.Getenv(childFlagsEnv), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: parse flags:", err)
		return 2
	}
	// The filter applies to this thread only; every probe must run here.
	runtime.LockOSThread()
	notifyFd, err := loadFilter(bpf, flags)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if notifyFd >= 0 {
		// Other threads carry no filter, so they can serve the listener.
		go answerNotifications(libseccomp.ScmpFd(notifyFd), probes)
	}
	errnos := make([]syscall.Errno, len(probes))
	for i, p := range probes {
		errnos[i] = p.run()
	}
	out, _ := json.Marshal(errnos)
	os.Stdout.Write(out)
	return 0
}

// loadFilter does what the executor's OP_SECCOMP does and returns the
// notify fd when flags ask for one, else -1.
func loadFilter(bpf []byte, flags uint64) (int, error) {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return -1, fmt.Errorf("set no_new_privs: %w", err)
	}
	insns := unsafe.Slice((*unix.SockFilter)(unsafe.Pointer(&bpf[0])), len(bpf)/8)
	prog := unix.SockFprog{Len: uint16(len(insns)), Filter: &insns[0]}
	fd, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(bpf)
	if errno != 0 {
		return -1, fmt.Errorf("load filter: %w", errno)
	}
	if flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER == 0 {
		return -1, nil
	}
	return int(fd), nil
}

func answerNotifications(fd libseccomp.ScmpFd, probes []probe) {
	runtime.LockOSThread()
	errno := int32(unix.EPERM)
	for _, p := range probes {
		if p.NotifyErrno != 0 {
			errno = p.NotifyErrno
		}
	}
	for {
		req, err := libseccomp.NotifReceive(fd)
		if err != nil {
			return
		}
		_ = libseccomp.NotifRespond(fd, &libseccomp.ScmpNotifResp{ID: req.ID, Error: errno})
	}
}

func (p probe) run() syscall.Errno {
	var errno syscall.Errno
	switch p.Kind {
	case "raw":
		_, _, errno = unix.Syscall(p.Nr, p.Args[0], p.Args[1], p.Args[2])
	case "mkdir":
		errno = errnoOf(unix.Mkdir(p.Path, 0o755))
	case "getcwd":
		buf := make([]byte, 4096)
		_, err := unix.Getcwd(buf)
		errno = errnoOf(err)
	default:
		errno = unix.ENOTSUP
	}
	return errno
}

func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return unix.EIO
}
