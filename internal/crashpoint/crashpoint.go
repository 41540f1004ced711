// Package crashpoint is a failure-injection hook for the crash-safety
// tests: a hull process whose environment has HULL_CRASH_AT=NAME kills
// itself with SIGKILL when it reaches the point NAME (say "create:ready"),
// so a test can prove that whatever hull had done by then is found and
// removed by `delete --force`. Without the variable a point costs one
// comparison. Points lists every name, for the tests and the curious.
package crashpoint

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// Env is the variable that names the point to die at.
const Env = "HULL_CRASH_AT"

// Points are the crash points, in the order a command reaches them.
var Points = map[string][]string{
	"create": {"create:dir", "create:intent", "create:program", "create:cgroup", "create:ready", "create:state", "create:pidfile", "create:done"},
	"start":  {"start:locked", "start:fifo", "start:poststart"},
	"exec":   {"exec:program", "exec:cgroup", "exec:pid", "exec:done"},
	"delete": {"delete:killed", "delete:cgroup", "delete:poststop"},
	"run":    {"run:started", "run:exited"},
}

var target = sync.OnceValue(func() string { return os.Getenv(Env) })

// Reached, when set, is told every point reached: the points are the
// phase boundaries of a command, which the phase trace times.
var Reached func(point string)

// Here kills the process with SIGKILL if HULL_CRASH_AT names point.
func Here(point string) {
	if Reached != nil {
		Reached(point)
	}
	if t := target(); t == "" || t != point {
		return
	}
	unix.Kill(unix.Getpid(), unix.SIGKILL)
	select {} // SIGKILL is not delivered synchronously everywhere
}
