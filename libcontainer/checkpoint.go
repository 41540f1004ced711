package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/checkpoint-restore/go-criu/v8/rpc"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
)

// descriptorsFile, in the image directory, lists what the init's fds 0-2
// were (readlink of /proc/PID/fd/N), so that a restore can give pipes
// among them new ends (runc's file of the same name and format).
const descriptorsFile = "descriptors.json"

// Checkpoint dumps the running (or paused) container with CRIU into
// opts.ImagePath. Unless opts.LeaveRunning or opts.PreDump, CRIU kills
// the container's processes after the dump and the container is deleted,
// as runc does. On failure the container keeps running.
func (c *Container) Checkpoint(opts *CriuOptions) error {
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	if status != Running && status != Paused {
		return c.stateError(fmt.Errorf("%w: cannot checkpoint a %s container", ErrNotRunning, status))
	}
	spec, err := c.rec.fullSpec()
	if err != nil {
		return err
	}
	bin := opts.criuPath()
	version, err := criuVersion(bin)
	if err != nil {
		return err
	}
	req, closeFiles, err := c.dumpRequest(spec, opts, version)
	defer closeFiles()
	if err != nil {
		return err
	}
	logDir := opts.ImagePath
	if opts.WorkPath != "" {
		logDir = opts.WorkPath
	}
	s := &swrk{bin: bin, req: req, notify: func(script string, _ int32, file *os.File) error {
		if file != nil {
			file.Close()
		}
		if script == "status-ready" && opts.StatusFd >= 0 {
			// The lazy-pages server is ready: tell whoever waits.
			unix.Write(opts.StatusFd, []byte{0})
			unix.Close(opts.StatusFd)
			opts.StatusFd = -1
		}
		return nil
	}}
	if opts.PreDump {
		if err := criuFeatures(bin, &rpc.CriuFeatures{MemTrack: new(true)}, "--pre-dump"); err != nil {
			return err
		}
	}
	if opts.LazyPages {
		if err := criuFeatures(bin, &rpc.CriuFeatures{LazyPages: new(true)}, "--lazy-pages"); err != nil {
			return err
		}
	}
	if _, err := s.run(); err != nil {
		return explainCriu(bin, criuLogError(fmt.Errorf("checkpoint %q: %w", c.id, err), logDir, "dump.log"))
	}
	if opts.LeaveRunning || opts.PreDump {
		return nil
	}
	// CRIU killed the processes once they were dumped.
	mgr := cgroups.Load(c.rec.CgroupPaths)
	if err := c.kill(mgr); err != nil {
		return err
	}
	return c.destroy(mgr)
}

