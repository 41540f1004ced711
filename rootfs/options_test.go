package rootfs

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseOptions(t *testing.T) {
	const (
		ro     = unix.MOUNT_ATTR_RDONLY
		nosuid = unix.MOUNT_ATTR_NOSUID
		nodev  = unix.MOUNT_ATTR_NODEV
		noexec = unix.MOUNT_ATTR_NOEXEC
		atime  = unix.MOUNT_ATTR__ATIME
	)
	for _, tc := range []struct {
		name    string
		options []string
		want    MountOptions
	}{
		{"none", nil, MountOptions{}},
		{"runc /dev/shm", []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"},
			MountOptions{AttrSet: nosuid | noexec | nodev, Data: []DataOption{{"mode", "1777"}, {"size", "65536k"}}}},
		{"devpts flag data", []string{"newinstance", "ptmxmode=0666", "gid=5"},
			MountOptions{Data: []DataOption{{"newinstance", ""}, {"ptmxmode", "0666"}, {"gid", "5"}}}},
		{"data value with =", []string{"context=a=b"}, MountOptions{Data: []DataOption{{"context", "a=b"}}}},
		{"bind ro", []string{"bind", "ro"}, MountOptions{Bind: true, AttrSet: ro}},
		{"rbind rw", []string{"rbind", "rw"}, MountOptions{Bind: true, Recursive: true, AttrClr: ro}},
		{"later word wins", []string{"ro", "rw", "nosuid", "suid", "nodev"}, MountOptions{AttrSet: nodev, AttrClr: ro | nosuid}},
		{"exec clears", []string{"noexec", "exec"}, MountOptions{AttrClr: noexec}},
		{"noatime", []string{"noatime"}, MountOptions{AttrSet: unix.MOUNT_ATTR_NOATIME, AttrClr: atime}},
		{"strictatime then relatime", []string{"strictatime", "relatime"}, MountOptions{AttrSet: unix.MOUNT_ATTR_RELATIME, AttrClr: atime}},
		{"strictatime nodiratime", []string{"strictatime", "nodiratime"},
			MountOptions{AttrSet: unix.MOUNT_ATTR_STRICTATIME | unix.MOUNT_ATTR_NODIRATIME, AttrClr: atime}},
		{"recursive attrs", []string{"rbind", "rro", "rnosuid", "rnoatime"},
			MountOptions{Bind: true, Recursive: true, AttrSet: ro | nosuid | unix.MOUNT_ATTR_NOATIME, AttrClr: atime}},
		{"nosymfollow", []string{"nosymfollow"}, MountOptions{AttrSet: unix.MOUNT_ATTR_NOSYMFOLLOW}},
		{"rprivate", []string{"rbind", "rprivate"}, MountOptions{Bind: true, Recursive: true, Propagation: unix.MS_PRIVATE | unix.MS_REC}},
		{"shared", []string{"shared"}, MountOptions{Propagation: unix.MS_SHARED}},
		{"rslave", []string{"rslave"}, MountOptions{Propagation: unix.MS_SLAVE | unix.MS_REC}},
		{"unbindable", []string{"unbindable"}, MountOptions{Propagation: unix.MS_UNBINDABLE}},
		{"runbindable", []string{"runbindable"}, MountOptions{Propagation: unix.MS_UNBINDABLE | unix.MS_REC}},
		{"ignored words", []string{"defaults", "async", "", "remount"}, MountOptions{}},
		{"relatime is not r+elatime", []string{"relatime"}, MountOptions{AttrSet: unix.MOUNT_ATTR_RELATIME, AttrClr: atime}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOptions(tc.options)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseOptions(%q)\n got %+v\nwant %+v", tc.options, got, tc.want)
			}
		})
	}
}

func TestParseOptionsUnsupported(t *testing.T) {
	for _, o := range []string{"tmpcopyup", "idmap", "ridmap"} {
		_, err := ParseOptions([]string{"nosuid", o})
		want := `option "` + o + `" is not supported by hull yet`
		if err == nil || err.Error() != want {
			t.Errorf("ParseOptions(%q) error = %v, want %s", o, err, want)
		}
	}
}

// Every listed word is one ParseOptions handles itself: none of them ends
// up as filesystem data.
func TestOptionNamesAreUnderstood(t *testing.T) {
	names := OptionNames()
	if len(names) < 40 {
		t.Fatalf("only %d option names: %q", len(names), names)
	}
	for _, name := range names {
		mo, err := ParseOptions([]string{name})
		if err != nil || len(mo.Data) != 0 {
			t.Errorf("ParseOptions(%q) = %+v, %v: listed but not understood", name, mo, err)
		}
	}
}
