package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const cgroupRoot = "/sys/fs/cgroup"

// cgroupDirs returns the directories for cgroup path in every hierarchy
// mounted under /sys/fs/cgroup (v1 controllers, v2 unified or v2 alone).
func cgroupDirs(path string) []string {
	candidates, _ := filepath.Glob(filepath.Join(cgroupRoot, "*", path))
	candidates = append(candidates, filepath.Join(cgroupRoot, path))
	var dirs []string
	for _, dir := range candidates {
		if fileExists(filepath.Join(dir, "cgroup.procs")) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// removeCgroupDirs removes what a failed test may have left (empty cgroups
// only: rmdir fails on a cgroup with processes).
func removeCgroupDirs(path string) {
	for _, dir := range cgroupDirs(path) {
		_ = syscall.Rmdir(dir)
	}
}

// cgroupsNamed finds cgroup directories called name up to three levels
// below each hierarchy's root: where a runtime puts a container's cgroup
// when the config names none.
func cgroupsNamed(name string) []string {
	var found []string
	for _, pattern := range []string{"*", "*/*", "*/*/*", "*/*/*/*"} {
		matches, _ := filepath.Glob(filepath.Join(cgroupRoot, pattern, name))
		found = append(found, matches...)
	}
	return found
}

// processesMentioning lists the pids whose command line or working
// directory contains any of the strings.
func processesMentioning(strs ...string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' || pid == self {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		cwd, _ := os.Readlink(filepath.Join("/proc", pid, "cwd"))
		text := strings.ReplaceAll(string(cmdline), "\x00", " ") + " " + cwd
		for _, s := range strs {
			if s != "" && strings.Contains(text, s) {
				pids = append(pids, pid+": "+text)
				break
			}
		}
	}
	return pids
}

// assertNothingLeftBehind checks that a failed command left no container
// state under the runtime's root, no cgroup named id, no process and no
// mount referring to the bundle, the root or the id.
func assertNothingLeftBehind(t *testing.T, rt *runtime, id, bundle string) {
	t.Helper()
	entries, err := os.ReadDir(rt.root)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left under --root: %s", e.Name())
	}
	if id != "" && !strings.ContainsAny(id, "/") && id != "." && id != ".." {
		if left := cgroupsNamed(id); len(left) != 0 {
			t.Errorf("cgroups left: %v", left)
		}
	}
	if left := processesMentioning(rt.root, bundle); len(left) != 0 {
		t.Errorf("processes left: %v", left)
	}
	mounts := readFile(t, "/proc/self/mountinfo")
	for _, l := range strings.Split(mounts, "\n") {
		if (bundle != "" && strings.Contains(l, bundle)) || strings.Contains(l, rt.root) {
			t.Errorf("mount left: %s", l)
		}
	}
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || !strings.HasPrefix(string(stat[i+1:]), " Z")
}
