package nsenter

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// executorArgv0 and sockEnv tell the constructor (constructor.c) that a
// process is an executor and which fd is its socket.
const (
	executorArgv0 = "hull-executor"
	sockEnv       = "_HULL_EXECUTOR_SOCK"
)

// Start launches a fresh executor from the protected binary, for library
// users whose process was not started by the hull CLI. stdio become the
// executor's (and so the container's) fds 0-2 (nil means /dev/null);
// extra become 3, 4, ...; the executor's socket comes after them.
func Start(stdin, stdout, stderr *os.File, extra []*os.File) (*Executor, error) {
	exe, err := protectedExecutable()
	if err != nil {
		return nil, err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("create executor socket: %w", err)
	}
	parent := pollableSocket(fds[0])
	child := os.NewFile(uintptr(fds[1]), "executor-child")
	defer child.Close()

	files := make([]*os.File, 0, 4+len(extra))
	for _, f := range []*os.File{stdin, stdout, stderr} {
		if f == nil {
			null, err := os.Open(os.DevNull)
			if err != nil {
				parent.Close()
				return nil, fmt.Errorf("open %s for executor stdio: %w", os.DevNull, err)
			}
			defer null.Close()
			f = null
		}
		files = append(files, f)
	}
	files = append(files, extra...)
	files = append(files, child)

	// The child dup2s files onto 0..len-1: the binary's fd must sit above
	// them to survive until execve.
	exeFd := exe
	if exeFd < len(files) {
		exeFd, err = unix.FcntlInt(uintptr(exe), unix.F_DUPFD_CLOEXEC, len(files))
		if err != nil {
			parent.Close()
			return nil, fmt.Errorf("move executor binary fd: %w", err)
		}
		defer unix.Close(exeFd)
	}
	proc, err := os.StartProcess("/proc/self/fd/"+strconv.Itoa(exeFd), []string{executorArgv0}, &os.ProcAttr{
		Env:   []string{sockEnv + "=" + strconv.Itoa(len(files)-1)},
		Files: files,
	})
	if err != nil {
		parent.Close()
		return nil, fmt.Errorf("start executor: %w", err)
	}
	e := &Executor{Pid: proc.Pid, Sock: parent}
	// The caller reaps the executor by pid (Wait); the handle is not needed.
	proc.Release()
	return e, nil
}

var protected struct {
	once sync.Once
	fd   int
	err  error
}

// protectedExecutable returns an fd of our own binary that no container
// can open for writing (CVE-2019-5736): a detached read-only bind mount of
// /proc/self/exe, or a sealed memfd copy where open_tree is refused. It is
// made once and kept for the life of the process.
func protectedExecutable() (int, error) {
	protected.once.Do(func() {
		protected.fd, protected.err = readOnlyBind()
		if protected.err != nil {
			protected.fd, protected.err = sealedCopy()
		}
	})
	return protected.fd, protected.err
}

func readOnlyBind() (int, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, "/proc/self/exe", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("clone executor binary mount: %w", err)
	}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("make executor binary mount read-only: %w", err)
	}
	return fd, nil
}

func sealedCopy() (int, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return -1, fmt.Errorf("open own binary: %w", err)
	}
	defer src.Close()
	fd, err := unix.MemfdCreate(executorArgv0, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return -1, fmt.Errorf("create executor memfd: %w", err)
	}
	dst := os.NewFile(uintptr(fd), executorArgv0)
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return -1, fmt.Errorf("copy own binary to memfd: %w", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		dst.Close()
		return -1, fmt.Errorf("seal executor memfd: %w", err)
	}
	// Keep the fd number; dst must not close it when collected.
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	dst.Close()
	if err != nil {
		return -1, fmt.Errorf("keep executor memfd: %w", err)
	}
	return nfd, nil
}
