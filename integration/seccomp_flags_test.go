package integration

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ptraceSeccompGetMetadata is PTRACE_SECCOMP_GET_METADATA (linux/ptrace.h);
// the kernel reports SECCOMP_FILTER_FLAG_LOG of a loaded filter there.
const ptraceSeccompGetMetadata = 0x420d

// filterFlagsOf returns the flags the kernel reports for pid's first
// seccomp filter, seizing it with ptrace for the question.
func filterFlagsOf(t *testing.T, pid int) uint64 {
	t.Helper()
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	if err := unix.PtraceSeize(pid); err != nil {
		t.Fatalf("ptrace seize %d: %v", pid, err)
	}
	defer unix.PtraceDetach(pid)
	if err := unix.PtraceInterrupt(pid); err != nil {
		t.Fatalf("ptrace interrupt %d: %v", pid, err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		t.Fatalf("wait for the stopped tracee: %v", err)
	}
	md := struct{ FilterOff, Flags uint64 }{}
	if _, _, errno := unix.Syscall6(unix.SYS_PTRACE, ptraceSeccompGetMetadata, uintptr(pid),
		unsafe.Sizeof(md), uintptr(unsafe.Pointer(&md)), 0, 0); errno != 0 {
		t.Fatalf("PTRACE_SECCOMP_GET_METADATA: %v", errno)
	}
	return md.Flags
}

// Every SECCOMP_FILTER_FLAG_* runc accepts in linux.seccomp.flags is
// accepted (TSYNC, SPEC_ALLOW, LOG; WAIT_KILLABLE_RECV below) and reaches
// the kernel: LOG is on the loaded filter only when asked for. An unknown
// flag is refused naming the field, and nothing is left behind.
func TestSeccompFlagsReachTheFilter(t *testing.T) {
	for _, tc := range []struct {
		flags   []specs.LinuxSeccompFlag
		wantLog bool
	}{
		{nil, false},
		{[]specs.LinuxSeccompFlag{}, false},
		{[]specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC"}, false},
		{[]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagSpecAllow}, false},
		{[]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog}, true},
		{[]specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow}, true},
	} {
		rt := newRuntime(t)
		c := startSleeper(t, rt, func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Flags:         tc.flags,
				Syscalls:      []specs.LinuxSyscall{{Names: []string{"mknod", "mknodat"}, Action: specs.ActErrno}},
			}
		})
		pid := c.state().Pid
		// The filter is loaded after start, just before execve.
		waitFor(t, "the filter and execve", func() bool {
			status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			return strings.Contains(string(status), "Seccomp:\t2") && strings.HasPrefix(string(cmdline), "sleep")
		})
		flags := filterFlagsOf(t, pid)
		if got := flags&unix.SECCOMP_FILTER_FLAG_LOG != 0; got != tc.wantLog {
			t.Errorf("flags %v: the kernel reports filter flags %#x, want LOG %v", tc.flags, flags, tc.wantLog)
		}
		c.forceDelete()
	}

	rt := newRuntime(t)
	spec := testSpec(t, rt, "true")
	spec.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Flags:         []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_NO_SUCH"},
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mknod"}, Action: specs.ActErrno}},
	}
	c := newContainer(t, rt, spec)
	if res := c.runForeground(); res.code == 0 || !strings.Contains(res.stderr, "linux.seccomp.flags[0]") {
		t.Errorf("an unknown seccomp flag: %v", res)
	}
	if res := rt.run("state", c.id); res.code == 0 {
		t.Errorf("the refused container is left behind: %v", res)
	}
}

// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with a notify agent: once the
// agent has received the notification, a signal the process handles no
// longer interrupts the notified syscall, so the agent's answer is the
// one the process gets. Without the flag the same signal withdraws the
// notification (the chdir fails with EINTR) and the answer fails with
// ENOENT: the test shows both.
func TestSeccompWaitKillableRecvWithAgent(t *testing.T) {
	for _, killable := range []bool{true, false} {
		sendErr := notifyThenSignal(t, killable)
		switch {
		case killable && sendErr != nil:
			t.Errorf("with WAIT_KILLABLE_RECV the agent's answer failed: %v", sendErr)
		case !killable && sendErr != unix.ENOENT:
			t.Errorf("without WAIT_KILLABLE_RECV the agent's answer gave %v, want ENOENT (the signal withdrew the notification)", sendErr)
		}
	}
}

// notifyThenSignal runs a shell that handles SIGUSR1 and calls chdir,
// which a real agent (here) receives; the test sends SIGUSR1 to the
// shell before the agent answers, and returns the answer's error.
func notifyThenSignal(t *testing.T, killable bool) error {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	result := make(chan error, 1)
	go func() { result <- answerAfterSignal(ln) }()

	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("trap 'echo usr1' USR1; cd /tmp && echo cd-answered")...)
	flags := []specs.LinuxSeccompFlag{}
	if killable {
		flags = append(flags, specs.LinuxSeccompFlagWaitKillableRecv)
	}
	spec.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		ListenerPath:  sock,
		Flags:         flags,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"chdir"}, Action: specs.ActNotify}},
	}
	c := newContainer(t, rt, spec)
	// Without the flag the interrupted chdir fails (EINTR) and so does
	// the shell.
	if res := c.runForeground(); killable && (res.code != 0 || !strings.Contains(res.stdout, "cd-answered")) {
		t.Errorf("with WAIT_KILLABLE_RECV the shell's cd did not complete: %v", res)
	}
	select {
	case err := <-result:
		return err
	case <-time.After(commandTimeout):
		t.Fatal("the agent never answered")
		return nil
	}
}

// answerAfterSignal is the agent: it takes the notify fd, receives the
// first notification, sends SIGUSR1 to the notifying process, waits a
// moment and answers success; it answers any later notification at once.
// It returns the error of the first answer.
func answerAfterSignal(ln *net.UnixListener) error {
	conn, err := ln.AcceptUnix()
	if err != nil {
		return err
	}
	buf, oob := make([]byte, 8192), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	conn.Close()
	if err != nil {
		return err
	}
	var state specs.ContainerProcessState
	if err := json.Unmarshal(buf[:n], &state); err != nil {
		return err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return err
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return err
	}
	fd := fds[0]
	defer unix.Close(fd)
	first, firstErr := true, error(nil)
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 5000); err != nil && err != unix.EINTR {
			return err
		}
		if pfd[0].Revents&unix.POLLHUP != 0 || pfd[0].Revents == 0 {
			return firstErr // every process under the filter is gone
		}
		var req seccompNotif
		if err := ioctlPtr(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&req)); err != nil {
			continue
		}
		if first {
			unix.Kill(int(req.Pid), unix.SIGUSR1)
			time.Sleep(300 * time.Millisecond)
		}
		resp := seccompNotifResp{ID: req.ID, Flags: 1} // SECCOMP_USER_NOTIF_FLAG_CONTINUE: run it
		err := ioctlPtr(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&resp))
		if first {
			first, firstErr = false, err
		}
	}
}
