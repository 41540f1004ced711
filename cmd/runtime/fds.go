package main

import "golang.org/x/sys/unix"

// keepInheritedFdsToOurselves marks every fd hull's caller left open
// close-on-exec, so that no hook or other child hull starts inherits one
// (runc's children get their stdio only). The executor forked before Go
// started has its own copies: it passes the --preserve-fds ones to the
// container and closes the rest.
func keepInheritedFdsToOurselves() {
	// Only an old kernel refuses; its children then inherit what they did.
	_ = unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
}