// dumpRequest builds CRIU's DUMP or PRE_DUMP request, runc's way. The
// returned func closes the directories the request names by fd.
func (c *Container) dumpRequest(spec *specs.Spec, opts *CriuOptions, version int) (*rpc.CriuReq, func(), error) {
	var files []*os.File
	closeFiles := func() {
		for _, f := range files {
			f.Close()
		}
	}
	if opts.ImagePath == "" {
		return nil, closeFiles, errors.New("checkpoint: no image path")
	}
	cgMode, err := criuCgMode(opts.ManageCgroupsMode)
	if err != nil {
		return nil, closeFiles, err
	}
	// A container may be checkpointed again into the same directory.
	if err := os.Mkdir(opts.ImagePath, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, closeFiles, fmt.Errorf("create image directory: %w", err)
	}
	images, err := os.Open(opts.ImagePath)
	if err != nil {
		return nil, closeFiles, fmt.Errorf("open image directory: %w", err)
	}
	files = append(files, images)
	o := &rpc.CriuOpts{
		ImagesDirFd:       new(int32(images.Fd())),
		LogLevel:          new(int32(4)),
		LogFile:           new("dump.log"),
		Root:              new(c.rec.Rootfs),
		ManageCgroups:     new(true),
		ManageCgroupsMode: &cgMode,
		NotifyScripts:     new(true),
		Pid:               new(int32(c.rec.InitPid)),
		ShellJob:          new(opts.ShellJob),
		LeaveRunning:      new(opts.LeaveRunning),
		TcpEstablished:    new(opts.TCPEstablished),
		TcpSkipInFlight:   new(opts.TCPSkipInFlight),
		LinkRemap:         new(opts.LinkRemap),
		ExtUnixSk:         new(opts.ExtUnixSk),
		FileLocks:         new(opts.FileLocks),
		EmptyNs:           new(opts.EmptyNs),
		OrphanPtsMaster:   new(true),
		AutoDedup:         new(opts.AutoDedup),
		LazyPages:         new(opts.LazyPages),
		ConfigFile:        criuConfigFile(spec.Annotations),
	}
	if opts.WorkPath != "" {
		if err := os.Mkdir(opts.WorkPath, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, closeFiles, fmt.Errorf("create work directory: %w", err)
		}
		work, err := os.Open(opts.WorkPath)
		if err != nil {
			return nil, closeFiles, fmt.Errorf("open work directory: %w", err)
		}
		files = append(files, work)
		o.WorkDirFd = new(int32(work.Fd()))
	}
	if err := dumpExternalNamespaces(o, spec); err != nil {
		return nil, closeFiles, err
	}
	// CRIU freezes the cgroup rather than ptrace-stopping each process
	// (cgroup v2's freezer from CRIU 3.14 on).
	if p := freezerPath(c.rec.CgroupPaths, version); p != "" {
		o.FreezeCgroup = new(p)
	}
	if opts.PageServerAddress != "" && opts.PageServerPort != 0 {
		o.Ps = &rpc.CriuPageServerInfo{Address: new(opts.PageServerAddress), Port: new(opts.PageServerPort)}
	}
	if opts.ParentPath != "" {
		o.ParentImg = new(opts.ParentPath)
		o.TrackMem = new(true)
	}
	reqType := rpc.CriuReqType_DUMP
	if opts.PreDump {
		reqType = rpc.CriuReqType_PRE_DUMP
	}
	if opts.LazyPages && opts.StatusFd >= 0 {
		flags, err := unix.FcntlInt(uintptr(opts.StatusFd), unix.F_GETFL, 0)
		if err != nil {
			return nil, closeFiles, fmt.Errorf("invalid --status-fd %d: %w", opts.StatusFd, err)
		}
		if flags&(unix.O_WRONLY|unix.O_RDWR) == 0 {
			return nil, closeFiles, fmt.Errorf("invalid --status-fd %d: not writable", opts.StatusFd)
		}
		if version < 31500 {
			// Older CRIU writes it itself; newer ones notify status-ready.
			o.StatusFd = new(int32(opts.StatusFd))
		}
	}
	req := &rpc.CriuReq{Type: &reqType, Opts: o}
	if opts.PreDump {
		return req, closeFiles, nil // memory only: no mounts, no descriptors
	}
	o.ExtMnt = dumpExtMounts(spec, cgroups.Load(c.rec.CgroupPaths).Mounts(), c.rec.InitPid)
	fds := make([]string, 3)
	for i := range fds {
		fds[i], _ = os.Readlink(filepath.Join("/proc", strconv.Itoa(c.rec.InitPid), "fd", strconv.Itoa(i)))
	}
	data, err := json.Marshal(fds)
	if err != nil {
		return nil, closeFiles, err
	}
	if err := writeFileAtomic(filepath.Join(opts.ImagePath, descriptorsFile), data, 0o600); err != nil {
		return nil, closeFiles, err
	}
	return req, closeFiles, nil
}

// freezerPath is the cgroup CRIU freezes: v1's freezer, or the cgroup2
// directory when CRIU knows cgroup v2's freezer (3.14).
func freezerPath(paths map[string]string, version int) string {
	if p := paths["freezer"]; p != "" {
		return p
	}
	if version < 31400 {
		return ""
	}
	return paths[""]
}

// externalNamespaceKey is CRIU's key of an external namespace, as runc
// names it (extRootNetNS, extRootPidNS).
func externalNamespaceKey(t specs.LinuxNamespaceType) string {
	switch t {
	case specs.NetworkNamespace:
		return "extRootNetNS"
	case specs.PIDNamespace:
		return "extRootPidNS"
	}
	return ""
}

// criuNamespaceName is CRIU's (and the kernel's) short name of a namespace.
var criuNamespaceName = map[specs.LinuxNamespaceType]string{
	specs.NetworkNamespace: "net", specs.PIDNamespace: "pid", specs.MountNamespace: "mnt",
	specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.UserNamespace: "user",
	specs.CgroupNamespace: "cgroup", specs.TimeNamespace: "time",
}

// dumpExternalNamespaces marks a network or pid namespace the container
// joined by path as external: CRIU leaves it alone, and the restore joins
// it again.
func dumpExternalNamespaces(o *rpc.CriuOpts, spec *specs.Spec) error {
	if spec.Linux == nil {
		return nil
	}
	for _, ns := range spec.Linux.Namespaces {
		key := externalNamespaceKey(ns.Type)
		if key == "" || ns.Path == "" {
			continue
		}
		var st unix.Stat_t
		if err := unix.Stat(ns.Path, &st); err != nil {
			return fmt.Errorf("linux.namespaces (%s): %w", ns.Type, err)
		}
		o.External = append(o.External, fmt.Sprintf("%s[%d]:%s", criuNamespaceName[ns.Type], st.Ino, key))
	}
	return nil
}
