package rootfs

import (
	"slices"
	"strings"

	"github.com/hullrt/hull/specconv"
	"golang.org/x/sys/unix"
)

// MountOptions is a config mount's option list sorted into what the
// executor needs: bind or not, mount attributes, propagation, extensions
// and the rest as filesystem data. Every option runc accepts is understood.
type MountOptions struct {
	Bind      bool
	Recursive bool
	// AttrSet and AttrClr are the MOUNT_ATTR_* bits of the mount itself
	// (for a recursive bind, of its top mount only, as runc's remount).
	// When an access-time mode is chosen AttrClr holds MOUNT_ATTR__ATIME,
	// as mount_setattr(2) wants. For a bind with any flag word they say
	// the exact flags of the new mount (see bindAttrs).
	AttrSet uint64
	AttrClr uint64
	// ExplicitClr are the attributes a word asked to clear ("rw", "suid",
	// "dev", "exec"): a bind whose source has them locked is an error
	// rather than a mount that silently keeps them.
	ExplicitClr uint64
	// RecAttrSet and RecAttrClr come from the "r"-prefixed words ("rro",
	// "rnosuid", ...), applied to the whole tree.
	RecAttrSet uint64
	RecAttrClr uint64
	// Remount is the "remount" word: a bind keeps its source's flags and
	// only changes those named (mount --bind -o remount).
	Remount     bool
	Propagation uint64
	// SbFlags are superblock words a new filesystem takes as fsconfig
	// flags ("sync", "dirsync", "lazytime", "mand", "silent"); a bind
	// ignores them, as the kernel does for MS_BIND|MS_REMOUNT.
	SbFlags []string
	// LegacyFlags are MS_* flags only mount(2) knows (MS_I_VERSION); a new
	// filesystem with any of them is mounted with mount(2).
	LegacyFlags uint64
	// CopyUp ("tmpcopyup") fills a new tmpfs with what it covers.
	CopyUp bool
	// IDMap ("idmap", "ridmap", or mappings on the mount) makes the bind
	// id-mapped; IDMapRecursive applies the mapping to every mount of it.
	IDMap          bool
	IDMapRecursive bool
	Data           []DataOption

	// msSet and msClr are the mount(2) flags the non-recursive words give,
	// in runc's terms; bindAttrs and newFsAttrs translate them.
	msSet, msClr uint64
}

// flagWords are runc's non-recursive flag words: each sets or clears one
// mount(2) flag.
var flagWords = map[string]struct {
	flag  uint64
	clear bool
}{
	"ro": {unix.MS_RDONLY, false}, "rw": {unix.MS_RDONLY, true},
	"nosuid": {unix.MS_NOSUID, false}, "suid": {unix.MS_NOSUID, true},
	"nodev": {unix.MS_NODEV, false}, "dev": {unix.MS_NODEV, true},
	"noexec": {unix.MS_NOEXEC, false}, "exec": {unix.MS_NOEXEC, true},
	"nosymfollow": {unix.MS_NOSYMFOLLOW, false}, "symfollow": {unix.MS_NOSYMFOLLOW, true},
	"noatime": {unix.MS_NOATIME, false}, "atime": {unix.MS_NOATIME, true},
	"nodiratime": {unix.MS_NODIRATIME, false}, "diratime": {unix.MS_NODIRATIME, true},
	"relatime": {unix.MS_RELATIME, false}, "norelatime": {unix.MS_RELATIME, true},
	"strictatime": {unix.MS_STRICTATIME, false}, "nostrictatime": {unix.MS_STRICTATIME, true},
}

