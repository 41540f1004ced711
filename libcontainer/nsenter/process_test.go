package nsenter

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

// denyFilter is seccomp BPF (x86_64 numbers) failing the given syscalls
// with EPERM and allowing the rest.
func denyFilter(nrs ...uint32) string {
	type insn struct {
		code   uint16
		jt, jf uint8
		k      uint32
	}
	prog := []insn{{unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, 0, 0, 0}}
	for i, nr := range nrs {
		// On a match jump over the remaining checks and the allow.
		prog = append(prog, insn{unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, uint8(len(nrs) - i), 0, nr})
	}
	prog = append(prog,
		insn{unix.BPF_RET | unix.BPF_K, 0, 0, unix.SECCOMP_RET_ALLOW},
		insn{unix.BPF_RET | unix.BPF_K, 0, 0, unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)})
	var b []byte
	for _, i := range prog {
		b = binary.LittleEndian.AppendUint16(b, i.code)
		b = append(b, i.jt, i.jf)
		b = binary.LittleEndian.AppendUint32(b, i.k)
	}
	return string(b)
}

func TestProcessSetup(t *testing.T) {
	requireRoot(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("seccomp filter uses x86_64 syscall numbers")
	}
	rootfs := makeRootfs(t)
	if err := os.MkdirAll(filepath.Join(rootfs, "secret"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "secret", "file"), []byte("s3cret"), 0o644); err != nil {
		t.Fatal(err)
	}
	const keep = 1<<unix.CAP_CHOWN | 1<<unix.CAP_KILL
	p := containerProgram(rootfs)
	p.Add("linux.devices", program.OpMkfile, []uint64{0o644}, "/dev/null")
	p.Add("linux.devices", program.OpMountBind, []uint64{0, 0, 0, 0}, "/dev/null", "/dev/null")
	p.Add("umask during setup", program.OpUmask, []uint64{0o077}) // device modes must ignore it
	p.Add("linux.devices", program.OpMknod, []uint64{unix.S_IFCHR | 0o666, 1, 5, 0, 0}, "/dev/zero")
	p.Add("dev symlinks", program.OpSymlink, nil, "/proc/self/fd", "/dev/fd")
	p.Add("mounts[1] (/data)", program.OpMkdirAll, []uint64{0o755}, "/data")
	p.Add("mounts[1] (/data)", program.OpMountBind, []uint64{1, unix.MOUNT_ATTR_RDONLY, 0, unix.MS_PRIVATE}, filepath.Join(rootfs, "etc"), "/data")
	mountProc(p)
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("linux.maskedPaths", program.OpMask, nil, "/secret")
	p.Add("linux.maskedPaths", program.OpMask, nil, "/proc/version")
	p.Add("linux.maskedPaths", program.OpMask, nil, "/no/such/path")
	p.Add("linux.readonlyPaths", program.OpReadonly, nil, "/proc/sys")
	p.Add("linux.sysctl", program.OpSysctl, nil, "kernel/hostname", "viasysctl")
	p.Add("process.rlimits", program.OpRlimit, []uint64{unix.RLIMIT_NOFILE, 1000, 1000})
	p.Add("process.cwd", program.OpMkdirAll, []uint64{0o755}, "/work")
	p.Add("process.cwd", program.OpChdir, nil, "/work")
	p.Add("process.umask", program.OpUmask, []uint64{0o027})
	p.Add("process.capabilities", program.OpCapBounding, []uint64{keep})
	p.Add("process.user", program.OpSetUser, []uint64{1000, 1000, 1, 2000})
	p.Add("process.capabilities", program.OpCaps, []uint64{0, 0, 0, 0})
	p.Add("process.noNewPrivileges", program.OpNoNewPrivs, nil)
	p.Add("linux.seccomp", program.OpSeccomp, []uint64{0}, denyFilter(unix.SYS_MKDIR, unix.SYS_MKDIRAT))
	execShell(p, `
echo host=$(hostname)
echo ids=$(id -u) $(id -G)
echo cwd=$(pwd) umask=$(umask) nofile=$(ulimit -n)
echo secret=$(ls /secret | wc -l) version=$(wc -c < /proc/version)
grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status | tr -d '\t'
mkdir /tmp/x 2>/dev/null || echo mkdir=denied
test -c /dev/zero && echo zero=$(head -c 3 /dev/zero | wc -c)
echo fd=$(readlink /dev/fd) null=$(stat -c %t:%T /dev/null) zero=$(stat -c %a /dev/zero)
echo etc=$(cat /data/passwd | head -n 1)
touch /data/x 2>/dev/null || echo data=ro
awk '$5 == "/proc/sys" { print "procsys=" substr($6, 1, 2) }' /proc/self/mountinfo
`)
	o := runProgram(t, p, nil)
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s\n%s", e, o.output)
	}
	for _, want := range []string{
		"host=viasysctl",
		"ids=1000 1000 2000",
		"cwd=/work umask=0027 nofile=1000",
		"secret=0 version=0",
		"CapBnd:" + strings.Repeat("0", 16-len(strconv.FormatUint(keep, 16))) + strconv.FormatUint(keep, 16),
		"CapEff:0000000000000000",
		"NoNewPrivs:1",
		"mkdir=denied",
		"zero=3",
		"fd=/proc/self/fd null=1:3 zero=666",
		"etc=root:x:0:0:root:/root:/bin/sh",
		"data=ro",
		"procsys=ro",
	} {
		if !strings.Contains(o.output, want+"\n") {
			t.Errorf("container output lacks %q:\n%s", want, o.output)
		}
	}
}

