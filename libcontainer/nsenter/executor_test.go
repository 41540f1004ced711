package nsenter

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hullrt/hull/libcontainer/nsenter/internal/exetest"
	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

func TestContainerRunsAsPid1WithHostname(t *testing.T) {
	requireRoot(t)
	p := containerProgram(makeRootfs(t))
	mountProc(p)
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("hostname", program.OpHostname, nil, "ctr")
	execShell(p, "hostname; echo $$")
	o := runProgram(t, p, nil)
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	if got := lines(o.output); !slices.Equal(got, []string{"ctr", "1"}) {
		t.Fatalf("container printed %q, want hostname ctr and pid 1", o.output)
	}
	pid := o.find(program.MsgPid)
	if pid == nil || len(pid.Payload) != 4 || pid.OpIndex != 2 {
		t.Fatalf("no MSG_PID from the fork op: %+v", o.msgs)
	}
	if o.msgs[0].Type != program.MsgPid || o.find(program.MsgReady) == nil {
		t.Fatalf("want MSG_PID first and then MSG_READY, got %+v", o.msgs)
	}
}

func TestFailedOpIsReportedWithItsIndex(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWNS})
	p.Add("propagation", program.OpPropagation, []uint64{unix.MS_SLAVE | unix.MS_REC}, "/")
	p.Add("root.path", program.OpRootOpen, nil, makeRootfs(t))
	p.Add("mounts[0] (/missing/dir)", program.OpMountFs, []uint64{0, 0}, "tmpfs", "tmpfs", "/missing/dir")
	execShell(p, "echo should not run")
	o := runProgram(t, p, nil)
	m := o.find(program.MsgError)
	if m == nil {
		t.Fatalf("no MSG_ERROR; messages %+v output %q", o.msgs, o.output)
	}
	if m.OpIndex != 3 || unix.Errno(m.Errno) != unix.ENOENT || !strings.Contains(string(m.Payload), "/missing/dir") {
		t.Fatalf("error names op %d errno %v %q, want op 3, ENOENT, the path", m.OpIndex, unix.Errno(m.Errno), m.Payload)
	}
	if o.output != "" {
		t.Fatalf("the process ran after a failed op: %q", o.output)
	}
}

func TestMalformedProgramIsAnError(t *testing.T) {
	requireRoot(t)
	e, _ := startWithOutput(t)
	good := (&program.Program{Ops: []program.Op{{Code: program.OpHostname, Strs: []string{"x"}}}}).Encode()
	bad := append([]byte{}, good[:len(good)-3]...) // string cut short
	packet := program.EncodeMessage(program.Header{Type: program.MsgProgram}, bad)
	if err := e.sendmsg(packet, nil, "send"); err != nil {
		t.Fatal(err)
	}
	m, err := e.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != program.MsgError || !strings.Contains(string(m.Payload), "decode program") {
		t.Fatalf("got %+v %q, want a decode error", m.Header, m.Payload)
	}
	st, err := e.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.ExitCode() != 1 {
		t.Fatalf("executor exit %v, want a clean exit 1", st)
	}
}

func TestCommandNotFoundInPath(t *testing.T) {
	requireRoot(t)
	p := containerProgram(makeRootfs(t))
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("process.args", program.OpResolveExec, nil, "no-such-cmd", "/usr/bin:/bin")
	o := runProgram(t, p, nil)
	m := o.find(program.MsgError)
	if m == nil || m.OpIndex != 5 || unix.Errno(m.Errno) != unix.ENOENT {
		t.Fatalf("want ENOENT from op 5, got %+v", o.msgs)
	}
	if want := `exec: "no-such-cmd": executable file not found in $PATH`; string(m.Payload) != want {
		t.Fatalf("message %q, want %q", m.Payload, want)
	}
}

func TestSymlinkMountTargetStaysInRoot(t *testing.T) {
	requireRoot(t)
	rootfs := makeRootfs(t)
	name := fmt.Sprintf("hull-escape-%d", os.Getpid())
	if err := os.Symlink("/../../../tmp/"+name, filepath.Join(rootfs, "evil")); err != nil {
		t.Fatal(err)
	}
	host := filepath.Join("/tmp", name)
	t.Cleanup(func() { os.RemoveAll(host) })
	p := containerProgram(rootfs)
	p.Add("mounts[1] (/evil)", program.OpMkdirAll, []uint64{0o755}, "/evil")
	p.Add("mounts[1] (/evil)", program.OpMountFs, []uint64{0, 0}, "tmpfs", "tmpfs", "/evil", "size", "1m")
	mountProc(p)
	p.Add("root", program.OpPivotRoot, nil)
	execShell(p, "cat /proc/self/mountinfo")
	o := runProgram(t, p, nil)
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	if _, err := os.Lstat(host); !os.IsNotExist(err) {
		t.Fatalf("the mount target escaped to the host: %s exists (%v)", host, err)
	}
	if fi, err := os.Stat(filepath.Join(rootfs, "tmp", name)); err != nil || !fi.IsDir() {
		t.Fatalf("the dangling symlink was not followed inside the root: %v", err)
	}
	found := false
	for _, l := range lines(o.output) {
		f := strings.Fields(l)
		if len(f) > 4 && f[4] == "/tmp/"+name && strings.Contains(l, " - tmpfs ") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no tmpfs at /tmp/%s inside the container:\n%s", name, o.output)
	}
}

func TestExecutorBinaryIsReadOnly(t *testing.T) {
	requireRoot(t)
	e, _ := startWithOutput(t)
	exe := "/proc/" + strconv.Itoa(e.Pid) + "/exe"
	exetest.CheckReadOnly(t, exe)
}

