package libcontainer

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// sendConsole hands the pty master to the listener at socketPath, as runc
// does for containerd and conmon: one unix stream connection, the master's
// name as data and its fd by SCM_RIGHTS.
func sendConsole(socketPath string, master *os.File) error {
	conn, err := net.Dial("unix", socketPath)
	if err != nil {
		return fmt.Errorf("connect to console socket: %w", err)
	}
	defer conn.Close()
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("connect to console socket: %s is not a unix socket", socketPath)
	}
	name := []byte(master.Name())
	if _, _, err := uc.WriteMsgUnix(name, unix.UnixRights(int(master.Fd())), nil); err != nil {
		return fmt.Errorf("send console to socket: %w", err)
	}
	return nil
}
