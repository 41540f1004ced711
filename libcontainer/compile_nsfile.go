package libcontainer

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// openNamespace opens a namespace file (a host path from the config, not
// an image path) and checks that it is one: setns on a regular file would
// only fail later, inside the executor, with a vaguer error.
func openNamespace(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("statfs %s: %w", path, err)
	}
	if st.Type != unix.NSFS_MAGIC && st.Type != unix.PROC_SUPER_MAGIC {
		f.Close()
		return nil, fmt.Errorf("%s is not a namespace file", path)
	}
	return f, nil
}
