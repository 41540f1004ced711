package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupDir is one cgroup directory, named by the hierarchy's mount point
// and a path inside it. Every access resolves rel from a descriptor of root
// with RESOLVE_BENEATH, without symlinks and without crossing a mount, so
// neither a container that controls its own cgroup (cgroupns, delegation)
// nor something mounted over a cgroup directory can point our writes
// elsewhere.
type cgroupDir struct {
	root string // mount point of the hierarchy
	rel  string // "/"-separated, relative to root, "" for the root cgroup
	// cache, when set, keeps an O_PATH descriptor of the directory between
	// accesses, so that writing a file costs one openat2 instead of two
	// opens. The manager closes it when each of its calls returns.
	cache *dirCache
}

type dirCache struct {
	fd int
	// journal, when set (during Manager.Set), records each file's value
	// before a write changes it, so that a refused update can be undone.
	journal *journal
}

func (d cgroupDir) withCache() cgroupDir {
	d.cache = &dirCache{fd: -1}
	return d
}

// release closes the cached descriptor; the next access opens it again.
func (d cgroupDir) release() {
	if d.cache != nil && d.cache.fd >= 0 {
		unix.Close(d.cache.fd)
		d.cache.fd = -1
	}
}

func (d cgroupDir) path() string {
	if d.rel == "" {
		return d.root
	}
	return d.root + "/" + d.rel
}

// child and parent are uncached: they are used for the occasional access.
func (d cgroupDir) child(name string) cgroupDir {
	return cgroupDir{root: d.root, rel: path.Join(d.rel, name)}
}

func (d cgroupDir) parent() cgroupDir {
	p := path.Dir(d.rel)
	if p == "." || p == "/" {
		p = ""
	}
	return cgroupDir{root: d.root, rel: p}
}

var resolveBeneath = uint64(unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV)

// openat2Beneath opens rel below the directory dirFd and never outside it,
// even through a symlink or a concurrent rename.
func openat2Beneath(dirFd int, rel string, flags int) (int, error) {
	rel = strings.TrimPrefix(rel, "/")
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: resolveBeneath}
	for range 10 {
		fd, err := unix.Openat2(dirFd, rel, &how)
		switch {
		case err == nil:
			return fd, nil
		case err == unix.EAGAIN || err == unix.EINTR:
			// A rename somewhere in the tree raced with the lookup.
			continue
		case err == unix.ENOSYS:
			// Kernels before 5.6: callers never pass "..", so refusing a
			// symlink as the last component is what remains to check.
			return unix.Openat(dirFd, rel, flags|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		default:
			return -1, err
		}
	}
	return -1, unix.EAGAIN
}

// openBeneathFd opens rel below the hierarchy root.
func openBeneathFd(root, rel string, flags int) (int, error) {
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(rootFd)
	return openat2Beneath(rootFd, rel, flags)
}

// openBeneath is openBeneathFd for callers that want an *os.File
// (directory listings).
func openBeneath(root, rel string, flags int) (*os.File, error) {
	fd, err := openBeneathFd(root, rel, flags)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), path.Join(root, rel)), nil
}

// openFile opens a file of the cgroup, through the cached directory
// descriptor when there is one.
func (d cgroupDir) openFile(file string, flags int) (int, error) {
	if d.cache == nil {
		return openBeneathFd(d.root, path.Join(d.rel, file), flags)
	}
	if d.cache.fd < 0 {
		fd, err := openBeneathFd(d.root, d.rel, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return -1, err
		}
		d.cache.fd = fd
	}
	return openat2Beneath(d.cache.fd, file, flags)
}

// errnoOf strips *os.PathError and friends so that messages name the cgroup
// file once, as the caller chooses, and end with the bare errno text.
func errnoOf(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

func (d cgroupDir) write(file, value string) error {
	fd, err := d.openForWrite(file)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return writeValue(fd, file, value)
}

func (d cgroupDir) openForWrite(file string) (int, error) {
	if d.cache != nil && d.cache.journal != nil {
		d.cache.journal.remember(d, file)
	}
	fd, err := d.openFile(file, unix.O_WRONLY)
	if err != nil {
		return -1, fmt.Errorf("write %s: %w", file, errnoOf(err))
	}
	return fd, nil
}

// writeValue writes value to the open cgroup file: cgroup files take one
// value per write(2).
func writeValue(fd int, file, value string) error {
	var err error
	for {
		_, err = unix.Write(fd, []byte(value))
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}

// fileWriter writes values to files of one cgroup in order, a write(2)
// each as write does, but opening each file once: the v1 device rules
// are a dozen lines to devices.allow, and each open of a cgroup file is
// a path walk and a kernfs open (perf: ~10% of Apply's system calls).
type fileWriter struct {
	d   cgroupDir
	fds map[string]int
}

func (w *fileWriter) write(file, value string) error {
	fd, ok := w.fds[file]
	if !ok {
		var err error
		if fd, err = w.d.openForWrite(file); err != nil {
			return err
		}
		if w.fds == nil {
			w.fds = map[string]int{}
		}
		w.fds[file] = fd
	}
	return writeValue(fd, file, value)
}

func (w *fileWriter) close() {
	for _, fd := range w.fds {
		unix.Close(fd)
	}
	w.fds = nil
}

func (d cgroupDir) read(file string) (string, error) {
	fd, err := d.openFile(file, unix.O_RDONLY)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, errnoOf(err))
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("read %s: %w", file, err)
		}
		if n == 0 {
			return strings.TrimSpace(string(buf)), nil
		}
		buf = buf[:len(buf)+n]
	}
}

