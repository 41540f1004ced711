package cgroups

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// NotifyOOM returns a channel that receives a value each time the kernel's
// OOM killer acts in the container's memory cgroup, and is closed once the
// cgroup is gone (the container stopped). v1: an eventfd registered on
// memory.oom_control through cgroup.event_control; v2: inotify on
// memory.events, counting oom_kill.
func (m *manager) NotifyOOM() (<-chan struct{}, error) {
	defer m.release()
	if m.loadErr != nil {
		return nil, m.loadErr
	}
	if !m.pureV2 {
		if c := m.v1("memory"); c != nil {
			return notifyOOMV1(c.dir)
		}
	}
	if c := m.v2(); c != nil && c.dir.has("memory.events") {
		return notifyOOMV2(c.dir)
	}
	return nil, errors.New("watch for OOM events: the container has no memory cgroup")
}

func notifyOOMV1(d cgroupDir) (<-chan struct{}, error) {
	oomFd, err := openBeneathFd(d.root, d.rel+"/memory.oom_control", unix.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("watch for OOM events: open memory.oom_control: %w", err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(oomFd)
		return nil, fmt.Errorf("watch for OOM events: eventfd: %w", err)
	}
	if err := d.write("cgroup.event_control", strconv.Itoa(efd)+" "+strconv.Itoa(oomFd)); err != nil {
		unix.Close(oomFd)
		unix.Close(efd)
		return nil, fmt.Errorf("watch for OOM events: %w", err)
	}
	ch := make(chan struct{})
	plain := cgroupDir{root: d.root, rel: d.rel}
	go func() {
		defer close(ch)
		defer unix.Close(oomFd)
		defer unix.Close(efd)
		buf := make([]byte, 8)
		for {
			n, err := unix.Read(efd, buf)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n != 8 || binary.NativeEndian.Uint64(buf) == 0 {
				return
			}
			// The kernel signals the eventfd when the cgroup is removed
			// too: that is the end, not an OOM.
			if !plain.has("memory.oom_control") {
				return
			}
			ch <- struct{}{}
		}
	}()
	return ch, nil
}

func notifyOOMV2(d cgroupDir) (<-chan struct{}, error) {
	ifd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("watch for OOM events: inotify: %w", err)
	}
	plain := cgroupDir{root: d.root, rel: d.rel}
	for _, f := range []string{"memory.events", "cgroup.events"} {
		if _, err := unix.InotifyAddWatch(ifd, plain.path()+"/"+f, unix.IN_MODIFY); err != nil {
			unix.Close(ifd)
			return nil, fmt.Errorf("watch for OOM events: watch %s: %w", f, err)
		}
	}
	start, err := statKeyValues(plain, "memory.events")
	if err != nil {
		unix.Close(ifd)
		return nil, fmt.Errorf("watch for OOM events: %w", err)
	}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		f := os.NewFile(uintptr(ifd), "inotify")
		defer f.Close()
		seen := start["oom_kill"]
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			if err != nil || n < unix.SizeofInotifyEvent {
				return
			}
			events, err := statKeyValues(plain, "memory.events")
			if err != nil || len(events) == 0 {
				return
			}
			for ; seen < events["oom_kill"]; seen++ {
				ch <- struct{}{}
			}
			if st, err := statKeyValues(plain, "cgroup.events"); err != nil || st["populated"] == 0 {
				return
			}
		}
	}()
	return ch, nil
}
