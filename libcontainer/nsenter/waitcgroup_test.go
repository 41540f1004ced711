package nsenter

import (
	"errors"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

// talk sends p, then each of replies, and collects the executor's
// messages until EOF; answer handles MSG_USERMAP_REQ. It returns the
// messages and the executor's exit code.
func talk(t *testing.T, p *program.Program, replies []program.MsgType, answer func(e *Executor)) ([]*Message, int) {
	t.Helper()
	e, _ := startWithOutput(t)
	if err := e.SendProgram(p); err != nil {
		t.Fatal(err)
	}
	for _, r := range replies {
		if err := e.Reply(r); err != nil {
			t.Fatal(err)
		}
	}
	var msgs []*Message
	for {
		m, err := e.ReadMessage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
		if m.Type == program.MsgUsermapReq {
			answer(e)
		}
	}
	st, err := e.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return msgs, st.ExitCode()
}

func types(msgs []*Message) []program.MsgType {
	var out []program.MsgType
	for _, m := range msgs {
		out = append(out, m.Type)
	}
	return out
}

// MSG_CGROUP_READY sent right after the program reaches OP_WAIT_CGROUP
// even when the user-namespace handshake reads the socket first.
func TestWaitCgroupAfterUsermapHandshake(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("linux.uidMappings", program.OpUnshareUser, nil)
	p.Add("linux.cgroupsPath", program.OpWaitCgroup, nil)
	p.Add("ready", program.OpReady, nil)
	msgs, code := talk(t, p, []program.MsgType{program.MsgCgroupReady}, func(e *Executor) {
		for _, f := range []string{"uid_map", "gid_map"} {
			if err := os.WriteFile("/proc/"+strconv.Itoa(e.Pid)+"/"+f, []byte("0 0 65536\n"), 0); err != nil {
				t.Errorf("write %s: %v", f, err)
			}
		}
		if err := e.Reply(program.MsgAck); err != nil {
			t.Error(err)
		}
	})
	if got := types(msgs); code != 0 || len(got) != 2 || got[0] != program.MsgUsermapReq || got[1] != program.MsgReady {
		t.Fatalf("executor exited %d with messages %v, want 0 and USERMAP_REQ, READY", code, got)
	}
}

func TestWaitCgroupAbortAndWrongMessage(t *testing.T) {
	requireRoot(t)
	p := &program.Program{}
	p.Add("linux.cgroupsPath", program.OpWaitCgroup, nil)
	p.Add("ready", program.OpReady, nil)
	// Abort: exit 1 quietly, READY never sent.
	if msgs, code := talk(t, p, []program.MsgType{program.MsgAbort}, nil); code != 1 || len(msgs) != 0 {
		t.Fatalf("abort: executor exited %d with messages %v, want 1 and none", code, types(msgs))
	}
	// Anything else is a protocol error of the op.
	msgs, code := talk(t, p, []program.MsgType{program.MsgAck}, nil)
	if code != 1 || len(msgs) != 1 || msgs[0].Type != program.MsgError || msgs[0].OpIndex != 0 || unix.Errno(msgs[0].Errno) != unix.EPROTO {
		t.Fatalf("ack: executor exited %d with messages %+v, want 1 and an EPROTO error of op 0", code, msgs)
	}
}
