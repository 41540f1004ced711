package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Spec fields with a wrong JSON type, an out-of-range number or an unknown
// value: each create (and run) fails with one line naming the field, and
// leaves nothing behind (issue 10's growing table). raw patches the
// config as generic JSON, so that wrong types can be written at all.
func TestBadInputTable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch func(m map[string]any)
		field string
	}{
		{"args-not-a-list", func(m map[string]any) { obj(m, "process")["args"] = "sh" }, "process.args"},
		{"terminal-not-a-bool", func(m map[string]any) { obj(m, "process")["terminal"] = "yes" }, "process.terminal"},
		{"uid-negative", func(m map[string]any) { obj(obj(m, "process"), "user")["uid"] = -1 }, "process.user.uid"},
		{"oom-score-adj-out-of-range", func(m map[string]any) { obj(m, "process")["oomScoreAdj"] = 5000 }, "oomScoreAdj"},
		{"rlimit-unknown", func(m map[string]any) {
			obj(m, "process")["rlimits"] = []any{map[string]any{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}}
		}, "RLIMIT_BOGUS"},
		// An unknown capability is not here: runc warns and ignores it, and so does hull.
		{"mounts-not-a-list", func(m map[string]any) { m["mounts"] = map[string]any{} }, "mounts"},
		{"mount-option-propagation-unknown", func(m map[string]any) { obj(m, "linux")["rootfsPropagation"] = "bogus" }, "rootfsPropagation"},
		{"seccomp-action-unknown", func(m map[string]any) {
			obj(m, "linux")["seccomp"] = map[string]any{"defaultAction": "SCMP_ACT_BOGUS"}
		}, "defaultAction"},
		{"seccomp-arch-unknown", func(m map[string]any) {
			obj(m, "linux")["seccomp"] = map[string]any{"defaultAction": "SCMP_ACT_ALLOW", "architectures": []any{"SCMP_ARCH_BOGUS"}}
		}, "architectures"},
		{"device-type-unknown", func(m map[string]any) {
			obj(m, "linux")["devices"] = []any{map[string]any{"path": "/dev/x", "type": "z", "major": 1, "minor": 3}}
		}, "linux.devices[0]"},
		{"memory-limit-not-a-number", func(m map[string]any) {
			obj(obj(m, "linux"), "resources")["memory"] = map[string]any{"limit": "lots"}
		}, "limit"},
		{"cpu-shares-negative", func(m map[string]any) {
			obj(obj(m, "linux"), "resources")["cpu"] = map[string]any{"shares": -5}
		}, "shares"},
		{"namespaces-not-a-list", func(m map[string]any) { obj(m, "linux")["namespaces"] = "pid" }, "namespaces"},
		{"uid-mapping-size-zero", func(m map[string]any) {
			l := obj(m, "linux")
			l["namespaces"] = append(l["namespaces"].([]any), map[string]any{"type": "user"})
			l["uidMappings"] = []any{map[string]any{"containerID": 0, "hostID": 1000, "size": 0}}
			l["gidMappings"] = []any{map[string]any{"containerID": 0, "hostID": 1000, "size": 1}}
		}, "uidMappings"},
		{"hook-path-relative", func(m map[string]any) {
			m["hooks"] = map[string]any{"prestart": []any{map[string]any{"path": "relative/hook"}}}
		}, "hooks.prestart[0]"},
		{"sysctl-unknown", func(m map[string]any) { obj(m, "linux")["sysctl"] = map[string]any{"bogus.key.here": "1"} }, "bogus.key.here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			createFails(t, func(rt *runtime) *specs.Spec { return testSpec(t, rt, "true") }, func(bundle string) {
				path := filepath.Join(bundle, "config.json")
				var m map[string]any
				if err := json.Unmarshal([]byte(readFile(t, path)), &m); err != nil {
					t.Fatal(err)
				}
				tc.patch(m)
				data, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}, tc.field)
		})
	}
}

// obj returns m[key] as an object, making it if missing.
func obj(m map[string]any, key string) map[string]any {
	if o, ok := m[key].(map[string]any); ok {
		return o
	}
	o := map[string]any{}
	m[key] = o
	return o
}
