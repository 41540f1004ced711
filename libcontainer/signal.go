package libcontainer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/internal/phasetrace"
)

// ParseSignal accepts what `kill` takes: a name with or without "SIG"
// (any case: "TERM", "sigkill"), "RTMIN+3", or a number ("15").
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		// 0 only checks that the init is there (kill(2)), as with runc.
		if n < 0 || n > sigRTMax {
			return 0, fmt.Errorf("unknown signal %q", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	if sig, ok := parseRealtime(name); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// The realtime signal range as glibc exposes it to programs (34..64).
const (
	sigRTMin = 34
	sigRTMax = 64
)

// parseRealtime parses SIGRTMIN, SIGRTMIN+n, SIGRTMAX and SIGRTMAX-n.
func parseRealtime(name string) (unix.Signal, bool) {
	for _, base := range []struct {
		prefix string
		value  int
		sign   int
	}{{"SIGRTMIN", sigRTMin, 1}, {"SIGRTMAX", sigRTMax, -1}} {
		rest, ok := strings.CutPrefix(name, base.prefix)
		if !ok {
			continue
		}
		if rest == "" {
			return unix.Signal(base.value), true
		}
		op := "+"
		if base.sign < 0 {
			op = "-"
		}
		num, ok := strings.CutPrefix(rest, op)
		if !ok {
			return 0, false
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			return 0, false
		}
		v := base.value + base.sign*n
		if v < sigRTMin || v > sigRTMax {
			return 0, false
		}
		return unix.Signal(v), true
	}
	return 0, false
}

// ErrNotRunning is returned when signalling a container whose init is gone.
var ErrNotRunning = errors.New("container not running")

// Signal sends sig to the container's init, or with all to every process
// in its cgroup. A created container can be signalled (its init waits on
// the exec fifo). Like runc: SIGKILL reaches every process in the cgroup
// when the container shares the pid namespace (killing the init would
// leave the others running), and with all, processes left in the cgroup
// after the init exited are signalled too; when none is left, or the
// cgroup is gone, that is success (containerd's shim calls `kill --all`
// exactly then). Otherwise a stopped container cannot be signalled.
// Every process means every one, forks included: see signalAllProcesses.
// (runc 1.2 and later keep --all only for that success, and send other
// signals to the init alone; hull keeps runc 1.1's meaning, which
// TestKillAllReachesEveryProcess pins.)
func (c *Container) Signal(sig unix.Signal, all bool) error {
	if err := c.reload(); err != nil {
		return err
	}
	st := c.Status()
	phasetrace.Mark("kill:status")
	defer phasetrace.Mark("kill:signal")
	if st == Creating {
		return c.stateError(ErrNotRunning)
	}
	// The record's summary of the config holds the namespaces: decoding
	// the whole config here cost `kill` ~85 page faults (encoding/json's
	// caches for the whole specs tree).
	sharedPid := !hasOwnPidNamespace(c.rec.Spec)
	if all || (sig == unix.SIGKILL && sharedPid) {
		// signalAll thaws a frozen cgroup it SIGKILLed, as thawKilled does
		// for the init alone.
		if err := c.signalAll(sig); err != nil {
			if !all && st == Stopped {
				return c.stateError(ErrNotRunning)
			}
			return err
		}
		return nil
	}
	if st == Stopped {
		return c.stateError(ErrNotRunning)
	}
	if err := signalProcess(c.rec.InitPid, c.rec.InitStartTime, sig); err != nil {
		if errors.Is(err, errNoProcess) {
			return c.stateError(ErrNotRunning)
		}
		return err
	}
	return c.thawKilled(sig, st)
}

// thawKilled thaws a paused container that was just sent SIGKILL, as
// runc does: the v1 freezer holds a frozen task even against SIGKILL, so
// it would stay paused, neither running nor stopped, and `delete` would
// refuse it without --force. Other signals leave the container paused.
func (c *Container) thawKilled(sig unix.Signal, st Status) error {
	if sig != unix.SIGKILL || st != Paused {
		return nil
	}
	if err := cgroups.Load(c.rec.CgroupPaths).Thaw(); err != nil {
		return fmt.Errorf("thaw the paused container after SIGKILL: %w", err)
	}
	return nil
}

// stateError names the container in an error about its state, so that a
// user with many containers knows which one refused; ErrWrongState and the
// sentinel stay reachable with errors.Is, and the text still contains
// runc's wording, which engines match.
func (c *Container) stateError(err error) error {
	return fmt.Errorf("container %q: %w", c.id, wrongState{err})
}
