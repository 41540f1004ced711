package libcontainer

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/libcontainer/program"
)

// sourceFdsPerMessage bounds the fds of one MsgMountSourceFds, below the
// kernel's limit for one SCM_RIGHTS message (253).
const sourceFdsPerMessage = 200

// noSourceFd marks a slot the parent could not open: the executor then
// uses the path itself (and reports its own error).
const noSourceFd = 0xffffffff

// sendMountSources answers MsgMountSources: it opens the host paths of
// the OpMountSources op the executor is running, in the executor's mount
// namespace, and sends their fds in one or more MsgMountSourceFds. The
// payload of each: u32 first slot, u32 count, then per slot the index of
// its fd among the message's fds, or noSourceFd.
func sendMountSources(exe *nsenter.Executor, prog *program.Program, m *nsenter.Message) error {
	i := int(m.OpIndex)
	if i >= len(prog.Ops) || prog.Ops[i].Code != program.OpMountSources {
		return fmt.Errorf("receive mount sources request: op %d is not %s", i, program.OpMountSources)
	}
	paths := prog.Ops[i].Strs
	idmapped, err := idmapRequests(prog, prog.Ops[i])
	if err != nil {
		return err
	}
	files, err := openInMountNamespace(exe.Pid, paths, idmapped)
	if err != nil {
		return err
	}
	defer closeAll(files)
	for first := 0; first < len(paths) || first == 0; first += sourceFdsPerMessage {
		last := min(first+sourceFdsPerMessage, len(paths))
		payload := binary.LittleEndian.AppendUint32(nil, uint32(first))
		payload = binary.LittleEndian.AppendUint32(payload, uint32(last-first))
		var fds []int
		for _, f := range files[first:last] {
			if f == nil {
				payload = binary.LittleEndian.AppendUint32(payload, noSourceFd)
				continue
			}
			payload = binary.LittleEndian.AppendUint32(payload, uint32(len(fds)))
			fds = append(fds, int(f.Fd()))
		}
		if err := exe.SendFds(program.MsgMountSourceFds, payload, fds); err != nil {
			return err
		}
		if last == len(paths) {
			break
		}
	}
	return nil
}

// openInMountNamespace opens each path O_PATH in the mount namespace of
// pid, with this process's privileges: a thread of ours joins that
// namespace (after unsharing its fs attributes, which setns requires)
// and never leaves it; the runtime ends the thread with its goroutine.
// A path that cannot be opened gets nil: the executor tries the path
// itself and reports the error with the field it came from. A slot in
// idmapped gets the bind's detached, id-mapped tree instead, cloned
// there so that the kernel's locks on the mounts under it stay.
func openInMountNamespace(pid int, paths []string, idmapped map[int]idmapRequest) ([]*os.File, error) {
	ns, err := openProcNamespace(pid, "mnt")
	if err != nil {
		return nil, fmt.Errorf("open the executor's mount namespace: %w", err)
	}
	defer ns.Close()
	type result struct {
		files []*os.File
		err   error
	}
	done := make(chan result, 1)
	go func() {
		// Never unlocked: the thread leaves our mount namespace.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			done <- result{err: fmt.Errorf("unshare fs attributes to open mount sources: %w", err)}
			return
		}
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNS); err != nil {
			done <- result{err: fmt.Errorf("join the container's mount namespace to open mount sources: %w", err)}
			return
		}
		files := make([]*os.File, len(paths))
		for i, p := range paths {
			if req, ok := idmapped[i]; ok {
				tree, err := idmappedTree(req.bind, req.userns)
				if err != nil {
					closeAll(files)
					done <- result{err: fmt.Errorf("id-mapped mount: %w", err)}
					return
				}
				files[i] = tree
				continue
			}
			fd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
			if err != nil {
				logrus.Debugf("open mount source %s for the executor: %v", p, err)
				continue
			}
			files[i] = os.NewFile(uintptr(fd), p)
		}
		done <- result{files: files}
	}()
	r := <-done
	return r.files, r.err
}

// openProcNamespace opens /proc/PID/ns/NAME in the verified procfs (a
// magic link, so it is followed, unlike openProc's files).
func openProcNamespace(pid int, name string) (*os.File, error) {
	root, err := procRoot()
	if err != nil {
		return nil, err
	}
	rel := strconv.Itoa(pid) + "/ns/" + name
	fd, err := unix.Openat(root, rel, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: "/proc/" + rel, Err: err}
	}
	return os.NewFile(uintptr(fd), "/proc/"+rel), nil
}
