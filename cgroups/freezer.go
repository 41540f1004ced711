package cgroups

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// freezeWait bounds how long Freeze and Thaw wait for the kernel to report
// the new state; a task stuck in an uninterruptible sleep can hold a v1
// freezer in FREEZING indefinitely.
const freezeWait = 10 * time.Second

func (m *manager) Freeze() error {
	defer m.release()
	if m.loadErr != nil {
		return m.loadErr
	}
	if c := m.freezerV1(); c != nil {
		return freezeV1(c.dir, "FROZEN")
	}
	if c := m.v2(); c != nil {
		return freezeV2(c.dir, true)
	}
	return errors.New("freeze: no freezer cgroup (v1 freezer or cgroup2) is available")
}

func (m *manager) Thaw() error {
	defer m.release()
	if m.loadErr != nil {
		return m.loadErr
	}
	if c := m.freezerV1(); c != nil {
		return freezeV1(c.dir, "THAWED")
	}
	if c := m.v2(); c != nil {
		return freezeV2(c.dir, false)
	}
	return errors.New("thaw: no freezer cgroup (v1 freezer or cgroup2) is available")
}

// freezerV1 prefers the v1 freezer on v1 and hybrid hosts: the cgroup2
// freezer of a hybrid host would freeze the same processes, but pause
// state is read from v1 by the other tools on such hosts.
func (m *manager) freezerV1() *cgroup {
	if m.pureV2 {
		return nil
	}
	return m.v1("freezer")
}

// freezeV1 writes state and waits until freezer.state shows it. The kernel
// may leave a cgroup in FREEZING when a task is busy at the moment of the
// write; writing FROZEN again retries the tasks that were missed.
func freezeV1(d cgroupDir, state string) error {
	verb := map[string]string{"FROZEN": "freeze", "THAWED": "thaw"}[state]
	deadline := time.Now().Add(freezeWait)
	delay := 100 * time.Microsecond
	for i := 0; ; i++ {
		if i%10 == 0 {
			if err := d.write("freezer.state", state); err != nil {
				return fmt.Errorf("%s: %w", verb, err)
			}
		}
		got, err := d.read("freezer.state")
		if err != nil {
			return fmt.Errorf("%s: %w", verb, err)
		}
		if got == state {
			return nil
		}
		if time.Now().After(deadline) {
			if state == "FROZEN" {
				// Leave the container running rather than half frozen.
				_ = d.write("freezer.state", "THAWED")
			}
			return fmt.Errorf("%s: freezer.state still %s after %s", verb, got, freezeWait)
		}
		time.Sleep(delay)
		delay = min(2*delay, 10*time.Millisecond)
	}
}

// freezeV2 writes cgroup.freeze and waits for the "frozen" line of
// cgroup.events, which the kernel updates once every task has stopped.
func freezeV2(d cgroupDir, frozen bool) error {
	verb, want := "thaw", "0"
	if frozen {
		verb, want = "freeze", "1"
	}
	if err := d.write("cgroup.freeze", want); err != nil {
		return fmt.Errorf("%s: %w", verb, err)
	}
	deadline := time.Now().Add(freezeWait)
	delay := 100 * time.Microsecond
	for {
		events, err := d.read("cgroup.events")
		if err != nil {
			return fmt.Errorf("%s: %w", verb, err)
		}
		for line := range strings.SplitSeq(events, "\n") {
			if v, ok := strings.CutPrefix(line, "frozen "); ok && v == want {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if frozen {
				_ = d.write("cgroup.freeze", "0")
			}
			return fmt.Errorf("%s: cgroup.events does not show frozen %s after %s", verb, want, freezeWait)
		}
		time.Sleep(delay)
		delay = min(2*delay, 10*time.Millisecond)
	}
}

// frozen says whether the container's cgroup already exists frozen: a
// process put there would stop at once, which no caller of Apply wants.
func (m *manager) frozen() bool {
	if c := m.freezerV1(); c != nil {
		state, err := c.dir.read("freezer.state")
		return err == nil && state != "THAWED"
	}
	if c := m.v2(); c != nil {
		v, err := c.dir.read("cgroup.freeze")
		return err == nil && v == "1"
	}
	return false
}