func TestEveryTruncationOfAProgramIsAnError(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("", program.OpUmask, []uint64{0o22})
	p.Add("", program.OpHostname, nil, "x")
	full := p.Encode()
	for n := 0; n < len(full); n++ {
		e, _ := startWithOutput(t)
		packet := program.EncodeMessage(program.Header{Type: program.MsgProgram}, full[:n])
		if err := e.sendmsg(packet, nil, "send"); err != nil {
			t.Fatal(err)
		}
		m, err := e.ReadMessage()
		if err != nil || m.Type != program.MsgError || m.OpIndex != ^uint32(0) {
			t.Fatalf("%d of %d bytes: want a decode error, got %+v %v", n, len(full), m, err)
		}
		if st, err := e.Wait(); err != nil || st.ExitCode() != 1 {
			t.Fatalf("%d of %d bytes: executor ended %v %v, want exit 1", n, len(full), st, err)
		}
	}
}

func TestOpWithTooFewArgumentsIsAnError(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("", program.OpUmask, []uint64{0o22})
	p.Add("mounts[0]", program.OpMountBind, []uint64{0}, "/src")
	o := runProgram(t, p, nil)
	m := o.find(program.MsgError)
	if m == nil || m.OpIndex != 1 || unix.Errno(m.Errno) != unix.EINVAL {
		t.Fatalf("want EINVAL for op 1, got %+v", o.msgs)
	}
}

// Images often ship dangling symlinks such as /etc/resolv.conf ->
// /run/resolv.conf; creating through them lands at the target inside the
// root, however many ".." the link has.
func TestCreateThroughDanglingSymlinks(t *testing.T) {
	requireRoot(t)
	rootfs := makeRootfs(t)
	links := map[string]string{
		"etc/resolv.conf": "/run/systemd/resolve/stub-resolv.conf",
		"var/data":        "../../../../srv/data",
	}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(rootfs, link)); err != nil {
			t.Fatal(err)
		}
	}
	p := &program.Program{}
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWNS})
	p.Add("propagation", program.OpPropagation, []uint64{unix.MS_SLAVE | unix.MS_REC}, "/")
	p.Add("root.path", program.OpRootOpen, nil, rootfs)
	p.Add("mounts[0]", program.OpMkfile, []uint64{0o644}, "/etc/resolv.conf")
	p.Add("mounts[1]", program.OpMkdirAll, []uint64{0o755}, "/var/data/sub/dir")
	o := runProgram(t, p, nil)
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	if fi, err := os.Stat(filepath.Join(rootfs, "run/systemd/resolve/stub-resolv.conf")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("file not created at the link target inside the root: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(rootfs, "srv/data/sub/dir")); err != nil || !fi.IsDir() {
		t.Errorf("directories not created at the link target inside the root: %v", err)
	}
}

func TestMoveRootWithoutPivot(t *testing.T) {
	requireRoot(t)
	p := containerProgram(makeRootfs(t))
	mountProc(p)
	p.Add("root (--no-pivot)", program.OpMoveRoot, nil)
	execShell(p, "echo $$; ls /bin/busybox; awk '$5 == \"/\" { print \"root=\" $4 }' /proc/self/mountinfo | head -n 1")
	o := runProgram(t, p, nil)
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	got := lines(o.output)
	if len(got) != 3 || got[0] != "1" || got[1] != "/bin/busybox" || got[2] == "root=/" {
		t.Fatalf("container printed %q, want pid 1 in the moved rootfs", o.output)
	}
}

// pivot_root refuses a shared parent mount and binding an unbindable one
// fails: the root op makes the mount holding the rootfs private first.
func TestRootfsUnderSharedOrUnbindableRoot(t *testing.T) {
	requireRoot(t)
	for name, flags := range map[string]uint64{"shared": unix.MS_SHARED, "unbindable": unix.MS_UNBINDABLE} {
		t.Run(name, func(t *testing.T) {
			p := &program.Program{}
			p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWNS | unix.CLONE_NEWPID})
			p.Add("linux.rootfsPropagation", program.OpPropagation, []uint64{flags | unix.MS_REC}, "/")
			p.Add("fork", program.OpFork, nil)
			p.Add("root.path", program.OpRootOpen, nil, makeRootfs(t))
			mountProc(p)
			p.Add("root", program.OpPivotRoot, nil)
			execShell(p, "echo $$")
			o := runProgram(t, p, nil)
			if e := o.errorText(); e != "" {
				t.Fatalf("executor failed: %s", e)
			}
			if o.output != "1\n" {
				t.Fatalf("container printed %q, want its pid 1", o.output)
			}
		})
	}
}

// An option fsconfig refuses sends the mount through mount(2), which
// refuses it too here; the error keeps the kernel's reason.
func TestMountFsUnknownOptionIsReported(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWNS})
	p.Add("propagation", program.OpPropagation, []uint64{unix.MS_SLAVE | unix.MS_REC}, "/")
	p.Add("root.path", program.OpRootOpen, nil, makeRootfs(t))
	p.Add("mounts[0] (/tmp)", program.OpMountFs, []uint64{0, 0}, "tmpfs", "tmpfs", "/tmp", "no-such-option", "")
	o := runProgram(t, p, nil)
	m := o.find(program.MsgError)
	if m == nil || m.OpIndex != 3 || unix.Errno(m.Errno) != unix.EINVAL {
		t.Fatalf("want EINVAL for op 3, got %+v", o.msgs)
	}
	t.Logf("message: %s", m.Payload)
	if msg := string(m.Payload); !strings.Contains(msg, "mount tmpfs on /tmp") || !strings.Contains(msg, "no-such-option") {
		t.Fatalf("message %q lacks the mount and the kernel's reason", msg)
	}
}
