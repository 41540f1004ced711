package cgroups

import (
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func dev(allow bool, typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
	r := specs.LinuxDeviceCgroup{Allow: allow, Type: typ, Access: access}
	if major >= 0 {
		r.Major = &major
	}
	if minor >= 0 {
		r.Minor = &minor
	}
	return r
}

var denyAll = specs.LinuxDeviceCgroup{Allow: false, Access: "rwm"}

func TestDeviceWrites(t *testing.T) {
	base := []specs.LinuxDeviceCgroup{denyAll, dev(true, "c", 1, 3, "rwm"), dev(true, "c", 136, -1, "rw")}
	for _, tc := range []struct {
		name  string
		list  string // devices.list now
		rules []specs.LinuxDeviceCgroup
		want  []deviceWrite
	}{
		{"fresh cgroup under an allow-all parent", "a *:* rwm", base, []deviceWrite{
			{"devices.deny", "a"}, {"devices.allow", "c 1:3 rwm"}, {"devices.allow", "c 136:* rw"},
		}},
		{"same rules again write nothing", "c 1:3 rwm\nc 136:* rw", base, nil},
		{"grant before revoke", "c 1:3 rwm\nc 136:* rw", []specs.LinuxDeviceCgroup{denyAll, dev(true, "c", 1, 3, "r"), dev(true, "c", 1, 5, "rwm")}, []deviceWrite{
			{"devices.allow", "c 1:5 rwm"}, {"devices.deny", "c 1:3 wm"}, {"devices.deny", "c 136:* rw"},
		}},
		{"a later deny takes access away", "c 1:3 rwm", []specs.LinuxDeviceCgroup{denyAll, dev(true, "c", 1, 3, "rwm"), dev(false, "c", 1, 3, "m")}, []deviceWrite{
			{"devices.deny", "c 1:3 m"},
		}},
		{"allow all", "c 1:3 rwm", []specs.LinuxDeviceCgroup{denyAll, dev(true, "", -1, -1, "rwm"), dev(false, "b", 8, 0, "w")}, []deviceWrite{
			{"devices.allow", "a"}, {"devices.deny", "b 8:0 w"},
		}},
		{"narrow type a becomes c and b", "", []specs.LinuxDeviceCgroup{denyAll, dev(true, "a", -1, -1, "m")}, []deviceWrite{
			{"devices.allow", "c *:* m"}, {"devices.allow", "b *:* m"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, err := emulateDeviceRules(tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			got := deviceWrites(parseDevicesList(tc.list), target)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("writes = %q\nwant %q", got, tc.want)
			}
		})
	}
}
