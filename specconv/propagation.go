package specconv

import "golang.org/x/sys/unix"

// propagationFlags maps the propagation words of mount options and
// linux.rootfsPropagation to mount(2) flags, as runc does.
var propagationFlags = map[string]uint64{
	"private":     unix.MS_PRIVATE,
	"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
	"slave":       unix.MS_SLAVE,
	"rslave":      unix.MS_SLAVE | unix.MS_REC,
	"shared":      unix.MS_SHARED,
	"rshared":     unix.MS_SHARED | unix.MS_REC,
	"unbindable":  unix.MS_UNBINDABLE,
	"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// PropagationFlag returns the mount flags of a propagation word such as
// "rslave"; ok is false for any other word.
func PropagationFlag(word string) (flags uint64, ok bool) {
	flags, ok = propagationFlags[word]
	return flags, ok
}