func (d cgroupDir) has(file string) bool {
	fd, err := d.openFile(file, unix.O_PATH)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// exists looks afresh: a cached descriptor outlives its directory.
func (d cgroupDir) exists() bool {
	fd, err := openBeneathFd(d.root, d.rel, unix.O_PATH)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// mkdirAll creates d and its missing ancestors, calling prepare on every
// level from the hierarchy root down to d's parent before its child is made,
// because some controllers (cpuset, cgroup2 subtree_control) must be set up
// in a parent first. It walks down by descriptor, and leaves d's descriptor
// in the cache. created is the shallowest level it made ("" when d and all
// its ancestors existed), so that delete can remove what create added.
func (d cgroupDir) mkdirAll(prepare func(level cgroupDir) error) (created string, err error) {
	fd, err := unix.Open(d.root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", d.root, err)
	}
	defer func() {
		if fd >= 0 {
			unix.Close(fd)
		}
	}()
	level := cgroupDir{root: d.root}
	for name := range strings.SplitSeq(d.rel, "/") {
		if name == "" {
			continue
		}
		if prepare != nil {
			if err := prepare(level); err != nil {
				return created, err
			}
		}
		level = level.child(name)
		switch err := unix.Mkdirat(fd, name, 0o755); {
		case err == nil && created == "":
			created = level.path()
		case err != nil && err != unix.EEXIST:
			return "", fmt.Errorf("mkdir %s: %w", level.path(), err)
		}
		next, err := openat2Beneath(fd, name, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return "", fmt.Errorf("open %s: %w", level.path(), err)
		}
		unix.Close(fd)
		fd = next
	}
	if d.cache != nil {
		d.release()
		d.cache.fd, fd = fd, -1
	}
	return created, nil
}

// removeAll removes d and the cgroups the container made inside it,
// deepest first. A missing directory is not an error.
func (d cgroupDir) removeAll() error {
	if d.rel == "" {
		return errors.New("refusing to remove a hierarchy root")
	}
	parent := d.parent()
	pfd, err := openBeneathFd(d.root, parent.rel, unix.O_PATH|unix.O_DIRECTORY)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", parent.path(), err)
	}
	defer unix.Close(pfd)
	return removeTree(pfd, path.Base(d.rel), d.path())
}

// removeTree removes the cgroup name under the directory parentFd; where
// names it in errors.
//
// It tries the rmdir first: the kernel removes a cgroup only when it has
// neither processes nor child cgroups (EBUSY otherwise; its interface
// files do not count), so a container's cgroup that is already empty,
// the usual case, goes with one system call instead of an open, a listing
// and a close before it (5 system calls and an *os.File per hierarchy, 10
// hierarchies on a hybrid host). Any refusal takes the walk below, which
// removes the children first and retries a cgroup still busy.
func removeTree(parentFd int, name, where string) error {
	switch err := unix.Unlinkat(parentFd, name, unix.AT_REMOVEDIR); err {
	case nil, unix.ENOENT:
		return nil
	}
	fd, err := openat2Beneath(parentFd, name, unix.O_RDONLY|unix.O_DIRECTORY)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", where, err)
	}
	dir := os.NewFile(uintptr(fd), where)
	entries, err := dir.ReadDir(-1)
	if err != nil && !errors.Is(err, unix.ENOENT) {
		dir.Close()
		return fmt.Errorf("list %s: %w", where, errnoOf(err))
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := removeTree(fd, e.Name(), where+"/"+e.Name()); err != nil {
				dir.Close()
				return err
			}
		}
	}
	dir.Close()
	return rmdirRetry(parentFd, name, where)
}

// rmdirRetry retries EBUSY for a short while: the kernel still counts a
// cgroup busy for a moment after its last process has been reaped.
func rmdirRetry(parentFd int, name, where string) error {
	delay := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := unix.Unlinkat(parentFd, name, unix.AT_REMOVEDIR)
		if err == nil || err == unix.ENOENT {
			return nil
		}
		if err != unix.EBUSY || attempt >= 6 {
			return fmt.Errorf("rmdir %s: %w", where, err)
		}
		time.Sleep(delay)
		delay *= 2
	}
}

// removeEmpty removes d if it has no child cgroups and no processes (the
// kernel refuses otherwise, with EBUSY or ENOTEMPTY). Missing is fine.
func (d cgroupDir) removeEmpty() error {
	parent := d.parent()
	rel := parent.rel
	if rel == "" {
		rel = "."
	}
	pfd, err := openBeneathFd(d.root, rel, unix.O_PATH|unix.O_DIRECTORY)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", parent.path(), err)
	}
	defer unix.Close(pfd)
	if err := unix.Unlinkat(pfd, path.Base(d.rel), unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
		return fmt.Errorf("remove %s: %w", d.path(), err)
	}
	return nil
}
