package libcontainer

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/nsenter"
)

// checkJoinedMappings allows linux.uidMappings and gidMappings next to a
// user namespace joined by path only when they are that namespace's:
// containerd and CRI-O give both. As runc, matching ones are a warning
// (the config should give one or the other), others an error.
func checkJoinedMappings(linux *specs.Linux, userns *os.File) error {
	if len(linux.UIDMappings) == 0 && len(linux.GIDMappings) == 0 {
		return nil
	}
	uids, gids, err := namespaceMappings(userns)
	if err != nil {
		return fmt.Errorf("linux.namespaces (user): read the mappings of the joined namespace: %w", err)
	}
	if !sameMappings(uids, linux.UIDMappings) || !sameMappings(gids, linux.GIDMappings) {
		return fmt.Errorf("linux.uidMappings, linux.gidMappings: user namespaces enabled, but both namespace path and non-matching mapping specified -- you may only provide one")
	}
	logrus.Warn("config.json has both a userns path to join and a matching userns mapping specified -- you may only provide one")
	return nil
}

func sameMappings(a, b []specs.LinuxIDMapping) bool {
	key := func(m specs.LinuxIDMapping) string {
		return fmt.Sprint(m.ContainerID, m.HostID, m.Size)
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i, m := range a {
		ka[i] = key(m)
	}
	for i, m := range b {
		kb[i] = key(m)
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// namespaceMappings returns the uid and gid mappings of the user
// namespace of file userns. A Go process cannot join a user namespace
// (it is multithreaded), so our own binary is started as a joiner: its C
// constructor joins the namespace (fd 3) and waits; its /proc files tell
// the mappings. This works for any namespace file, a bind mount of one
// included, where no /proc/PID is known.
func namespaceMappings(userns *os.File) (uids, gids []specs.LinuxIDMapping, err error) {
	var want unix.Stat_t
	if err := unix.Fstat(int(userns.Fd()), &want); err != nil {
		return nil, nil, fmt.Errorf("stat the user namespace: %w", err)
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{nsenter.UsernsJoinerArgv0}
	cmd.Env = []string{}
	cmd.ExtraFiles = []*os.File{userns}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: unix.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start a user namespace joiner: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-done
	}()
	pid := strconv.Itoa(cmd.Process.Pid)
	for deadline := time.Now().Add(5 * time.Second); ; {
		select {
		case err := <-done:
			done <- err
			return nil, nil, fmt.Errorf("the joiner could not join the user namespace: %v", err)
		default:
		}
		f, err := openProcNamespace(cmd.Process.Pid, "user")
		if err == nil {
			var st unix.Stat_t
			err = unix.Fstat(int(f.Fd()), &st)
			f.Close()
			if err == nil && st.Dev == want.Dev && st.Ino == want.Ino {
				break
			}
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("the joiner did not join the user namespace in time")
		}
		time.Sleep(time.Millisecond)
	}
	if uids, err = readIDMap(pid + "/uid_map"); err != nil {
		return nil, nil, err
	}
	if gids, err = readIDMap(pid + "/gid_map"); err != nil {
		return nil, nil, err
	}
	return uids, gids, nil
}

// readIDMap parses /proc/NAME (uid_map or gid_map).
func readIDMap(name string) ([]specs.LinuxIDMapping, error) {
	f, err := openProc(name, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var maps []specs.LinuxIDMapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			return nil, fmt.Errorf("parse /proc/%s: %q", name, sc.Text())
		}
		var v [3]uint64
		for i, s := range fields {
			if v[i], err = strconv.ParseUint(s, 10, 32); err != nil {
				return nil, fmt.Errorf("parse /proc/%s: %w", name, err)
			}
		}
		maps = append(maps, specs.LinuxIDMapping{ContainerID: uint32(v[0]), HostID: uint32(v[1]), Size: uint32(v[2])})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read /proc/%s: %w", name, err)
	}
	return maps, nil
}
