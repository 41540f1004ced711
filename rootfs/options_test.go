package rootfs

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// attrsOf is the part of MountOptions that says the mount's flags.
type attrsOf struct {
	Bind, Recursive              bool
	AttrSet, AttrClr, Explicit   uint64
	RecAttrSet, RecAttrClr, Prop uint64
}

func attrs(mo MountOptions) attrsOf {
	return attrsOf{mo.Bind, mo.Recursive, mo.AttrSet, mo.AttrClr, mo.ExplicitClr, mo.RecAttrSet, mo.RecAttrClr, mo.Propagation}
}

func TestParseOptions(t *testing.T) {
	const (
		ro, nosuid, nodev, noexec = unix.MOUNT_ATTR_RDONLY, unix.MOUNT_ATTR_NOSUID, unix.MOUNT_ATTR_NODEV, unix.MOUNT_ATTR_NOEXEC
		nosym, nodir, atime       = unix.MOUNT_ATTR_NOSYMFOLLOW, unix.MOUNT_ATTR_NODIRATIME, unix.MOUNT_ATTR__ATIME
		// every flag a bind with a flag word clears unless set, the
		// access time apart
		exact = ro | nosuid | nodev | noexec | nosym
	)
	for _, tc := range []struct {
		name    string
		options []string
		want    attrsOf
	}{
		{"none", nil, attrsOf{}},
		{"bind alone keeps the source's flags", []string{"bind"}, attrsOf{Bind: true}},
		{"propagation alone keeps them too", []string{"rbind", "rslave"},
			attrsOf{Bind: true, Recursive: true, Prop: unix.MS_SLAVE | unix.MS_REC}},
		{"runc /dev/shm", []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"},
			attrsOf{AttrSet: nosuid | noexec | nodev, AttrClr: ro | nosym}},
		{"bind ro clears the rest, keeps the atime", []string{"bind", "ro"},
			attrsOf{Bind: true, AttrSet: ro, AttrClr: nosuid | nodev | noexec | nosym}},
		{"rbind,ro is not recursive", []string{"rbind", "ro"},
			attrsOf{Bind: true, Recursive: true, AttrSet: ro, AttrClr: nosuid | nodev | noexec | nosym}},
		{"rro is", []string{"rbind", "rro"}, attrsOf{Bind: true, Recursive: true, RecAttrSet: ro}},
		{"rw is an explicit clear", []string{"bind", "rw", "nosuid"},
			attrsOf{Bind: true, AttrSet: nosuid, AttrClr: ro | nodev | noexec | nosym, Explicit: ro}},
		{"later word wins", []string{"ro", "rw", "nosuid", "suid", "nodev"},
			attrsOf{AttrSet: nodev, AttrClr: exact &^ nodev, Explicit: ro | nosuid}},
		{"noatime", []string{"noatime"}, attrsOf{AttrSet: unix.MOUNT_ATTR_NOATIME, AttrClr: exact | nodir | atime}},
		{"strictatime beats noatime", []string{"noatime", "strictatime"},
			attrsOf{AttrSet: unix.MOUNT_ATTR_STRICTATIME, AttrClr: exact | nodir | atime}},
		{"nodiratime gives relatime", []string{"nodiratime"},
			attrsOf{AttrSet: nodir | unix.MOUNT_ATTR_RELATIME, AttrClr: exact | atime}},
		{"atime alone keeps the source's", []string{"atime"}, attrsOf{AttrClr: exact}},
		{"remount keeps what is not named", []string{"bind", "remount", "ro"}, attrsOf{Bind: true, AttrSet: ro}},
		{"recursive atime", []string{"rbind", "rnoatime"},
			attrsOf{Bind: true, Recursive: true, RecAttrSet: unix.MOUNT_ATTR_NOATIME, RecAttrClr: atime}},
		{"shared", []string{"shared"}, attrsOf{Prop: unix.MS_SHARED}},
		{"runbindable", []string{"runbindable"}, attrsOf{Prop: unix.MS_UNBINDABLE | unix.MS_REC}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOptions(tc.options)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(attrs(got), tc.want) {
				t.Errorf("ParseOptions(%q)\n got %+v\nwant %+v", tc.options, attrs(got), tc.want)
			}
		})
	}
}

func TestParseOptionsExtensions(t *testing.T) {
	mo, _ := ParseOptions([]string{"tmpcopyup", "sync", "dirsync", "iversion", "lazytime", "mode=755", "newinstance"})
	if !mo.CopyUp || mo.LegacyFlags != unix.MS_I_VERSION || !reflect.DeepEqual(mo.SbFlags, []string{"sync", "dirsync", "lazytime"}) {
		t.Errorf("extensions: %+v", mo)
	}
	if want := []DataOption{{"mode", "755"}, {"newinstance", ""}}; !reflect.DeepEqual(mo.Data, want) {
		t.Errorf("data = %+v, want %+v", mo.Data, want)
	}
	mo, _ = ParseOptions([]string{"rbind", "ridmap"})
	if !mo.IDMap || !mo.IDMapRecursive {
		t.Errorf("ridmap: %+v", mo)
	}
	mo, _ = ParseOptions([]string{"ro", "rnosuid", "strictatime"})
	if got, want := mo.NewFsAttrs(), uint64(unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_STRICTATIME); got != want {
		t.Errorf("new filesystem attributes = %#x, want %#x", got, want)
	}
}

// Every option runc accepts is understood: none is passed on as
// filesystem data, and OptionNames lists exactly those words.
func TestOptionNamesAreUnderstood(t *testing.T) {
	runc := []string{"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
		"lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime",
		"nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "rbind", "relatime", "remount",
		"ro", "rw", "silent", "strictatime", "suid", "sync", "symfollow",
		"rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime",
		"rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow",
		"rsymfollow", "tmpcopyup", "idmap", "ridmap",
		"private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable"}
	names := OptionNames()
	listed := map[string]bool{}
	for _, n := range names {
		listed[n] = true
	}
	for _, w := range runc {
		if !listed[w] {
			t.Errorf("runc's option %q is missing from OptionNames", w)
		}
	}
	for _, name := range names {
		mo, err := ParseOptions([]string{name})
		if err != nil || len(mo.Data) != 0 {
			t.Errorf("ParseOptions(%q) = %+v, %v: listed but not understood", name, mo, err)
		}
	}
}
