package specconv

import (
	"fmt"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func ruleText(rules []specs.LinuxDeviceCgroup) string {
	num := func(p *int64) string {
		if p == nil {
			return "*"
		}
		return fmt.Sprint(*p)
	}
	var lines []string
	for _, r := range rules {
		verb := "deny"
		if r.Allow {
			verb = "allow"
		}
		lines = append(lines, fmt.Sprintf("%s %s %s:%s %s", verb, r.Type, num(r.Major), num(r.Minor), r.Access))
	}
	return strings.Join(lines, "\n")
}

func TestDefaultDeviceRulesFollowTheConfigs(t *testing.T) {
	spec := example(false, 0, 0)
	spec.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/null", Type: "c", Major: 1, Minor: 3}}
	plan, err := FromSpec(spec, newBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"deny  *:* rwm", // the template's own rule comes first
		"allow c *:* m",
		"allow b *:* m",
		"allow c 1:8 rwm",
		"allow c 1:7 rwm",
		"allow c 5:0 rwm",
		"allow c 1:5 rwm",
		"allow c 1:9 rwm",
		"allow c 136:* rwm",
		"allow c 5:2 rwm",
		"allow c 10:200 rwm",
	}, "\n")
	if got := ruleText(plan.Spec.Linux.Resources.Devices); got != want {
		t.Errorf("device rules:\n%s\nwant\n%s", got, want)
	}
	if n := len(spec.Linux.Resources.Devices); n != 1 {
		t.Errorf("the caller's spec changed: %d device rules", n)
	}
	rootless, err := FromSpec(example(true, 0, 0), newBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rootless.Spec.Linux.Resources.Devices); n != len(defaultDeviceRules) {
		t.Errorf("rootless config without resources: %d rules, want the %d defaults", n, len(defaultDeviceRules))
	}
}

func TestUserDeviceRules(t *testing.T) {
	minor := int64(7)
	mine := specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: &minor, Minor: &minor, Access: "rw"}
	denyAll := specs.LinuxDeviceCgroup{Allow: false, Access: "rwm"}
	for _, tc := range []struct {
		name    string
		res     *specs.LinuxResources
		devices []specs.LinuxDevice
		want    int
	}{
		{"no rules", nil, nil, 0},
		{"the templates' deny-all", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{denyAll}}, nil, 0},
		{"a rule of the config's", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{denyAll, mine}}, nil, 1},
		{"a default replaced by linux.devices", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{mine}},
			[]specs.LinuxDevice{{Path: "/dev/null", Type: "c", Major: 1, Minor: 3}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules := withDefaultDeviceRules(tc.res, tc.devices).Devices
			if got := UserDeviceRules(rules); len(got) != tc.want {
				t.Errorf("UserDeviceRules = %v, want %d rules", got, tc.want)
			}
		})
	}
}
