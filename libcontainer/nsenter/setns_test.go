package nsenter

import (
	"bufio"
	"encoding/binary"
	"os"
	"strconv"
	"testing"

	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

// startSleepingContainer runs a container whose init stays up until the
// test ends, and returns its host pid.
func startSleepingContainer(t *testing.T) int {
	t.Helper()
	p := containerProgram(makeRootfs(t))
	mountProc(p)
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("hostname", program.OpHostname, nil, "ctr")
	execShell(p, "echo up; exec sleep 1000")
	e, out := startWithOutput(t)
	if err := e.SendProgram(p); err != nil {
		t.Fatal(err)
	}
	m, err := e.ReadMessage()
	if err != nil || m.Type != program.MsgPid || len(m.Payload) != 4 {
		t.Fatalf("want MSG_PID, got %+v %v", m, err)
	}
	pid := int(binary.LittleEndian.Uint32(m.Payload))
	t.Cleanup(func() { unix.Kill(pid, unix.SIGKILL) })
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "up\n" {
		t.Fatalf("container did not start: %q %v", line, err)
	}
	return pid
}

func TestExecJoinsContainerNamespaces(t *testing.T) {
	requireRoot(t)
	pid := startSleepingContainer(t)
	p := &program.Program{}
	for _, ns := range []struct {
		name string
		flag uint64
	}{{"ipc", unix.CLONE_NEWIPC}, {"uts", unix.CLONE_NEWUTS}, {"pid", unix.CLONE_NEWPID}, {"mnt", unix.CLONE_NEWNS}} {
		f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/" + ns.name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		idx := p.AddFile(f, "ns:"+ns.name)
		p.Add("namespaces", program.OpSetns, []uint64{idx, ns.flag})
	}
	p.Add("fork", program.OpFork, nil)
	p.Add("process.cwd", program.OpChdir, nil, "/proc")
	execShell(p, "hostname; echo $$; pwd; cat /proc/1/comm")
	o := runProgram(t, p, nil)
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s", e)
	}
	got := lines(o.output)
	if len(got) != 4 || got[0] != "ctr" || got[1] == "1" || got[2] != "/proc" || got[3] != "sleep" {
		t.Fatalf("exec printed %q, want the container's hostname, a pid other than 1, cwd /proc, init sleep", o.output)
	}
	// Only the init and our shell live in the container's pid namespace.
	if n, err := strconv.Atoi(got[1]); err != nil || n < 2 || n > 100 {
		t.Fatalf("exec pid %q is not in the container's pid namespace", got[1])
	}
}
