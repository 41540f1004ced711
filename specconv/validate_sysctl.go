package specconv

import (
	"fmt"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ipcSysctls are the sysctls outside fs.mqueue.* that belong to the IPC
// namespace (the same list runc allows).
var ipcSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// SysctlPath turns a sysctl name into its path under /proc/sys, with
// sysctl(8)'s rule: if the first separator is "/" the name is already in
// path form; otherwise dots separate and a "/" stands for a dot inside a
// component ("net.ipv4.conf.eth0/100.forwarding" -> ".../eth0.100/forwarding").
func SysctlPath(name string) string {
	if slashForm(name) {
		return strings.Trim(name, "/")
	}
	return swapDotsAndSlashes(name)
}

// sysctlDotted is the dotted form ("net.ipv4.ip_forward") the namespace
// rules are written in.
func sysctlDotted(name string) string {
	if slashForm(name) {
		return swapDotsAndSlashes(strings.Trim(name, "/"))
	}
	return name
}

func slashForm(name string) bool {
	i := strings.IndexAny(name, "./")
	return i >= 0 && name[i] == '/'
}

func swapDotsAndSlashes(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, s)
}

// validateSysctls applies runc's rules: a sysctl may be set only when it
// belongs to a namespace the container does not share with the host.
func validateSysctls(spec *specs.Spec) error {
	keys := make([]string, 0, len(spec.Linux.Sysctl))
	for k := range spec.Linux.Sysctl {
		keys = append(keys, k)
	}
	slices.Sort(keys) // so that the first error is always the same one
	for _, name := range keys {
		field := fmt.Sprintf("linux.sysctl[%q]", name)
		if !validSysctlName(name) {
			return fmt.Errorf("%s: invalid sysctl name", field)
		}
		if err := sysctlNamespaceAllowed(spec, sysctlDotted(name)); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
	}
	return nil
}

func sysctlNamespaceAllowed(spec *specs.Spec, name string) error {
	has := func(t specs.LinuxNamespaceType) bool { _, _, ok := findNamespace(spec, t); return ok }
	switch {
	case ipcSysctls[name] || strings.HasPrefix(name, "fs.mqueue."):
		if !has(specs.IPCNamespace) {
			return fmt.Errorf("needs an ipc namespace in linux.namespaces")
		}
	case strings.HasPrefix(name, "net."):
		if !has(specs.NetworkNamespace) {
			return fmt.Errorf("needs a network namespace in linux.namespaces")
		}
	case name == "kernel.hostname":
		return fmt.Errorf("not allowed, use the hostname field")
	case name == "kernel.domainname":
		if !has(specs.UTSNamespace) {
			return fmt.Errorf("needs a uts namespace in linux.namespaces")
		}
	default:
		return fmt.Errorf("not in a namespace the container can have its own of")
	}
	return nil
}

// validSysctlName refuses names that could walk out of /proc/sys.
func validSysctlName(name string) bool {
	if name == "" || strings.ContainsAny(name, " \t\n\x00=") {
		return false
	}
	for _, part := range strings.Split(SysctlPath(name), "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// validateUTS: setting a hostname without a uts namespace would rename the host.
func validateUTS(spec *specs.Spec) error {
	_, _, hasUTS := findNamespace(spec, specs.UTSNamespace)
	if spec.Hostname != "" && !hasUTS {
		return fmt.Errorf("hostname: needs a uts namespace in linux.namespaces")
	}
	if spec.Domainname != "" && !hasUTS {
		return fmt.Errorf("domainname: needs a uts namespace in linux.namespaces")
	}
	return nil
}
