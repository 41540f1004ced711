package libcontainer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/seccomp"
	"github.com/hullrt/hull/specconv"
)

// defaultPath is the PATH searched for process.args[0] when process.env
// has none (the same as runc's and Go's).
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// defaultUmask is runc's umask when process.user.umask is not set.
const defaultUmask = 0o022

// kernelSettings emits sysctls (sorted, so the program is stable), the
// host and domain names.
func (c *compiler) kernelSettings() {
	names := make([]string, 0, len(c.spec.Linux.Sysctl))
	for name := range c.spec.Linux.Sysctl {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		c.add(fmt.Sprintf("linux.sysctl[%q]", name), program.OpSysctl, nil,
			specconv.SysctlPath(name), c.spec.Linux.Sysctl[name])
	}
	if c.spec.Hostname != "" {
		c.add("hostname", program.OpHostname, nil, c.spec.Hostname)
	}
	if c.spec.Domainname != "" {
		c.add("domainname", program.OpDomainname, nil, c.spec.Domainname)
	}
}

// processSetup emits the init's own setup, ending in execve. Privileges
// go in runc's order (except that args[0] is resolved before the user
// changes, as root). Where the seccomp filter is loaded, see
// seccompLast.
func (c *compiler) processSetup(p *specs.Process, filter *seccomp.Filter) error {
	env := p.Env
	if c.opts.ListenFDs > 0 {
		env = append(slices.Clip(env), "LISTEN_FDS="+strconv.Itoa(c.opts.ListenFDs), "LISTEN_PID=1")
	}
	env = lastOfEachName(env)
	if c.opts.Console {
		// rows, columns (0: leave the pty's size), the pty's owner when
		// not root; as few as say something.
		console := []uint64{0, 0, uint64(p.User.UID)}
		if b := p.ConsoleSize; b != nil && b.Height > 0 && b.Width > 0 {
			console[0], console[1] = uint64(min(b.Height, 0xffff)), uint64(min(b.Width, 0xffff))
		}
		switch {
		case p.User.UID != 0:
		case console[0] != 0:
			console = console[:2]
		default:
			console = nil
		}
		c.add("process.terminal", program.OpConsole, console)
		if c.init {
			// runtime-spec: /dev/console is the pty, bind-mounted.
			c.add("process.terminal (/dev/console)", program.OpConsoleMount, nil, "/dev/console")
		}
	}
	for i, rl := range p.Rlimits {
		n, _ := specconv.RlimitNumber(rl.Type) // validated by specconv
		c.add(fmt.Sprintf("process.rlimits[%d] (%s)", i, rl.Type), program.OpRlimit,
			[]uint64{uint64(n), rl.Soft, rl.Hard})
	}
	if p.User.Umask != nil {
		c.add("process.user.umask", program.OpUmask, []uint64{uint64(*p.User.Umask)})
	} else {
		c.add("process.user.umask (default 0022)", program.OpUmask, []uint64{defaultUmask})
	}
	// Before the user changes, like runc's first chdir attempt: the cwd
	// may be reachable only with root's privileges.
	c.add("process.cwd", program.OpChdir, nil, p.Cwd)
	// Both before any seccomp filter: resolving uses faccessat2 and
	// closing close_range, which older profiles (runtime-tools', Docker's
	// before 2020) refuse with EPERM. After the chdir, so that a relative
	// args[0] is found from the cwd.
	c.add("process.args", program.OpResolveExec, nil, p.Args[0], searchPath(env))
	kept := c.opts.ListenFDs + c.opts.PreserveFDs
	c.add(fmt.Sprintf("fds (3 + %d preserved)", kept), program.OpCloseFds, []uint64{uint64(3 + kept)})
	c.processTuning(p)
	c.execLabels(p)
	if filter != nil && !p.NoNewPrivileges {
		c.seccomp(filter)
	}
	warnCapabilities(p.Capabilities)
	caps := capabilitySets(p.Capabilities)
	c.add("process.capabilities.bounding", program.OpCapBounding, []uint64{caps.bounding})
	user := []uint64{uint64(p.User.UID), uint64(p.User.GID), uint64(len(p.User.AdditionalGids))}
	for _, g := range p.User.AdditionalGids {
		user = append(user, uint64(g))
	}
	c.add("process.user", program.OpSetUser, user)
	c.add("process.capabilities", program.OpCaps,
		[]uint64{caps.effective, caps.permitted, caps.inheritable, caps.ambient})
	if p.NoNewPrivileges {
		c.add("process.noNewPrivileges", program.OpNoNewPrivs, nil)
	}
	last := seccompLast(p, filter)
	if filter != nil && p.NoNewPrivileges && !last {
		c.seccomp(filter)
	}
	c.add("ready", program.OpReady, nil)
	if c.opts.ExecFifo != nil {
		if c.init {
			idx := c.prog.AddFile(c.opts.ExecFifo, "exec fifo")
			c.add("exec fifo (start)", program.OpWaitStart, []uint64{idx})
		} else {
			idx := c.prog.AddFile(c.opts.ExecFifo, "start gate")
			c.add("start gate (the runtime relays signals first)", program.OpWaitStart, []uint64{idx})
		}
	}
	if last {
		c.seccomp(filter)
	}
	env = withHome(env, p.User.UID, c.homeOf)
	if c.init && c.spec.Hooks != nil {
		// runc gives startContainer hooks without env the process's.
		if err := c.inContainerHooks("startContainer", c.spec.Hooks.StartContainer, specs.StateCreated,
			false, env, c.opts.HookReport); err != nil {
			return err
		}
	}
	c.add("process.args", program.OpExec, []uint64{uint64(len(p.Args))}, append(slices.Clone(p.Args), env...)...)
	return nil
}

// seccompLast reports whether the filter is loaded after the wait for
// start, so that the executor's only syscalls under it are the
// startContainer hooks' (which run under it, as in runc) and execve: a
// deny-by-default profile then needs to allow nothing for hull. That
// takes no_new_privs (without it loading a filter needs CAP_SYS_ADMIN,
// so it comes before the privilege drop, as in runc, and the profile
// must allow the drop and the handshake with the parent), and no notify
// rule (the notify fd must reach the parent, which after a create is gone
// by the time start comes; like runc, the filter is then loaded right
// before the init reports ready).
func seccompLast(p *specs.Process, filter *seccomp.Filter) bool {
	return filter != nil && p.NoNewPrivileges && !filter.NeedsNotify
}

// searchPath is the PATH of process.env (the last one wins, as with
// setenv in order), or the default.
func searchPath(env []string) string {
	path, found := "", false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path, found = v, true
		}
	}
	if !found {
		return defaultPath
	}
	return path
}

// capSets are the five capability sets as bitmasks (bit n = capability n).
type capSets struct {
	bounding, effective, permitted, inheritable, ambient uint64
}

// capabilitySets converts names (validated by specconv) to bitmasks; no
// capabilities object means every set is empty.
func capabilitySets(c *specs.LinuxCapabilities) capSets {
	if c == nil {
		return capSets{}
	}
	return capSets{
		bounding: capMask(c.Bounding), effective: capMask(c.Effective), permitted: capMask(c.Permitted),
		inheritable: capMask(c.Inheritable), ambient: capMask(c.Ambient),
	}
}

func capMask(names []string) uint64 {
	var mask uint64
	for _, name := range names {
		if n, ok := specconv.CapabilityNumber(name); ok {
			mask |= 1 << n
		}
	}
	return mask
}