// recWords are runc's recursive attribute words (mount_setattr with
// AT_RECURSIVE).
var recWords = map[string]struct {
	attr  uint64
	clear bool
}{
	"rro": {unix.MOUNT_ATTR_RDONLY, false}, "rrw": {unix.MOUNT_ATTR_RDONLY, true},
	"rnosuid": {unix.MOUNT_ATTR_NOSUID, false}, "rsuid": {unix.MOUNT_ATTR_NOSUID, true},
	"rnodev": {unix.MOUNT_ATTR_NODEV, false}, "rdev": {unix.MOUNT_ATTR_NODEV, true},
	"rnoexec": {unix.MOUNT_ATTR_NOEXEC, false}, "rexec": {unix.MOUNT_ATTR_NOEXEC, true},
	"rnodiratime": {unix.MOUNT_ATTR_NODIRATIME, false}, "rdiratime": {unix.MOUNT_ATTR_NODIRATIME, true},
	"rrelatime": {unix.MOUNT_ATTR_RELATIME, false}, "rnorelatime": {unix.MOUNT_ATTR_RELATIME, true},
	"rnoatime": {unix.MOUNT_ATTR_NOATIME, false}, "ratime": {unix.MOUNT_ATTR_NOATIME, true},
	"rstrictatime": {unix.MOUNT_ATTR_STRICTATIME, false}, "rnostrictatime": {unix.MOUNT_ATTR_STRICTATIME, true},
	"rnosymfollow": {unix.MOUNT_ATTR_NOSYMFOLLOW, false}, "rsymfollow": {unix.MOUNT_ATTR_NOSYMFOLLOW, true},
}

// sbWords are superblock flags a new filesystem takes by name.
var sbWords = map[string]bool{"sync": true, "dirsync": true, "lazytime": true, "mand": true, "silent": true}

// legacyWords are superblock flags only mount(2) takes.
var legacyWords = map[string]uint64{"iversion": unix.MS_I_VERSION}

// ignoredWords are accepted and have no effect: defaults, or the clearing
// form of a superblock flag that is off unless asked for.
var ignoredWords = map[string]bool{
	"defaults": true, "async": true, "loud": true,
	"noiversion": true, "nomand": true, "nolazytime": true,
}

// ParseOptions sorts a mount's options. Words it does not know become
// filesystem data ("mode=755", "newinstance").
func ParseOptions(options []string) (MountOptions, error) {
	var mo MountOptions
	for _, o := range options {
		if f, ok := flagWords[o]; ok {
			if f.clear {
				mo.msSet &^= f.flag
				mo.msClr |= f.flag
			} else {
				mo.msSet |= f.flag
				mo.msClr &^= f.flag
			}
			continue
		}
		if r, ok := recWords[o]; ok {
			if r.clear {
				mo.RecAttrSet &^= r.attr
				mo.RecAttrClr |= r.attr
			} else {
				mo.RecAttrSet |= r.attr
				mo.RecAttrClr &^= r.attr
			}
			if r.attr&unix.MOUNT_ATTR__ATIME == r.attr {
				mo.RecAttrClr |= unix.MOUNT_ATTR__ATIME
			}
			continue
		}
		if flags, ok := specconv.PropagationFlag(o); ok {
			mo.Propagation = flags
			continue
		}
		if sbWords[o] {
			mo.SbFlags = append(mo.SbFlags, o)
			continue
		}
		if f, ok := legacyWords[o]; ok {
			mo.LegacyFlags |= f
			continue
		}
		switch {
		case o == "bind":
			mo.Bind = true
		case o == "rbind":
			mo.Bind, mo.Recursive = true, true
		case o == "remount":
			mo.Remount = true
		case o == "tmpcopyup":
			mo.CopyUp = true
		case o == "idmap":
			mo.IDMap = true
		case o == "ridmap":
			mo.IDMap, mo.IDMapRecursive = true, true
		case o == "" || ignoredWords[o]:
		default:
			key, value, _ := strings.Cut(o, "=")
			mo.Data = append(mo.Data, DataOption{Key: key, Value: value})
		}
	}
	mo.AttrSet, mo.AttrClr, mo.ExplicitClr = mo.attrs()
	return mo, nil
}

