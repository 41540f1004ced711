package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/checkpoint-restore/go-criu/v8/rpc"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/specconv"
)

// RestoreOptions are the choices of `hull restore`.
type RestoreOptions struct {
	CriuOptions
	// ConsoleSocket receives the pty master of a container with a
	// terminal (CRIU hands it over as an orphaned pts master).
	ConsoleSocket string
	// PidFile, if set, receives the restored init's pid.
	PidFile string
	// Stdin, Stdout and Stderr replace the checkpointed container's
	// stdio where it was pipes (nil: /dev/null).
	Stdin, Stdout, Stderr *os.File
	// SystemdCgroup selects the systemd cgroup driver.
	SystemdCgroup bool
}

// criuRootDir is where the rootfs is bound during a restore, in the
// container's directory: CRIU's root must be a mount point whose parent
// is not overmounted.
const criuRootDir = "criu-root"

// Restore makes container id under root from plan and the checkpoint in
// opts.ImagePath: CRIU restores the processes into the container's new
// cgroup, and the container is running when Restore returns. A caller
// that waits for the init must be its parent or subreaper: CRIU restores
// it as the caller's child (CRIU's rst_sibling). On failure nothing is
// left behind.
func Restore(root, id string, plan *specconv.Plan, opts RestoreOptions) (*Container, error) {
	r := &restoration{opts: opts}
	c, err := r.run(root, id, plan)
	if err != nil {
		r.cleanup()
		return nil, err
	}
	return c, nil
}

// restoration is one restore in progress and what to undo if it fails.
type restoration struct {
	opts         RestoreOptions
	dir          string
	lock         *dirLock
	mgr          cgroups.Manager
	criuRoot     string
	mounted      bool
	initPid      int
	wrotePidFile bool
}

func (r *restoration) run(root, id string, plan *specconv.Plan) (*Container, error) {
	if err := specconv.ValidateID(id); err != nil {
		return nil, err
	}
	if plan == nil || plan.Spec == nil {
		return nil, errors.New("no plan to restore from")
	}
	spec := plan.Spec
	if r.opts.ImagePath == "" {
		return nil, errors.New("restore: no image path")
	}
	bin := r.opts.criuPath()
	version, err := criuVersion(bin)
	if err != nil {
		return nil, err
	}
	fds, err := readDescriptors(r.opts.ImagePath)
	if err != nil {
		return nil, err
	}
	if spec.Process != nil && spec.Process.Terminal && r.opts.ConsoleSocket == "" {
		return nil, errors.New("process.terminal: restoring a container with a terminal needs --console-socket")
	}
	if (r.opts.LsmProfile != "" || r.opts.LsmMountContext != "") && version < 31600 {
		return nil, errors.New("--lsm-profile and --lsm-mount-context need CRIU 3.16 or later")
	}
	cfg := cgroups.Config{ID: id, Systemd: r.opts.SystemdCgroup, Annotations: spec.Annotations}
	if spec.Linux != nil {
		cfg.Path = spec.Linux.CgroupsPath
		cfg.Resources = spec.Linux.Resources
	}
	mgr, err := cgroups.New(cfg)
	if err != nil {
		return nil, err
	}
	created := time.Now().UTC()
	if r.dir, err = makeContainerDir(root, id); err != nil {
		return nil, err
	}
	if r.lock, err = lockDir(r.dir, id); err != nil {
		return nil, err
	}
	// Should hull die halfway, delete finds the cgroup (and what CRIU put
	// in it) here, as for an abandoned create.
	if err := saveIntent(r.dir, &record{ID: id, Bundle: plan.Bundle, Rootfs: plan.Rootfs, Created: created,
		CgroupPaths: mgr.Paths(), CgroupCreated: mgr.WouldCreate()}); err != nil {
		return nil, err
	}
	r.mgr = mgr
	if err := prepareMountpoints(plan.Rootfs, spec); err != nil {
		return nil, err
	}
	if err := r.bindRoot(plan.Rootfs); err != nil {
		return nil, err
	}
	req, files, err := r.request(spec, fds)
	defer closeAll(files)
	if err != nil {
		return nil, err
	}
	rec := &record{ID: id, Bundle: plan.Bundle, Rootfs: plan.Rootfs, Created: created, Spec: spec}
	s := &swrk{
		bin:   bin,
		req:   req,
		stdio: [3]*os.File{r.opts.Stdin, r.opts.Stdout, r.opts.Stderr},
		extra: files[1:],
		started: func(pid int) error {
			return r.joinCgroup(pid, req.Opts)
		},
		notify: func(script string, pid int32, file *os.File) error {
			return r.notified(rec, script, int(pid), file)
		},
	}
	logDir := r.opts.ImagePath
	if r.opts.WorkPath != "" {
		logDir = r.opts.WorkPath
	}
	if _, err := s.run(); err != nil {
		return nil, explainCriu(bin, criuLogError(fmt.Errorf("restore %q: %w", id, err), logDir, "restore.log"))
	}
	r.unbindRoot()
	if r.initPid == 0 {
		return nil, errors.New("restore: CRIU did not report the restored init's pid")
	}
	st, err := readProcStat(r.initPid)
	if err != nil {
		return nil, fmt.Errorf("read start time of the restored init %d: %w", r.initPid, err)
	}
	rec.InitPid, rec.InitStartTime = r.initPid, st.StartTime
	rec.CgroupPaths, rec.CgroupCreated = mgr.Paths(), mgr.Created()
	if err := saveRecord(r.dir, rec, mgr); err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(r.dir, intentFile)); err != nil {
		logrus.Debugf("restore %s: remove intent record: %v", id, err)
	}
	if r.opts.PidFile != "" {
		if err := writePidFile(r.opts.PidFile, r.initPid); err != nil {
			return nil, err
		}
		r.wrotePidFile = true
	}
	r.lock.unlock()
	return &Container{id: id, dir: r.dir, rec: rec}, nil
}

