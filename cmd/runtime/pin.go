package main

import (
	"os"
	"runtime"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pinThreads puts every thread of this process on the CPU the caller runs
// on and returns what puts the mask it had back (nil when it did nothing).
//
// Why: a foreground exec catches ~45 signals beside the executor's work,
// each a round trip between the goroutine and the runtime's signal thread
// (signalRelay), and across two CPUs each hand-off is a wake-up of a
// thread on the other CPU. With both on one CPU the goroutine took 1.6
// instead of 2.6 ms and the process exec'd 0.8 ms sooner (docs/SPEED.md),
// while the executor and the process, other processes with their own
// masks, run on the other CPUs. Only hull's own threads are pinned, and
// only while nothing forks from them: the executor and the process were
// forked before, with the caller's mask.
//
// Nothing is done on one P more than one (GOMAXPROCS set), or a mask of
// one CPU, or when /proc is not a procfs. Threads the runtime starts
// meanwhile inherit the mask of the thread that starts them.
func pinThreads() (restore func()) {
	if runtime.GOMAXPROCS(0) != 1 {
		return nil
	}
	var caller unix.CPUSet
	if unix.SchedGetaffinity(0, &caller) != nil || caller.Count() < 2 {
		return nil
	}
	var cpu, node uint32
	if _, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0); e != 0 {
		return nil
	}
	var one unix.CPUSet
	one.Set(int(cpu))
	if setThreadsAffinity(&one) != nil {
		setThreadsAffinity(&caller)
		return nil
	}
	return func() { setThreadsAffinity(&caller) }
}

// setThreadsAffinity sets the mask of every thread listed in
// /proc/self/task (a verified procfs: the ids are this process's).
func setThreadsAffinity(set *unix.CPUSet) error {
	fd, err := unix.Open("/proc/self/task", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil || st.Type != unix.PROC_SUPER_MAGIC {
		unix.Close(fd)
		return unix.EXDEV
	}
	dir := os.NewFile(uintptr(fd), "/proc/self/task")
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		tid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		// A thread may have exited since the listing (ESRCH).
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			return err
		}
	}
	return nil
}
