// Package libcontainer creates and manages containers from OCI bundles. It
// is hull's second compatibility contract, after the CLI: the hull command
// is a thin layer over the functions below, and other programs may call
// them directly.
//
// # Lifecycle
//
//	plan, err := specconv.LoadBundle(bundle)          // validated config
//	c, err := libcontainer.Create(root, id, plan, libcontainer.CreateOptions{...})
//	err = c.Start()                                   // the user's process runs
//	code, err := c.Wait()                             // only for the init's (sub)reaper; or WaitContext(ctx)
//	err = c.Signal(unix.SIGTERM, false)               // or all=true: every process in the cgroup
//	err = c.Delete(force)                             // cgroup, poststop hooks, state dir
//
//	c, err := libcontainer.Load(root, id)             // from another process
//	st := c.State()                                   // what `hull state` prints
//	states, err := libcontainer.List(root)            // what `hull list` prints
//	p, err := c.Exec(&process, libcontainer.ExecOptions{...}) // then p.Wait()
//	err = c.Pause(); err = c.Resume()                 // freezer
//	pids, err := c.Processes()                        // every pid in the cgroup
//	err = c.Update(&resources)                        // new limits
//	err = c.Checkpoint(&libcontainer.CriuOptions{...}) // CRIU dump (criu.go)
//	c, err := libcontainer.Restore(root, id, plan, libcontainer.RestoreOptions{...})
//
// Create compiles the plan into an executor program (Compile), hands it to
// an executor (CreateOptions.Executor, or a fresh one from nsenter.Start
// with the caller's stdio), puts the executor in the container's cgroup
// while it joins or creates namespaces (it waits for that, OpWaitCgroup,
// before it forks the init or unshares a cgroup namespace), and answers
// the executor's requests (uid/gid
// maps, hooks, the pty master) until the init waits on the exec fifo. It
// then writes <root>/<id>/state.json and the pid file. On any failure it
// kills what it started and removes the cgroup and the state directory:
// nothing is left behind.
//
// # Statuses
//
// The status is never stored; it is derived each time, as runc does:
// paused when the cgroup is frozen, else created while the init (its pid
// AND its start time, so a reused pid never counts) is alive and the exec
// fifo exists, running when it is alive and the fifo is gone, else stopped.
//
// # State directory
//
// <root>/<id>/ (0700) holds state.json, hull's own record (written
// atomically, once, when the container is created: the init's pid and
// start time, bundle, rootfs, creation time, cgroup paths and the config as
// given), and exec.fifo until Start. Create, Start and Delete hold an
// exclusive flock on the directory. Signals go through a pidfd opened and
// then checked against the recorded start time.
//
// # Errors
//
// Errors are one line and lowercase. Callers test them with errors.Is and
// errors.As (see errors.go): an unknown id wraps ErrNotExist (`container
// "x" does not exist`), a taken one ErrExist, a call the container's status
// forbids ErrWrongState (and ErrNotRunning or ErrNotPaused where that is
// the reason), an invalid config is a *specconv.ConfigError with the
// field, and a failure inside the executor is an *ExecutorError naming the
// config field the failing operation came from, e.g. `mounts[3] (/data):
// mount-bind /src: permission denied`, which unwraps to its errno.
//
// # Blocking calls
//
// Wait and Process.Wait block until the process exits; WaitContext gives
// up when its context ends, leaving the process running and its exit
// status for a later wait.
package libcontainer