func TestConsoleBecomesControllingTerminal(t *testing.T) {
	requireRoot(t)
	p := containerProgram(makeRootfs(t))
	p.Add("dev/pts", program.OpMkdirAll, []uint64{0o755}, "/dev/pts")
	p.Add("dev/pts", program.OpMountFs, []uint64{unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NOEXEC, 0}, "devpts", "devpts", "/dev/pts", "newinstance", "", "ptmxmode", "0666")
	p.Add("dev/ptmx", program.OpSymlink, nil, "pts/ptmx", "/dev/ptmx")
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("process.terminal", program.OpConsole, nil)
	execShell(p, "tty; echo sid=$(cut -d' ' -f6 /proc/self/stat) pid=$$")
	var master *os.File
	o := runProgram(t, p, func(e *Executor, m *Message) {
		if m.Type == program.MsgConsole {
			master = m.File
		}
	})
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	if master == nil {
		t.Fatal("no pty master received")
	}
	defer master.Close()
	// The shell has exited: the master yields what it wrote, then EIO.
	out, _ := io.ReadAll(master)
	text := strings.ReplaceAll(string(out), "\r", "")
	if !strings.Contains(text, "/dev/pts/0\n") || !strings.Contains(text, "pid=") {
		t.Fatalf("terminal output %q, want the tty /dev/pts/0", text)
	}
	if o.output != "" {
		t.Fatalf("output went to the old stdout: %q", o.output)
	}
}

func TestUserNamespaceHandshake(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("linux.uidMappings", program.OpUnshareUser, nil)
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWUTS})
	p.Add("hostname", program.OpHostname, nil, "userns")
	p.Add("process.args", program.OpResolveExec, nil, "sh", "/bin:/usr/bin")
	p.Add("process.args", program.OpExec, []uint64{3}, "sh", "-c", "echo $(id -u) $(hostname); cat /proc/self/uid_map", "PATH=/bin:/usr/bin")
	o := runProgram(t, p, writeMaps(t, "0 100000 65536\n"))
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	if o.find(program.MsgUsermapReq) == nil {
		t.Fatal("no MSG_USERMAP_REQ")
	}
	got := strings.Fields(o.output)
	if len(got) != 5 || got[0] != "0" || got[1] != "userns" || got[2] != "0" || got[3] != "100000" || got[4] != "65536" {
		t.Fatalf("container printed %q, want root of a mapped user namespace", o.output)
	}
}

func TestHookAbortStopsTheExecutor(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("hooks.createRuntime", program.OpHooks, []uint64{program.HooksCreateRuntime})
	p.Add("process.args", program.OpExec, []uint64{1}, "/bin/echo", "ran")
	var phase uint32
	o := runProgram(t, p, func(e *Executor, m *Message) {
		if len(m.Payload) == 4 {
			phase = binary.LittleEndian.Uint32(m.Payload)
		}
		e.Reply(program.MsgAbort)
	})
	if phase != program.HooksCreateRuntime {
		t.Fatalf("hook phase %d, want %d", phase, program.HooksCreateRuntime)
	}
	if o.output != "" || o.find(program.MsgError) != nil {
		t.Fatalf("executor went on after abort: %q %+v", o.output, o.msgs)
	}
}