// Mount attributes a flag word may set or clear, atime modes apart.
const plainAttrs = unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV |
	unix.MOUNT_ATTR_NOEXEC | unix.MOUNT_ATTR_NOSYMFOLLOW | unix.MOUNT_ATTR_NODIRATIME

var msToAttr = []struct{ ms, attr uint64 }{
	{unix.MS_RDONLY, unix.MOUNT_ATTR_RDONLY}, {unix.MS_NOSUID, unix.MOUNT_ATTR_NOSUID},
	{unix.MS_NODEV, unix.MOUNT_ATTR_NODEV}, {unix.MS_NOEXEC, unix.MOUNT_ATTR_NOEXEC},
	{unix.MS_NOSYMFOLLOW, unix.MOUNT_ATTR_NOSYMFOLLOW}, {unix.MS_NODIRATIME, unix.MOUNT_ATTR_NODIRATIME},
}

const msAtimeWords = unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME | unix.MS_STRICTATIME

// attrs turns the flag words into mount attributes the way runc's
// MS_BIND|MS_REMOUNT makes the kernel do it: when any flag word is given
// the mount gets exactly the flags set (the others are cleared), the
// access time is kept unless an atime word is given, and then it is
// strictatime, else noatime, else relatime (the kernel's default).
// "remount" instead keeps everything not named.
func (mo *MountOptions) attrs() (set, clr, explicitClr uint64) {
	if mo.msSet == 0 && mo.msClr == 0 {
		return 0, 0, 0
	}
	for _, m := range msToAttr {
		switch {
		case mo.msSet&m.ms != 0:
			set |= m.attr
		case mo.msClr&m.ms != 0:
			clr |= m.attr
			explicitClr |= m.attr
		case !mo.Remount:
			clr |= m.attr
		}
	}
	if mo.msSet&msAtimeWords == 0 {
		// The access time (nodiratime included) is the source's.
		clr &^= unix.MOUNT_ATTR_NODIRATIME
		return set, clr, explicitClr &^ unix.MOUNT_ATTR_NODIRATIME
	}
	clr |= unix.MOUNT_ATTR__ATIME
	switch {
	case mo.msSet&unix.MS_STRICTATIME != 0:
		set |= unix.MOUNT_ATTR_STRICTATIME
	case mo.msSet&unix.MS_NOATIME != 0:
		set |= unix.MOUNT_ATTR_NOATIME
	default:
		set |= unix.MOUNT_ATTR_RELATIME
	}
	return set, clr, explicitClr
}

// NewFsAttrs are the attributes of a freshly mounted filesystem: the
// flags set by either kind of word (a new mount has nothing to clear).
func (mo MountOptions) NewFsAttrs() uint64 {
	attrs := mo.AttrSet | mo.RecAttrSet
	if mo.AttrSet&unix.MOUNT_ATTR__ATIME == 0 && mo.RecAttrClr&unix.MOUNT_ATTR__ATIME != 0 {
		attrs = attrs&^unix.MOUNT_ATTR__ATIME | mo.RecAttrSet&unix.MOUNT_ATTR__ATIME
	}
	return attrs & (plainAttrs | unix.MOUNT_ATTR__ATIME)
}

// OptionNames lists the mount option words ParseOptions understands itself
// (everything else is passed on as filesystem data), sorted, for
// `hull features`.
func OptionNames() []string {
	names := []string{"bind", "rbind", "remount", "tmpcopyup", "idmap", "ridmap"}
	for w := range flagWords {
		names = append(names, w)
	}
	for w := range recWords {
		names = append(names, w)
	}
	for w := range sbWords {
		names = append(names, w)
	}
	for w := range legacyWords {
		names = append(names, w)
	}
	for w := range ignoredWords {
		names = append(names, w)
	}
	names = append(names, "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable")
	slices.Sort(names)
	return slices.Compact(names)
}
