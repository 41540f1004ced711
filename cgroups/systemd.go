package cgroups

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	systemdDbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/hullrt/hull/internal/hostfeature"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// systemdUnitKey is the Paths() key that remembers the unit, so that Load
// rebuilds a systemd manager (delete stops the unit). No hierarchy has
// this key, so the cgroupfs side ignores it.
const systemdUnitKey = "systemd:unit"

// systemdUserKey marks a unit of the user's own systemd instance.
const systemdUserKey = "systemd:user"

// systemdTimeout bounds each D-Bus job: systemd answers in milliseconds,
// or is stuck, and a create must not hang on it.
const systemdTimeout = 30 * time.Second

// systemdManager is the systemd driver: systemd creates the cgroup (a
// transient scope or slice, with Delegate=yes) and gets the limits as
// unit properties; then the cgroupfs manager, pointed at the unit's
// cgroup, writes every file as for the cgroupfs driver and does the rest
// (joining, freezing, stats, the device filter), as runc does.
type systemdManager struct {
	unit systemdUnit
	user bool
	// resources and annotations become unit properties at Apply.
	resources   *specs.LinuxResources
	annotations map[string]string
	fs          Manager
}

func newSystemd(c Config) (Manager, error) {
	u, err := parseSystemdPath(c.Path, c.ID, c.Rootless)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return nil, hostfeature.Missing("--systemd-cgroup: systemd is not running on this host (no /run/systemd/system)")
	}
	fsCfg := c
	fsCfg.Systemd = false
	fsCfg.Path = u.cgroupPath()
	fs, err := New(fsCfg)
	if err != nil {
		return nil, err
	}
	return &systemdManager{
		unit: u, user: c.Rootless, resources: c.Resources, annotations: c.Annotations, fs: fs,
	}, nil
}

// loadSystemd rebuilds the manager Paths() described.
func loadSystemd(paths map[string]string, fs Manager) Manager {
	name := paths[systemdUnitKey]
	u := systemdUnit{Name: name}
	return &systemdManager{unit: u, user: paths[systemdUserKey] == "1", fs: fs}
}

// connect opens the system instance's private socket (root), the system
// bus, or for a rootless container the user's instance.
func (m *systemdManager) connect(ctx context.Context) (*systemdDbus.Conn, error) {
	var conn *systemdDbus.Conn
	var err error
	if m.user {
		conn, err = systemdDbus.NewUserConnectionContext(ctx)
	} else {
		conn, err = systemdDbus.NewWithContext(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to systemd over D-Bus: %w", err)
	}
	return conn, nil
}

// job waits for a systemd job's result: "done" or the reason it failed.
func job(ctx context.Context, what string, start func(chan<- string) (int, error)) error {
	ch := make(chan string, 1)
	if _, err := start(ch); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	select {
	case result := <-ch:
		if result != "done" {
			return fmt.Errorf("%s: systemd job %s", what, result)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: no answer from systemd: %w", what, ctx.Err())
	}
}

func (m *systemdManager) Apply(pid int) error {
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	props, err := unitProperties(m.unit, pid, m.resources, m.isV2(), m.annotations)
	if err != nil {
		return err
	}
	conn, err := m.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = job(ctx, "start systemd unit "+m.unit.Name, func(ch chan<- string) (int, error) {
		return conn.StartTransientUnitContext(ctx, m.unit.Name, "replace", props, ch)
	})
	if err != nil {
		if strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("linux.cgroupsPath: systemd unit %s already exists: %w", m.unit.Name, err)
		}
		return err
	}
	// systemd made the cgroup and moved pid in; the cgroupfs manager
	// writes every limit as for the cgroupfs driver (and joins the pid to
	// v1 hierarchies systemd does not manage).
	if err := m.fs.Apply(pid); err != nil {
		m.stop(ctx, conn)
		return err
	}
	return nil
}

func (m *systemdManager) Set(r *specs.LinuxResources) error {
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	props, err := resourceProperties(r, m.isV2())
	if err != nil {
		return err
	}
	if len(props) > 0 {
		conn, err := m.connect(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := conn.SetUnitPropertiesContext(ctx, m.unit.Name, true, props...); err != nil {
			return fmt.Errorf("set properties of systemd unit %s: %w", m.unit.Name, err)
		}
	}
	return m.fs.Set(r)
}

// isV2 says whether the host is pure cgroup v2, as the cgroupfs side found it.
func (m *systemdManager) isV2() bool {
	fs, ok := m.fs.(*manager)
	return ok && fs.pureV2
}

func (m *systemdManager) Destroy() error {
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	conn, err := m.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := m.stop(ctx, conn); err != nil {
		return err
	}
	return m.fs.Destroy()
}

// stop stops the unit (systemd then removes its cgroup) and forgets a
// failed one; a unit already gone is fine.
func (m *systemdManager) stop(ctx context.Context, conn *systemdDbus.Conn) error {
	err := job(ctx, "stop systemd unit "+m.unit.Name, func(ch chan<- string) (int, error) {
		return conn.StopUnitContext(ctx, m.unit.Name, "replace", ch)
	})
	if err != nil && !strings.Contains(err.Error(), "not loaded") && !strings.Contains(err.Error(), "NoSuchUnit") {
		return err
	}
	_ = conn.ResetFailedUnitContext(ctx, m.unit.Name)
	return nil
}

func (m *systemdManager) Paths() map[string]string {
	paths := m.fs.Paths()
	paths[systemdUnitKey] = m.unit.Name
	if m.user {
		paths[systemdUserKey] = "1"
	}
	return paths
}

func (m *systemdManager) Pids() ([]int, error) { return m.fs.Pids() }
func (m *systemdManager) Freeze() error        { return m.fs.Freeze() }
func (m *systemdManager) Thaw() error          { return m.fs.Thaw() }
func (m *systemdManager) Kill() error          { return m.fs.Kill() }

// Created and WouldCreate are empty: systemd owns the unit's cgroup and its
// slices, and removes them when the unit stops.
func (m *systemdManager) Created() map[string]string                { return nil }
func (m *systemdManager) WouldCreate() map[string]string            { return nil }
func (m *systemdManager) Mounts() []Mount                           { return m.fs.Mounts() }
func (m *systemdManager) Exists() bool                              { return m.fs.Exists() }
func (m *systemdManager) Join(pid int, sub map[string]string) error { return m.fs.Join(pid, sub) }
func (m *systemdManager) Stats() (*Stats, error)                    { return m.fs.Stats() }
func (m *systemdManager) NotifyOOM() (<-chan struct{}, error)       { return m.fs.NotifyOOM() }