func TestWaitStartThenExec(t *testing.T) {
	requireRoot(t)
	fifo := filepath.Join(t.TempDir(), "exec.fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &program.Program{}
	idx := p.AddFile(f, "exec fifo")
	p.Add("ready", program.OpReady, nil)
	p.Add("start", program.OpWaitStart, []uint64{idx})
	p.Add("process.args", program.OpExec, []uint64{2}, "/bin/echo", "started")
	e, out := startWithOutput(t)
	if err := e.SendProgram(p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m, err := e.ReadMessage()
	if err != nil || m.Type != program.MsgReady {
		t.Fatalf("want MSG_READY, got %+v %v", m, err)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{0})
	w.Close()
	data, _ := io.ReadAll(out)
	if string(data) != "started\n" {
		t.Fatalf("output %q, want started", data)
	}
}

// An init waiting for start dies with its parent until the parent says
// the create is done (MsgCreated); after that it outlives it and starts.
func TestWaitStartDiesWithTheCreateUntilCreated(t *testing.T) {
	requireRoot(t)
	for _, created := range []bool{false, true} {
		fifo := filepath.Join(t.TempDir(), "exec.fifo")
		if err := unix.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := &program.Program{}
		idx := p.AddFile(f, "exec fifo")
		p.Add("ready", program.OpReady, nil)
		p.Add("start", program.OpWaitStart, []uint64{idx})
		p.Add("process.args", program.OpExec, []uint64{2}, "/bin/echo", "started")
		e, out := startWithOutput(t)
		if err := e.SendProgram(p); err != nil {
			t.Fatal(err)
		}
		if m, err := e.ReadMessage(); err != nil || m.Type != program.MsgReady {
			t.Fatalf("want MSG_READY, got %+v %v", m, err)
		}
		if created {
			if err := e.Reply(program.MsgCreated); err != nil {
				t.Fatal(err)
			}
		}
		// The parent goes away (a killed create, or one that finished).
		e.Sock.Close()
		if created {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte{0})
			w.Close()
		}
		f.Close()
		st, err := e.Wait()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(out)
		switch {
		case created && (!st.Success() || string(data) != "started\n"):
			t.Errorf("after MsgCreated: exit %v, output %q; want the init to outlive its parent and start", st, data)
		case !created && (st.Success() || len(data) != 0):
			t.Errorf("parent gone before MsgCreated: exit %v, output %q; want the init to exit 1 at once", st, data)
		}
	}
}

func TestExecFailureIsReported(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("process.args", program.OpExec, []uint64{1}, "/no/such/binary")
	o := runProgram(t, p, nil)
	m := o.find(program.MsgError)
	if m == nil || m.OpIndex != 0 || unix.Errno(m.Errno) != unix.ENOENT || string(m.Payload) != "exec /no/such/binary" {
		t.Fatalf("want an exec error for op 0, got %+v", o.msgs)
	}
	// Reported once: to the parent that listens, not also on stderr.
	if o.output != "" {
		t.Fatalf("stderr %q", o.output)
	}
}

func TestTimeOffsetsAndOomScore(t *testing.T) {
	requireRoot(t)
	// Raising needs no CAP_SYS_RESOURCE (which this test machine lacks).
	const oomAdj = 500
	p := &program.Program{}
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWTIME})
	p.Add("linux.timeOffsets", program.OpTimensOffsets, nil, "boottime 864000 0\nmonotonic 864000 0\n")
	p.Add("process.oomScoreAdj", program.OpOomScoreAdj, []uint64{oomAdj})
	p.Add("fork", program.OpFork, nil)
	p.Add("process.args", program.OpExec, []uint64{3}, "/bin/sh", "-c", "cat /proc/self/oom_score_adj; cut -d. -f1 /proc/uptime")
	o := runProgram(t, p, nil)
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	got := lines(o.output)
	if len(got) != 2 || got[0] != "500" {
		t.Fatalf("container printed %q, want oom_score_adj 500 and the uptime", o.output)
	}
	if up, err := strconv.Atoi(got[1]); err != nil || up < 864000 {
		t.Fatalf("uptime %q inside the time namespace lacks the 10-day offset", got[1])
	}
}

// A seccomp profile loaded before the last ops may refuse faccessat2 and
// close_range; PATH search and fd closing must still work, like runc.
func TestResolveAndCloseFdsUnderSeccomp(t *testing.T) {
	requireRoot(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("seccomp filter uses x86_64 syscall numbers")
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	e, r := startWithOutput(t, devNull, devNull) // fds 3 (preserved) and 4 (to close)
	p := containerProgram(makeRootfs(t))
	mountProc(p)
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("linux.seccomp", program.OpSeccomp, []uint64{0}, denyFilter(unix.SYS_FACCESSAT2, unix.SYS_CLOSE_RANGE))
	p.Add("process.args", program.OpResolveExec, nil, "sh", "/usr/bin:/bin")
	p.Add("fds", program.OpCloseFds, []uint64{4})
	p.Add("process.args", program.OpExec, []uint64{3}, "sh", "-c",
		"for fd in 3 4; do [ -e /proc/$$/fd/$fd ] && echo $fd=open || echo $fd=closed; done", "PATH=/bin")
	if err := e.SendProgram(p); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := e.ReadMessage()
		if err != nil {
			break
		}
		if m.Type == program.MsgError {
			t.Fatalf("executor failed at op %d: %s: %v", m.OpIndex, m.Payload, unix.Errno(m.Errno))
		}
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != "3=open\n4=closed\n" {
		t.Fatalf("container fds: %q, want 3 kept and 4 closed", got)
	}
}
