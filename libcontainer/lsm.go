package libcontainer

import (
	"bytes"
	"fmt"
	"os"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux"

	"github.com/hullrt/hull/internal/hostfeature"
	"github.com/hullrt/hull/libcontainer/program"
)

// lsmHost is what the host's Linux security modules can do for a
// container. A label the config asks for is either applied or refused
// with an error naming its field: never dropped (an engine that asked
// for confinement must not get an unconfined container).
type lsmHost struct {
	// AppArmor: /sys/module/apparmor/parameters/enabled is Y.
	AppArmor bool
	// AppArmorExecAttr is where an AppArmor exec profile is written,
	// under /proc/thread-self: attr/apparmor/exec (Linux 5.1+, works
	// beside other LSMs) or the shared attr/exec of older kernels.
	AppArmorExecAttr string
	// SELinux: selinuxfs is mounted and the policy loaded.
	SELinux bool
}

// hostLSM probes the host once; tests replace it.
var hostLSM = sync.OnceValue(probeLSMHost)

func probeLSMHost() lsmHost {
	h := lsmHost{AppArmorExecAttr: "attr/exec", SELinux: selinux.GetEnabled()}
	// runc also requires securityfs (/sys/kernel/security/apparmor), but
	// the module is what applies a profile: a host that did not mount
	// securityfs still confines, and must not have its profile refused.
	enabled, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	h.AppArmor = err == nil && bytes.HasPrefix(enabled, []byte("Y"))
	if _, err := os.Stat("/proc/thread-self/attr/apparmor/exec"); err == nil {
		h.AppArmorExecAttr = "attr/apparmor/exec"
	}
	return h
}

// lsmFor is what an exec'd process needs to know of the host's security
// modules: the probe (hostLSM) for a process that asks for a label, and
// nothing for one that does not, since checkProcessLSM refuses only a
// label the host cannot apply and execLabels writes only the labels
// asked for. The probe is the only use in an exec of go-selinux, procfs'
// filesystems list and sysfs' apparmor parameter (docs/SPEED.md).
func lsmFor(p *specs.Process) lsmHost {
	if p == nil || (p.ApparmorProfile == "" && p.SelinuxLabel == "") {
		return lsmHost{}
	}
	return hostLSM()
}

// Errors for a label the host cannot apply, in runc's words with the
// field in front.
var (
	errAppArmorOff = hostfeature.Missing("config provided but apparmor not supported: apparmor is not enabled on this host (/sys/module/apparmor/parameters/enabled is not Y)")
	errSELinuxOff  = hostfeature.Missing("selinux label is specified in config, but selinux is disabled or not supported")
)

// checkProcessLSM refuses the security labels of process that host
// cannot apply.
func checkProcessLSM(p *specs.Process, host lsmHost) error {
	if p == nil {
		return nil
	}
	if p.ApparmorProfile != "" && !host.AppArmor {
		return fmt.Errorf("process.apparmorProfile: %w", errAppArmorOff)
	}
	if p.SelinuxLabel != "" && !host.SELinux {
		return fmt.Errorf("process.selinuxLabel: %w", errSELinuxOff)
	}
	return nil
}

// checkContainerLSM is checkProcessLSM for a new container, plus its
// mount label.
func checkContainerLSM(spec *specs.Spec, host lsmHost) error {
	if err := checkProcessLSM(spec.Process, host); err != nil {
		return err
	}
	if spec.Linux != nil && spec.Linux.MountLabel != "" && !host.SELinux {
		return fmt.Errorf("linux.mountLabel: %w", errSELinuxOff)
	}
	return nil
}

// inheritLabels gives an exec'd process the container's AppArmor profile
// and SELinux label where it names none of its own (as runc does): a
// process.json without them must not run unconfined in a confined
// container.
func inheritLabels(p, container *specs.Process) *specs.Process {
	if container == nil || (p.ApparmorProfile != "" || container.ApparmorProfile == "") &&
		(p.SelinuxLabel != "" || container.SelinuxLabel == "") {
		return p
	}
	inherited := *p
	if inherited.ApparmorProfile == "" {
		inherited.ApparmorProfile = container.ApparmorProfile
	}
	if inherited.SelinuxLabel == "" {
		inherited.SelinuxLabel = container.SelinuxLabel
	}
	return &inherited
}

// execLabels emits the labels the user's program gets at execve: the
// AppArmor profile ("exec NAME", as aa_change_onexec) and the SELinux exec
// label. Both are on-exec attributes, so they confine from the program's
// first instruction and not the executor; they are written while the
// executor is still root and before any seccomp filter (which might
// refuse the open), after which only privilege drops and the execve
// follow.
func (c *compiler) execLabels(p *specs.Process) {
	if p.ApparmorProfile != "" {
		c.add("process.apparmorProfile", program.OpLsmAttr, nil,
			c.lsm.AppArmorExecAttr, "exec "+p.ApparmorProfile)
	}
	if p.SelinuxLabel != "" {
		c.add("process.selinuxLabel", program.OpLsmAttr, nil, "attr/exec", p.SelinuxLabel)
	}
}

// mountContext is the mount option that labels every file of a new
// filesystem with linux.mountLabel (SELinux "context="). runc adds it to
// every mount but proc, sysfs, mqueue (labelled after mounting), cgroup
// and binds (which keep their source's labels).
func (c *compiler) mountContext(fsType string) (key, value string, ok bool) {
	label := c.spec.Linux.MountLabel
	switch fsType {
	case "proc", "sysfs", "mqueue", "cgroup", "cgroup2", "bind":
		return "", "", false
	}
	return "context", label, label != ""
}