// readDescriptors reads what the init's stdio were at the checkpoint.
func readDescriptors(imagePath string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(imagePath, descriptorsFile))
	if err != nil {
		return nil, fmt.Errorf("restore: read the checkpoint in %s: %w", imagePath, err)
	}
	var fds []string
	if err := json.Unmarshal(data, &fds); err != nil {
		return nil, fmt.Errorf("restore: decode %s: %w", descriptorsFile, err)
	}
	return fds, nil
}

// bindRoot binds the rootfs at <dir>/criu-root for CRIU to use as root.
func (r *restoration) bindRoot(rootfsPath string) error {
	r.criuRoot = filepath.Join(r.dir, criuRootDir)
	if err := os.Mkdir(r.criuRoot, 0o755); err != nil {
		return fmt.Errorf("restore: create %s: %w", criuRootDir, err)
	}
	if err := unix.Mount(rootfsPath, r.criuRoot, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("restore: bind the rootfs %s: %w", rootfsPath, err)
	}
	r.mounted = true
	return nil
}

func (r *restoration) unbindRoot() {
	if r.mounted {
		if err := unix.Unmount(r.criuRoot, unix.MNT_DETACH); err != nil {
			logrus.Warnf("restore: unmount %s: %v", r.criuRoot, err)
		}
		r.mounted = false
	}
	if r.criuRoot != "" {
		os.Remove(r.criuRoot)
	}
}

