package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/specconv"
)

// RemoveAbandoned removes the directory of a create that died before
// writing the container's record (a killed `hull create`), so that the id
// can be used again. A create still running holds the directory's lock and
// is left alone. It is a no-op when there is no such directory.
func RemoveAbandoned(root, id string) error {
	if err := specconv.ValidateID(id); err != nil {
		return err
	}
	dir := filepath.Join(root, id)
	f, err := os.OpenFile(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open container directory: %w", err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return fmt.Errorf("container %q is being created", id)
		}
		return fmt.Errorf("lock container %q: %w", id, err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return nil // a real container: Delete's business
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove abandoned container directory: %w", err)
	}
	return nil
}
