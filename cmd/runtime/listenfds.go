package main

import (
	"os"
	"strconv"
)

// socketActivationFDs is how many fds systemd's socket activation handed
// to this very process (LISTEN_FDS, when LISTEN_PID is our pid). As runc
// does, create and run pass them on to the container as fds 3, 4, ...,
// before the --preserve-fds ones, with LISTEN_FDS and LISTEN_PID=1 in its
// environment, so a socket-activated service can run in a container.
func socketActivationFDs() int {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return 0
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