// request builds CRIU's RESTORE request, runc's way. files[0] is the
// image directory; the others are CRIU's fds 4, 5, ... in order.
func (r *restoration) request(spec *specs.Spec, fds []string) (*rpc.CriuReq, []*os.File, error) {
	cgMode, err := criuCgMode(r.opts.ManageCgroupsMode)
	if err != nil {
		return nil, nil, err
	}
	images, err := os.Open(r.opts.ImagePath)
	if err != nil {
		return nil, nil, fmt.Errorf("open image directory: %w", err)
	}
	files := []*os.File{images}
	o := &rpc.CriuOpts{
		ImagesDirFd:       new(int32(images.Fd())),
		EvasiveDevices:    new(true),
		LogLevel:          new(int32(4)),
		LogFile:           new("restore.log"),
		RstSibling:        new(true),
		Root:              new(r.criuRoot),
		ManageCgroups:     new(true),
		ManageCgroupsMode: &cgMode,
		NotifyScripts:     new(true),
		ShellJob:          new(r.opts.ShellJob),
		ExtUnixSk:         new(r.opts.ExtUnixSk),
		TcpEstablished:    new(r.opts.TCPEstablished),
		FileLocks:         new(r.opts.FileLocks),
		EmptyNs:           new(r.opts.EmptyNs),
		OrphanPtsMaster:   new(true),
		AutoDedup:         new(r.opts.AutoDedup),
		LazyPages:         new(r.opts.LazyPages),
		ConfigFile:        criuConfigFile(spec.Annotations),
	}
	if r.opts.LsmProfile != "" {
		o.LsmProfile = new(r.opts.LsmProfile)
	}
	if r.opts.LsmMountContext != "" {
		o.LsmMountContext = new(r.opts.LsmMountContext)
	}
	if r.opts.WorkPath != "" {
		if err := os.Mkdir(r.opts.WorkPath, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, files, fmt.Errorf("create work directory: %w", err)
		}
		work, err := os.Open(r.opts.WorkPath)
		if err != nil {
			return nil, files, fmt.Errorf("open work directory: %w", err)
		}
		files = append(files, work)
		o.WorkDirFd = new(int32(work.Fd()))
	}
	// The swrk process gets files[1:] as fds 4, 5, ...: the work
	// directory (CRIU reopens it through /proc/<us>/fd anyway) and the
	// namespaces below.
	if spec.Linux != nil {
		for _, ns := range spec.Linux.Namespaces {
			if ns.Path == "" {
				continue
			}
			if key := externalNamespaceKey(ns.Type); key != "" {
				f, err := os.Open(ns.Path)
				if err != nil {
					return nil, files, fmt.Errorf("linux.namespaces (%s): the namespace to restore into: %w", ns.Type, err)
				}
				o.InheritFd = append(o.InheritFd, &rpc.InheritFd{Key: new(key), Fd: new(int32(3 + len(files)))})
				files = append(files, f)
				continue
			}
			if ns.Type == specs.CgroupNamespace {
				return nil, files, errors.New("linux.namespaces (cgroup): CRIU cannot restore into a cgroup namespace given by path")
			}
			o.JoinNs = append(o.JoinNs, &rpc.JoinNamespace{Ns: new(criuNamespaceName[ns.Type]), NsFile: new(ns.Path)})
		}
	}
	o.ExtMnt = restoreExtMounts(spec, r.mgr.Mounts())
	// A pipe among the init's stdio gets the restore's own fd of the same
	// number (CRIU's inherit-fd), so the restored container writes where
	// the caller reads.
	for i, target := range fds {
		if strings.HasPrefix(target, "pipe:") {
			o.InheritFd = append(o.InheritFd, &rpc.InheritFd{Key: new(target), Fd: new(int32(i))})
		}
	}
	t := rpc.CriuReqType_RESTORE
	return &rpc.CriuReq{Type: &t, Opts: o}, files, nil
}

// joinCgroup puts CRIU in the container's new cgroup (with its limits)
// before it restores anything, and makes that cgroup the root of the
// restored cgroup tree.
func (r *restoration) joinCgroup(pid int, o *rpc.CriuOpts) error {
	if err := r.mgr.Apply(pid); err != nil {
		return fmt.Errorf("restore: put CRIU in the container's cgroup: %w", err)
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return fmt.Errorf("restore: read CRIU's cgroups: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		// hierarchy-ID:controllers:path; "name=" hierarchies keep the prefix.
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		o.CgRoot = append(o.CgRoot, &rpc.CgroupRoot{Ctrl: new(parts[1]), Path: new(parts[2])})
	}
	return nil
}

// notified answers one CRIU notification during the restore.
func (r *restoration) notified(rec *record, script string, pid int, file *os.File) error {
	if file != nil {
		defer file.Close()
	}
	switch script {
	case "setup-namespaces":
		// The processes exist in their namespaces, not yet running:
		// where runc runs the prestart and createRuntime hooks.
		return runHooks(rec.Spec, rec.hookState(Creating, pid), phasePrestart, phaseCreateRuntime)
	case "post-restore":
		r.initPid = pid
	case "orphan-pts-master":
		if file == nil {
			return errors.New("restore: CRIU sent no pty master")
		}
		if r.opts.ConsoleSocket == "" {
			return errors.New("process.terminal: restoring a container with a terminal needs --console-socket")
		}
		return sendConsole(r.opts.ConsoleSocket, file)
	}
	return nil
}

// cleanup undoes a failed restore: what CRIU restored (in the cgroup) is
// killed, the cgroup, the state directory and the pid file removed.
func (r *restoration) cleanup() {
	r.unbindRoot()
	if r.initPid > 0 {
		if st, err := readProcStat(r.initPid); err == nil {
			if signalProcess(r.initPid, st.StartTime, unix.SIGKILL) == nil {
				waitGone(r.initPid, st.StartTime, killTimeout)
			}
		}
		reapIfChild(r.initPid)
	}
	if r.mgr != nil {
		killCgroup(r.mgr, r.mgr.Paths())
		r.mgr.Destroy()
		cgroups.RemoveCreatedParents(r.mgr, r.mgr.Created())
	}
	if r.wrotePidFile {
		os.Remove(r.opts.PidFile)
	}
	if r.dir != "" {
		os.RemoveAll(r.dir)
	}
	r.lock.unlock()
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
