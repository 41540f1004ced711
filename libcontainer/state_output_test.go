package libcontainer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// fillStateOutput does what the C path does with a state output file:
// HEAD, the pid, MID, the status, TAIL.
func fillStateOutput(t *testing.T, file string, status Status, pid int) string {
	t.Helper()
	lines := strings.SplitN(file, "\n", 6)
	if len(lines) != 6 || lines[0] != stateOutputMagic || !strings.HasPrefix(lines[4], "json ") {
		t.Fatalf("malformed state output:\n%s", file)
	}
	var n [3]int
	for i, f := range strings.Fields(lines[4])[1:] {
		n[i], _ = strconv.Atoi(f)
	}
	body := lines[5]
	if n[0]+n[1]+n[2] != len(body) {
		t.Fatalf("lengths %v do not add up to the %d bytes after them", n, len(body))
	}
	if status == Stopped {
		pid = 0
	}
	return body[:n[0]] + strconv.Itoa(pid) + body[n[0]:n[0]+n[1]] + string(status) + body[n[0]+n[1]:]
}

// The file filled in for each status is byte for byte what Go's state
// prints for it from the record read back from state.json.
func TestStateOutputIsGoState(t *testing.T) {
	for name, annotations := range map[string]map[string]string{
		"none":    nil,
		"escaped": {"a\"b": "<tag> & \"quote\" \\ \n\t\x01 \u2028 é ☃", "pid": `"pid": 0, "status": "stopped"`},
	} {
		root := t.TempDir()
		dir := filepath.Join(root, "c-1.x")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		rec := &record{
			ID: "c-1.x", Bundle: "/b \"q\"", Rootfs: "/b/root<fs>", InitPid: 4242, InitStartTime: 99,
			Created:     time.Now().UTC(),
			CgroupPaths: map[string]string{"freezer": "/sys/fs/cgroup/freezer/c"},
			Spec:        &specs.Spec{Version: specs.Version, Annotations: annotations},
		}
		if err := saveRecord(dir, rec, nil); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, stateOutputFile))
		if err != nil {
			t.Fatalf("%s: no state output: %v", name, err)
		}
		if !strings.Contains(string(data), "\ninit 4242 99\nfreezer-v1 /sys/fs/cgroup/freezer/c/freezer.state\n") {
			t.Errorf("%s: the file does not name the init and the freezer:\n%s", name, data)
		}
		c, err := Load(root, "c-1.x")
		if err != nil {
			t.Fatal(err)
		}
		for _, status := range []Status{Created, Running, Paused, Stopped} {
			want, err := StateJSON(c.stateWith(status))
			if err != nil {
				t.Fatal(err)
			}
			if got := fillStateOutput(t, string(data), status, 4242); got != string(want) {
				t.Errorf("%s, %s: filled in\n%s\nGo's state\n%s", name, status, got, want)
			}
		}
	}
}

// Where Go cannot be sure the C path would print its output, there is no
// file, and one an earlier record left goes.
func TestStateOutputNone(t *testing.T) {
	good := func() *record {
		return &record{ID: "c", InitPid: 7, InitStartTime: 99, Spec: &specs.Spec{}}
	}
	for _, tc := range []struct {
		name   string
		change func(*record)
	}{
		{"no init yet", func(r *record) { r.InitPid, r.InitStartTime = 0, 0 }},
		{"no start time", func(r *record) { r.InitStartTime = 0 }},
		{"no config", func(r *record) { r.Spec = nil }},
		{"another directory", func(r *record) { r.ID = "d" }},
		{"invalid UTF-8 in an annotation", func(r *record) { r.Spec.Annotations = map[string]string{"a": "\xff"} }},
		{"invalid UTF-8 in the bundle", func(r *record) { r.Bundle = "/b\xfe" }},
		{"newline in the freezer path", func(r *record) { r.CgroupPaths = map[string]string{"freezer": "/a\nb"} }},
		{"too big", func(r *record) { r.Spec.Annotations = map[string]string{"a": strings.Repeat("x", stateOutputMax)} }},
	} {
		dir := filepath.Join(t.TempDir(), "c")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := saveStateOutput(dir, good()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, stateOutputFile)); err != nil {
			t.Fatalf("%s: the good record got no state output: %v", tc.name, err)
		}
		r := good()
		tc.change(r)
		if err := saveStateOutput(dir, r); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, stateOutputFile)); !os.IsNotExist(err) {
			t.Errorf("%s: state output kept: %v", tc.name, err)
		}
	}
}
