// Package passwd reads a container's /etc/passwd from the host side,
// resolving the path inside the container's root, to find a user's home
// directory (runc sets HOME from it when process.env has none).
package passwd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultHome is the home of a user without an entry, as in runc.
const DefaultHome = "/"

// maxSize bounds what is read of a hostile image's passwd file.
const maxSize = 4 << 20

// HomeOf returns the home directory of uid in the passwd file at
// /etc/passwd inside root (a host path of the container's root). The
// path is resolved with RESOLVE_IN_ROOT, so symlinks in the image never
// lead out of it. A missing file, a missing entry or an unreadable file
// give DefaultHome, as runc does; the error says why for a debug log.
func HomeOf(root string, uid uint32) (string, error) {
	return HomeAt(root, "etc/passwd", uid)
}

// HomeAt is HomeOf for the passwd file at name (relative) inside dir,
// resolved the same way: a bind mount's source (dir is its parent
// directory) or a directory bound over /etc.
func HomeAt(root, name string, uid uint32) (string, error) {
	dir, err := os.OpenFile(root, os.O_RDONLY|unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return DefaultHome, fmt.Errorf("open %s: %w", root, err)
	}
	defer dir.Close()
	fd, err := unix.Openat2(int(dir.Fd()), name, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	})
	if err != nil {
		return DefaultHome, fmt.Errorf("open %s in %s: %w", name, root, err)
	}
	f := os.NewFile(uintptr(fd), "/etc/passwd")
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return DefaultHome, fmt.Errorf("/etc/passwd in the container is not a regular file")
	}
	return homeIn(io.LimitReader(f, maxSize), uid), nil
}

// homeIn parses passwd(5) lines and returns the home of the first entry
// for uid, or DefaultHome.
func homeIn(r io.Reader, uid uint32) string {
	want := strconv.FormatUint(uint64(uid), 10)
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 4096), 1<<20)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ":")
		if len(fields) < 6 || fields[2] != want {
			continue
		}
		return fields[5]
	}
	return DefaultHome
}
