package libcontainer

import (
	"errors"
	"fmt"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/internal/phasetrace"
)

// signalAll signals every process in the container's cgroup; a cgroup
// that is gone holds none. It holds the container's lock, as pause and
// resume do: neither may run between its freeze and its thaw, or the
// thaw would undo a pause (or the freeze outlive a resume).
func (c *Container) signalAll(sig unix.Signal) error {
	// One manager serves every call: each closes the descriptors it
	// cached before it returns.
	m := cgroups.Load(c.rec.CgroupPaths)
	if !m.Exists() {
		return nil
	}
	lock, err := lockDir(c.dir, c.id)
	if err != nil {
		return err
	}
	defer lock.unlock()
	return signalAllProcesses(m, sig, cgroupFrozen(c.rec.CgroupPaths))
}

// signalAllProcesses is runc's signalAllProcesses: none of the cgroup's
// processes escapes the signal by forking. SIGKILL goes through
// cgroup.kill when the kernel has it (the kernel kills the children
// forked meanwhile too); otherwise, and for every other signal, the pids
// are listed and signalled while the cgroup is frozen, so that nothing
// forks between the listing and the signals.
//
// frozen says the cgroup was frozen already (a paused container): it
// stays frozen, as in runc, where a signal other than SIGKILL waits,
// pending, for resume. After SIGKILL it is thawed, as runc does: the v1
// freezer holds a frozen task even against SIGKILL, so the container
// would stay paused, neither running nor stopped, and `delete` would
// refuse it without --force. The thaw comes after the signal, so that no
// process runs, and forks, before it is killed.
func signalAllProcesses(m cgroups.Manager, sig unix.Signal, frozen bool) error {
	if sig == unix.SIGKILL {
		err := m.Kill()
		if err == nil {
			phasetrace.Mark("kill:cgroup.kill")
			return thawAfterKill(m, frozen)
		}
		if !errors.Is(err, cgroups.ErrKillUnsupported) {
			return err
		}
	}
	froze := false
	// Signal 0 delivers nothing, so nothing can fork in answer to it:
	// freezing would only stall the container.
	if !frozen && sig != 0 {
		// Without the freezer the signals still go out, as in runc: the
		// listing is as good as it was before freezing existed.
		if err := m.Freeze(); err != nil {
			logrus.Warnf("signal every process without freezing the container first: %v", err)
		} else {
			froze = true
			phasetrace.Mark("kill:frozen")
		}
	}
	pids, err := m.Pids()
	if err != nil {
		err = fmt.Errorf("list container processes: %w", err)
	} else {
		err = signalEach(pids, sig)
	}
	if froze && sig != unix.SIGKILL {
		if terr := m.Thaw(); terr != nil {
			// runc warns too: the signals went out, and the container
			// can still be resumed.
			logrus.Warnf("thaw the container after signalling every process: %v", terr)
		} else {
			phasetrace.Mark("kill:thawed")
		}
		return err
	}
	if sig == unix.SIGKILL && (froze || frozen) {
		return errors.Join(err, thawAfterKill(m, true))
	}
	return err
}

// thawAfterKill thaws a cgroup that was frozen when its processes got
// SIGKILL, so that they can die.
func thawAfterKill(m cgroups.Manager, frozen bool) error {
	if !frozen {
		return nil
	}
	if err := m.Thaw(); err != nil {
		return fmt.Errorf("thaw the container after SIGKILL: %w", err)
	}
	phasetrace.Mark("kill:thawed")
	return nil
}

// signalEach sends sig to every pid; one that is gone is no failure, and
// one that fails does not keep the others from their signal.
func signalEach(pids []int, sig unix.Signal) error {
	var errs []error
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("send %s to %d: %w", unix.SignalName(sig), pid, err))
		}
	}
	return errors.Join(errs...)
}
