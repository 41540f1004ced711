package nsenter

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

// writeMaps answers MSG_USERMAP_REQ the way the parent does.
func writeMaps(t *testing.T, mapping string) func(e *Executor, m *Message) {
	return func(e *Executor, m *Message) {
		if m.Type != program.MsgUsermapReq {
			e.Reply(program.MsgAck)
			return
		}
		for _, f := range []string{"uid_map", "gid_map"} {
			if err := os.WriteFile("/proc/"+strconv.Itoa(e.Pid)+"/"+f, []byte(mapping), 0); err != nil {
				t.Errorf("write %s: %v", f, err)
			}
		}
		if err := e.Reply(program.MsgAck); err != nil {
			t.Error(err)
		}
	}
}

// A container in its own user namespace: no mknod there, so /dev/null is
// a bind of the host's, and masks, read-only paths and sysctls must work
// with mounts owned by that namespace.
func TestUserNamespaceContainer(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("linux.uidMappings", program.OpUnshareUser, nil)
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWUTS | unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWIPC})
	p.Add("propagation", program.OpPropagation, []uint64{unix.MS_SLAVE | unix.MS_REC}, "/")
	p.Add("fork", program.OpFork, nil)
	p.Add("root.path", program.OpRootOpen, nil, makeRootfs(t))
	mountProc(p)
	p.Add("mounts[1] (/dev)", program.OpMountFs, []uint64{unix.MOUNT_ATTR_NOSUID, 0}, "tmpfs", "tmpfs", "/dev", "mode", "755")
	p.Add("devices", program.OpMkfile, []uint64{0o644}, "/dev/null")
	p.Add("devices", program.OpMountBind, []uint64{0, 0, 0, 0}, "/dev/null", "/dev/null")
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("linux.maskedPaths", program.OpMask, nil, "/proc/version")
	p.Add("linux.maskedPaths", program.OpMask, nil, "/proc/driver")
	p.Add("linux.readonlyPaths", program.OpReadonly, nil, "/proc/sys")
	p.Add("linux.sysctl", program.OpSysctl, nil, "kernel/hostname", "userctr")
	p.Add("root.readonly", program.OpRemountRo, nil, "/")
	execShell(p, `
echo id=$(id -u) map=$(cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')
echo host=$(hostname) version=$(wc -c < /proc/version) driver=$(ls /proc/driver | wc -l)
touch /x 2>/dev/null || echo root=ro
echo 1 > /proc/sys/kernel/hostname 2>/dev/null || echo procsys=ro
`)
	o := runProgram(t, p, writeMaps(t, "0 0 65536\n"))
	if e := o.errorText(); e != "" {
		t.Fatalf("executor failed: %s\n%s", e, o.output)
	}
	for _, want := range []string{"id=0 map=0 0 65536", "host=userctr version=0 driver=0", "root=ro", "procsys=ro"} {
		if !strings.Contains(o.output, want+"\n") {
			t.Errorf("container output lacks %q:\n%s", want, o.output)
		}
	}
}
