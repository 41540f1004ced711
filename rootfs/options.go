package rootfs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hullrt/hull/specconv"
	"golang.org/x/sys/unix"
)

// MountOptions is a config mount's option list sorted into what the
// executor needs: bind or not, mount attributes to set and clear,
// propagation, and the rest as filesystem data.
type MountOptions struct {
	Bind      bool
	Recursive bool
	// AttrSet and AttrClr are MOUNT_ATTR_* bits. When an atime word is
	// given, AttrClr holds MOUNT_ATTR__ATIME and AttrSet the chosen mode,
	// as mount_setattr(2) wants.
	AttrSet     uint64
	AttrClr     uint64
	Propagation uint64
	Data        []DataOption
}

// attrWords are the words that set (or, with clear, clear) one attribute.
// The "r"-prefixed recursive forms map to the same bits: the executor
// applies a bind mount's attributes to the whole tree it binds.
var attrWords = map[string]struct {
	bit   uint64
	clear bool
}{
	"ro": {unix.MOUNT_ATTR_RDONLY, false}, "rw": {unix.MOUNT_ATTR_RDONLY, true},
	"nosuid": {unix.MOUNT_ATTR_NOSUID, false}, "suid": {unix.MOUNT_ATTR_NOSUID, true},
	"nodev": {unix.MOUNT_ATTR_NODEV, false}, "dev": {unix.MOUNT_ATTR_NODEV, true},
	"noexec": {unix.MOUNT_ATTR_NOEXEC, false}, "exec": {unix.MOUNT_ATTR_NOEXEC, true},
	"nodiratime": {unix.MOUNT_ATTR_NODIRATIME, false}, "diratime": {unix.MOUNT_ATTR_NODIRATIME, true},
	"nosymfollow": {unix.MOUNT_ATTR_NOSYMFOLLOW, false}, "symfollow": {unix.MOUNT_ATTR_NOSYMFOLLOW, true},
}

// atimeWords choose the access-time mode; "atime", "norelatime" and
// "nostrictatime" fall back to the kernel default, relatime.
var atimeWords = map[string]uint64{
	"noatime": unix.MOUNT_ATTR_NOATIME, "relatime": unix.MOUNT_ATTR_RELATIME,
	"strictatime": unix.MOUNT_ATTR_STRICTATIME, "atime": unix.MOUNT_ATTR_RELATIME,
	"norelatime": unix.MOUNT_ATTR_RELATIME, "nostrictatime": unix.MOUNT_ATTR_RELATIME,
}

// ignoredWords are accepted and have no effect: defaults, or mount(8)
// spellings of the default behaviour.
var ignoredWords = map[string]bool{
	"defaults": true, "async": true, "loud": true, "remount": true,
	"noiversion": true, "nomand": true, "nolazytime": true,
}

// unsupportedWords are runc extensions the executor cannot do yet; passing
// them on as filesystem data would only fail later with EINVAL.
var unsupportedWords = map[string]bool{"tmpcopyup": true, "idmap": true, "ridmap": true}

// ParseOptions sorts a mount's options. Words it does not know become
// filesystem data ("mode=755", "newinstance").
func ParseOptions(options []string) (MountOptions, error) {
	var mo MountOptions
	for _, o := range options {
		word := o
		if len(o) > 2 && o[0] == 'r' {
			if _, ok := attrWords[o[1:]]; ok {
				word = o[1:] // "rro", "rnosuid", ...
			} else if _, ok := atimeWords[o[1:]]; ok {
				word = o[1:] // "rnoatime", ...
			}
		}
		if a, ok := attrWords[word]; ok {
			if a.clear {
				mo.AttrSet &^= a.bit
				mo.AttrClr |= a.bit
			} else {
				mo.AttrSet |= a.bit
				mo.AttrClr &^= a.bit
			}
			continue
		}
		if mode, ok := atimeWords[word]; ok {
			mo.AttrSet = mo.AttrSet&^unix.MOUNT_ATTR__ATIME | mode
			mo.AttrClr |= unix.MOUNT_ATTR__ATIME
			continue
		}
		if flags, ok := specconv.PropagationFlag(o); ok {
			mo.Propagation = flags
			continue
		}
		switch {
		case o == "bind":
			mo.Bind = true
		case o == "rbind":
			mo.Bind, mo.Recursive = true, true
		case o == "" || ignoredWords[o]:
		case unsupportedWords[o]:
			return mo, fmt.Errorf("option %q is not supported by hull yet", o)
		default:
			key, value, _ := strings.Cut(o, "=")
			mo.Data = append(mo.Data, DataOption{Key: key, Value: value})
		}
	}
	return mo, nil
}

// OptionNames lists the mount option words ParseOptions understands itself
// (everything else is passed on as filesystem data), sorted, for
// `hull features`.
func OptionNames() []string {
	names := []string{"bind", "rbind"}
	for w := range attrWords {
		names = append(names, w, "r"+w)
	}
	for w := range atimeWords {
		names = append(names, w, "r"+w)
	}
	for w := range ignoredWords {
		names = append(names, w)
	}
	names = append(names, "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable")
	slices.Sort(names)
	return slices.Compact(names)
}
