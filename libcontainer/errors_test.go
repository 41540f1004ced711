package libcontainer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/testbundle"
	"github.com/hullrt/hull/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The typed errors and WaitContext against a real container: a status
// error matches ErrWrongState and its own sentinel, a wait that runs out
// of time leaves the init running, and the exit status is still there for
// the next wait.
func TestWrongStateErrorsAndWaitContext(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	spec := specconv.Example(false)
	spec.Process.Terminal = false
	spec.Process.Args = []string{"sleep", "60"}
	plan, err := specconv.LoadBundle(testbundle.New(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "state")
	id := "lib-" + strings.ToLower(filepath.Base(t.TempDir()))
	c, err := Create(root, id, plan, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Delete(true) })
	if err := c.Resume(); !errors.Is(err, ErrWrongState) || !errors.Is(err, ErrNotPaused) {
		t.Fatalf("resume of a created container: %v, want ErrWrongState and ErrNotPaused", err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); !errors.Is(err, ErrWrongState) {
		t.Fatalf("second start: %v, want ErrWrongState", err)
	}
	if err := c.Delete(false); !errors.Is(err, ErrWrongState) {
		t.Fatalf("delete of a running container: %v, want ErrWrongState", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.WaitContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait of a sleeping container: %v, want the deadline", err)
	}
	if st := c.Status(); st != Running {
		t.Fatalf("after an abandoned wait the container is %s, want running", st)
	}
	if err := c.Signal(unix.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	// A context that can end: the pidfd path, which must reap and report.
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, err := c.WaitContext(ctx)
	if err != nil || code != 137 {
		t.Fatalf("wait after SIGKILL: %d, %v; want 137", code, err)
	}
	if err := c.Signal(unix.SIGTERM, false); !errors.Is(err, ErrWrongState) || !errors.Is(err, ErrNotRunning) {
		t.Fatalf("signal to a stopped container: %v, want ErrWrongState and ErrNotRunning", err)
	}
	if _, err := Load(root, "no-such-container"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("load of an unknown id: %v, want ErrNotExist", err)
	}
}

// A label the host cannot apply is an error naming the field that callers
// can tell apart as a missing host feature.
func TestMissingLSMIsErrUnsupported(t *testing.T) {
	err := checkProcessLSM(&specs.Process{ApparmorProfile: "p"}, lsmHost{})
	if !errors.Is(err, errors.ErrUnsupported) || !strings.HasPrefix(err.Error(), "process.apparmorProfile: ") {
		t.Fatalf("got %v, want process.apparmorProfile: ... matching errors.ErrUnsupported", err)
	}
}
