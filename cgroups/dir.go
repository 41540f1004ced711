package cgroups

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupDir is one cgroup directory, named by the hierarchy's mount point
// and a path inside it. Every access resolves rel from a descriptor of root
// with RESOLVE_BENEATH and without symlinks, so a container that controls
// its own cgroup (cgroupns, delegation) cannot point our writes elsewhere.
type cgroupDir struct {
	root string // mount point of the hierarchy
	rel  string // "/"-separated, relative to root, "" for the root cgroup
}

func (d cgroupDir) path() string {
	if d.rel == "" {
		return d.root
	}
	return d.root + "/" + d.rel
}

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

// openBeneath opens rel below root; rel never leaves root, even through a
// symlink or a concurrent rename.
func openBeneath(root, rel string, flags int) (*os.File, error) {
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(rootFd)
	rel = strings.TrimPrefix(rel, "/")
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	for range 10 {
		fd, err := unix.Openat2(rootFd, rel, &how)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), path.Join(root, rel)), nil
		case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EINTR):
			// A rename somewhere in the tree raced with the lookup.
			continue
		case errors.Is(err, unix.ENOSYS):
			return openNoFollow(rootFd, root, rel, flags)
		default:
			return nil, err
		}
	}
	return nil, unix.EAGAIN
}

// openNoFollow is the fallback for kernels before 5.6: callers never pass
// "..", so refusing a symlink as the last component is what remains to check.
func openNoFollow(rootFd int, root, rel string, flags int) (*os.File, error) {
	fd, err := unix.Openat(rootFd, rel, flags|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), path.Join(root, rel)), nil
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
	f, err := openBeneath(d.root, path.Join(d.rel, file), unix.O_WRONLY)
	if err != nil {
		return fmt.Errorf("write %s: %w", file, errnoOf(err))
	}
	defer f.Close()
	// cgroup files take one value per write(2); WriteString issues one.
	if _, err := f.WriteString(value); err != nil {
		return fmt.Errorf("write %s: %w", file, errnoOf(err))
	}
	return nil
}

func (d cgroupDir) read(file string) (string, error) {
	f, err := openBeneath(d.root, path.Join(d.rel, file), unix.O_RDONLY)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, errnoOf(err))
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, errnoOf(err))
	}
	return strings.TrimSpace(string(b)), nil
}

func (d cgroupDir) has(file string) bool {
	f, err := openBeneath(d.root, path.Join(d.rel, file), unix.O_PATH)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func (d cgroupDir) exists() bool { return d.has("") }

// mkdirAll creates d and its missing ancestors, calling prepare on every
// level from the hierarchy root down to d's parent before its child is made,
// because some controllers (cpuset, cgroup2 subtree_control) must be set up
// in a parent first.
func (d cgroupDir) mkdirAll(prepare func(level cgroupDir) error) error {
	level := cgroupDir{root: d.root}
	parts := strings.Split(d.rel, "/")
	for _, name := range parts {
		if name == "" {
			continue
		}
		if prepare != nil {
			if err := prepare(level); err != nil {
				return err
			}
		}
		dirf, err := openBeneath(d.root, level.rel, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return fmt.Errorf("open %s: %w", level.path(), errnoOf(err))
		}
		err = unix.Mkdirat(int(dirf.Fd()), name, 0o755)
		dirf.Close()
		level = level.child(name)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("mkdir %s: %w", level.path(), err)
		}
	}
	return nil
}

// removeAll removes d and the cgroups the container made inside it,
// deepest first. A missing directory is not an error.
func (d cgroupDir) removeAll() error {
	if d.rel == "" {
		return errors.New("refusing to remove a hierarchy root")
	}
	f, err := openBeneath(d.root, d.rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", d.path(), errnoOf(err))
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("list %s: %w", d.path(), errnoOf(err))
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := d.child(e.Name()).removeAll(); err != nil {
				return err
			}
		}
	}
	return d.rmdir()
}

// rmdir retries EBUSY for a short while: the kernel still counts a cgroup
// busy for a moment after its last process has been reaped.
func (d cgroupDir) rmdir() error {
	parent := d.parent()
	name := path.Base(d.rel)
	delay := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		pf, err := openBeneath(d.root, parent.rel, unix.O_PATH|unix.O_DIRECTORY)
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("open %s: %w", parent.path(), errnoOf(err))
		}
		err = unix.Unlinkat(int(pf.Fd()), name, unix.AT_REMOVEDIR)
		pf.Close()
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) || attempt >= 6 {
			return fmt.Errorf("rmdir %s: %w", d.path(), err)
		}
		time.Sleep(delay)
		delay *= 2
	}
}
