package integration

import (
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The kernel's struct seccomp_notif and struct seccomp_notif_resp
// (linux/seccomp.h); x/sys/unix has the ioctl numbers only.
type seccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Nr    int32
	Arch  uint32
	IP    uint64
	Args  [6]uint64
}

type seccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// notifyAgent is a tiny seccomp agent: it takes the notify fd from the
// runtime at its socket and answers every notified syscall with success
// without running it.
type notifyAgent struct {
	sock     string
	ln       *net.UnixListener
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	state    specs.ContainerProcessState
	answered int
	err      error
}

func startNotifyAgent(t *testing.T) *notifyAgent {
	t.Helper()
	a := &notifyAgent{sock: filepath.Join(t.TempDir(), "agent.sock"), done: make(chan struct{})}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: a.sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	a.ln = ln
	a.wg.Add(1)
	go a.serve()
	t.Cleanup(a.stop)
	return a
}

func (a *notifyAgent) stop() {
	select {
	case <-a.done:
	default:
		close(a.done)
	}
	a.ln.Close()
	a.wg.Wait()
}

func (a *notifyAgent) fail(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err == nil {
		a.err = err
	}
}

func (a *notifyAgent) serve() {
	defer a.wg.Done()
	conn, err := a.ln.AcceptUnix()
	if err != nil {
		select {
		case <-a.done:
		default:
			a.fail(err)
		}
		return
	}
	buf, oob := make([]byte, 8192), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	conn.Close()
	if err != nil {
		a.fail(err)
		return
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		a.fail(err)
		return
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		a.fail(err)
		return
	}
	fd := fds[0]
	defer unix.Close(fd)
	a.mu.Lock()
	err = json.Unmarshal(buf[:n], &a.state)
	a.mu.Unlock()
	if err != nil {
		a.fail(err)
		return
	}
	for {
		select {
		case <-a.done:
			return
		default:
		}
		// Poll with a short timeout so stop() is seen; POLLHUP once
		// every process under the filter is gone.
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 100); err != nil && err != unix.EINTR {
			a.fail(err)
			return
		}
		if pfd[0].Revents&unix.POLLHUP != 0 {
			return
		}
		if pfd[0].Revents&unix.POLLIN == 0 {
			continue
		}
		var req seccompNotif
		if err := ioctlPtr(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&req)); err != nil {
			if err == unix.ENOENT || err == unix.EINTR {
				continue // the notifying process went away
			}
			a.fail(err)
			return
		}
		// Success without doing it: the container sees an mkdir that
		// "worked" but made nothing.
		resp := seccompNotifResp{ID: req.ID}
		if err := ioctlPtr(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&resp)); err != nil && err != unix.ENOENT {
			a.fail(err)
			return
		}
		a.mu.Lock()
		a.answered++
		a.mu.Unlock()
	}
}

func ioctlPtr(fd int, req uint, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}

// SCMP_ACT_NOTIFY: the agent at listenerPath receives the notify fd with
// the container's state, and its answer is what the container sees.
func TestSeccompNotifyAgentAnswers(t *testing.T) {
	agent := startNotifyAgent(t)
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("mkdir /tmp/notified && echo mkdir-ok; test -e /tmp/notified && echo exists || echo absent")...)
	spec.Root.Readonly = false
	spec.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction:    specs.ActAllow,
		ListenerPath:     agent.sock,
		ListenerMetadata: "hull-test",
		Syscalls: []specs.LinuxSyscall{{
			Names: []string{"mkdir", "mkdirat"}, Action: specs.ActNotify,
		}},
	}
	c := newContainer(t, rt, spec)
	res := mustSucceed(t, c.runForeground())
	agent.stop()
	if got := strings.Fields(res.stdout); len(got) != 2 || got[0] != "mkdir-ok" || got[1] != "absent" {
		t.Errorf("container printed %q, want mkdir-ok absent (the agent's fake success)", res.stdout)
	}
	agent.mu.Lock()
	defer agent.mu.Unlock()
	if agent.err != nil {
		t.Fatalf("agent: %v", agent.err)
	}
	if agent.answered == 0 {
		t.Errorf("the agent answered no notification")
	}
	st := agent.state
	if st.State.ID != c.id || st.State.Status != specs.StateCreating || st.Pid <= 0 ||
		st.Metadata != "hull-test" || len(st.Fds) != 1 || st.Fds[0] != "seccompFd" {
		t.Errorf("agent got state %+v", st)
	}
}

// With no agent listening at listenerPath the container does not start,
// the error names the field and carries runc's `failed to connect with
// seccomp agent`, and nothing is left behind.
func TestSeccompNotifyWithoutAgentFails(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, "true")
	spec.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		ListenerPath:  filepath.Join(t.TempDir(), "no-agent.sock"),
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActNotify}},
	}
	c := newContainer(t, rt, spec)
	res := c.runForeground()
	if res.code == 0 || !strings.Contains(res.stderr, "linux.seccomp.listenerPath: failed to connect with seccomp agent") {
		t.Errorf("run without a seccomp agent: %v", res)
	}
	if st := rt.run("state", c.id); st.code == 0 {
		t.Errorf("the container is left behind: %v", st)
	}
}
