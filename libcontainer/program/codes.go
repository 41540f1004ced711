package program

// Code names one executor operation. The values are the wire contract with
// libcontainer/nsenter/program.h; TestCodesMatchHeader keeps the two in step.
type Code uint16

// Operation codes, documented in docs/PROGRAM.md.
const (
	OpSetns         Code = 1
	OpUnshareUser   Code = 2
	OpUnshare       Code = 3
	OpTimensOffsets Code = 4
	OpOomScoreAdj   Code = 5
	OpFork          Code = 6
	OpPropagation   Code = 7
	OpRootOpen      Code = 8
	OpMkdirAll      Code = 9
	OpMkfile        Code = 10
	OpMountBind     Code = 11
	OpMountFs       Code = 12
	OpMknod         Code = 13
	OpSymlink       Code = 14
	OpHooks         Code = 15
	OpPivotRoot     Code = 16
	OpMoveRoot      Code = 17
	OpMask          Code = 18
	OpReadonly      Code = 19
	OpRemountRo     Code = 20
	OpSysctl        Code = 21
	OpHostname      Code = 22
	OpDomainname    Code = 23
	OpConsole       Code = 24
	OpRlimit        Code = 25
	OpCapBounding   Code = 26
	OpSetUser       Code = 27
	OpCaps          Code = 28
	OpNoNewPrivs    Code = 29
	OpUmask         Code = 30
	OpChdir         Code = 31
	OpSeccomp       Code = 32
	OpResolveExec   Code = 33
	OpCloseFds      Code = 34
	OpReady         Code = 35
	OpWaitStart     Code = 36
	OpExec          Code = 37
	OpSetsid        Code = 38
	OpSetGroupsDeny Code = 39
	OpJoinKeyring   Code = 40
	OpRootClone     Code = 41
	OpChroot        Code = 42
	OpWaitCgroup    Code = 43
	OpLsmAttr       Code = 44
	OpLsmRelabel    Code = 45
	OpSchedAttr     Code = 50
	OpIoprio        Code = 51
	OpCpuAffinity   Code = 52
	OpPersonality   Code = 53
	OpMempolicy     Code = 54
	OpHostStep      Code = 55
	OpRunHook       Code = 60
	OpConsoleMount  Code = 61
	OpHideMount     Code = 70
	OpRequireDir    Code = 71
	OpMountSources  Code = 120
	OpRootBuildNs   Code = 150
	OpRootDetach    Code = 151
)

var codeNames = map[Code]string{
	OpRunHook: "run-hook", OpConsoleMount: "console-mount",
	OpSetns: "setns", OpUnshareUser: "unshare-user", OpUnshare: "unshare",
	OpTimensOffsets: "timens-offsets", OpOomScoreAdj: "oom-score-adj", OpFork: "fork",
	OpPropagation: "propagation", OpRootOpen: "root-open", OpMkdirAll: "mkdir-all",
	OpMkfile: "mkfile", OpMountBind: "mount-bind", OpMountFs: "mount-fs", OpMknod: "mknod",
	OpSymlink: "symlink", OpHooks: "hooks", OpPivotRoot: "pivot-root", OpMoveRoot: "move-root",
	OpMask: "mask", OpReadonly: "readonly", OpRemountRo: "remount-ro", OpSysctl: "sysctl",
	OpHostname: "hostname", OpDomainname: "domainname", OpConsole: "console", OpRlimit: "rlimit",
	OpCapBounding: "cap-bounding", OpSetUser: "set-user", OpCaps: "caps",
	OpNoNewPrivs: "no-new-privs", OpUmask: "umask", OpChdir: "chdir", OpSeccomp: "seccomp",
	OpResolveExec: "resolve-exec", OpCloseFds: "close-fds", OpReady: "ready",
	OpWaitStart: "wait-start", OpExec: "exec", OpSetsid: "setsid", OpSetGroupsDeny: "setgroups-deny",
	OpJoinKeyring: "join-keyring", OpRootClone: "root-clone", OpChroot: "chroot",
	OpWaitCgroup: "wait-cgroup", OpLsmAttr: "lsm-attr", OpLsmRelabel: "lsm-relabel",
	OpSchedAttr: "sched-attr", OpIoprio: "ioprio",
	OpCpuAffinity: "cpu-affinity", OpPersonality: "personality", OpMempolicy: "mempolicy",
	OpHostStep:  "host-step",
	OpHideMount: "hide-mount", OpRequireDir: "require-dir",
	OpMountSources: "mount-sources",
	OpRootBuildNs:  "root-build-ns", OpRootDetach: "root-detach",
}

// String returns the readable name used by the disassembler and in errors.
func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "op" + itoa(uint64(c))
}

// MsgType names one message on the parent<->executor socket.
type MsgType uint32

// Message types, documented in docs/PROGRAM.md.
const (
	MsgProgram        MsgType = 1
	MsgUsermapReq     MsgType = 2
	MsgPid            MsgType = 3
	MsgHooks          MsgType = 4
	MsgConsole        MsgType = 5
	MsgReady          MsgType = 6
	MsgError          MsgType = 7
	MsgAck            MsgType = 8
	MsgAbort          MsgType = 9
	MsgSeccompFd      MsgType = 10
	MsgCgroupReady    MsgType = 11
	MsgHostStep       MsgType = 20
	MsgCreated        MsgType = 45
	MsgMountSources   MsgType = 120
	MsgMountSourceFds MsgType = 121
)

// Hook phases carried by OpHooks and MsgHooks.
const (
	HooksCreateRuntime   = 1
	HooksCreateContainer = 2
)

// Host steps carried by OpHostStep and MsgHostStep: work the parent does
// on the host side while the executor waits.
const (
	// HostStepNetDevices moves linux.netDevices into the executor's
	// network namespace.
	HostStepNetDevices = 1
	// HostStepTimensOffsets writes linux.timeOffsets to the
	// timens_offsets of the executor's new time namespace.
	HostStepTimensOffsets = 120
)

// Flags of OpMountFs (its third int).
const (
	MountFsCopyUp        = 1 // copy the covered directory's contents in (tmpcopyup)
	MountFsModeOfCovered = 2 // the new root takes the covered directory's mode
)

// Flags of OpMountBind (its eighth int).
const (
	// BindTreeGiven: the ninth int is the file index + 1 of the bind's
	// detached tree, made (id-mapped, attributes set) by the parent.
	BindTreeGiven = 1
)

// Version is the program format version the executor must understand.
const Version = 1

// Magic opens every encoded program.
const Magic = "HULLPRG1"
