package libcontainer

import (
	"errors"
	"io/fs"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/libcontainer/program"
)

func TestExecutorErrorNamesOrigin(t *testing.T) {
	p := &program.Program{}
	p.Add("root", program.OpRootOpen, nil, "/r")
	p.Add("mounts[3] (/data)", program.OpMountBind, nil, "/src", "/data")
	err := executorError(p, &nsenter.Message{
		Header:  program.Header{Type: program.MsgError, OpIndex: 1, Errno: int32(unix.ENOENT)},
		Payload: []byte("mount-bind /src\x00"),
	})
	if want := "mounts[3] (/data): mount-bind /src: no such file or directory"; err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("errno not unwrapped")
	}
	err = executorError(p, &nsenter.Message{Header: program.Header{OpIndex: 99}, Payload: []byte("bad program")})
	if want := "executor: bad program"; err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
}
