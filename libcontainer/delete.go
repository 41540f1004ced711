package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/internal/crashpoint"
	"github.com/hullrt/hull/internal/phasetrace"
)

// killTimeout bounds the wait for a SIGKILLed init to go away.
const killTimeout = 10 * time.Second

// Delete removes a stopped or created container: its init (if still
// waiting to start) is killed, its cgroup removed, the poststop hooks run
// and its state directory removed. A running or paused container is only
// deleted with force, after SIGKILL.
func (c *Container) Delete(force bool) error {
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	phasetrace.Mark("delete:locked")
	mgr := c.cgroupManager()
	switch status {
	case Stopped:
	case Created:
		if err := c.kill(mgr); err != nil {
			return err
		}
	default:
		if !force {
			return wrongState{fmt.Errorf("cannot delete container %q that is not stopped: %s", c.id, status)}
		}
		if err := c.kill(mgr); err != nil {
			return err
		}
	}
	crashpoint.Here("delete:killed")
	return c.destroy(mgr)
}

// kill SIGKILLs the init and waits for it to exit.
func (c *Container) kill(mgr cgroups.Manager) error {
	err := signalProcess(c.rec.InitPid, c.rec.InitStartTime, unix.SIGKILL)
	if err != nil && !errors.Is(err, errNoProcess) {
		return err
	}
	// A frozen init cannot die until thawed.
	if cgroupFrozen(c.rec.CgroupPaths) {
		mgr.Thaw()
	}
	return waitGone(c.rec.InitPid, c.rec.InitStartTime, killTimeout)
}

// destroy removes what is left of a container whose init is gone.
func (c *Container) destroy(mgr cgroups.Manager) error {
	// With its own pid namespace, the init's death took every other
	// process with it; without one, they may outlive it. An abandoned
	// create recorded no init: whatever it started is in its cgroup, or
	// is its executor.
	if c.rec.intent {
		killAbandonedExecutor(c.rec)
	}
	if c.rec.intent || !hasOwnPidNamespace(c.rec.Spec) {
		if err := killCgroup(mgr, c.rec.CgroupPaths); err != nil {
			return err
		}
	}
	if err := mgr.Destroy(); err != nil {
		return fmt.Errorf("remove cgroup: %w", err)
	}
	crashpoint.Here("delete:cgroup")
	if err := cgroups.RemoveCreatedParents(mgr, c.rec.CgroupCreated); err != nil {
		return fmt.Errorf("remove cgroup parents create made: %w", err)
	}
	if err := destroyIntelRdt(c.rec); err != nil {
		return err
	}
	// The spec asks for a warning per failing hook, and to carry on.
	runHooksWarning(c.rec.Spec, c.rec.hookState(Stopped, 0), phasePoststop,
		func(err error) { logrus.Warn(err) })
	crashpoint.Here("delete:poststop")
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("remove state directory: %w", err)
	}
	return nil
}

// killCgroup SIGKILLs every process in the cgroup until none is left (new
// ones may be forked while we kill), so that the cgroup can be removed.
func killCgroup(mgr cgroups.Manager, paths map[string]string) error {
	deadline := time.Now().Add(killTimeout)
	for {
		pids, err := mgr.Pids()
		if err != nil || len(pids) == 0 {
			return nil // no cgroup left to hold processes
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kill container processes: %d left after %s", len(pids), killTimeout)
		}
		for _, pid := range pids {
			unix.Kill(pid, unix.SIGKILL)
		}
		if cgroupFrozen(paths) {
			mgr.Thaw()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hasOwnPidNamespace reports whether the config gives the container a new
// pid namespace (a pid namespace entry without a path).
func hasOwnPidNamespace(spec *specs.Spec) bool {
	if spec == nil || spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.PIDNamespace {
			return ns.Path == ""
		}
	}
	return false
}
