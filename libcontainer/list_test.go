package libcontainer

import (
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// listRecord must read back what saveRecord wrote, with escapes, nested
// brackets in strings and the config's annotations.
func TestListRecordDecodesASavedRecord(t *testing.T) {
	dir := t.TempDir()
	created := time.Date(2026, 12, 5, 6, 7, 8, 9, time.UTC)
	rec := &record{
		ID: "c1", Bundle: `/b "quoted" \ dir`, Rootfs: "/b/rootfs}]", InitPid: 4242,
		InitStartTime: 1 << 40, Created: created,
		CgroupPaths: map[string]string{"freezer": "/sys/fs/cgroup/freezer/c1", "": "/sys/fs/cgroup/c1", "cpu": "x"},
		Spec: &specs.Spec{Version: "1.0.2", Hostname: `h{"[`,
			Process:     &specs.Process{Args: []string{"sh", "-c", `echo "}" \"`}},
			Annotations: map[string]string{"a": "b", "c\"": "{"}},
	}
	if err := saveRecord(dir, rec, nil); err != nil {
		t.Fatal(err)
	}
	l := lister{buf: make([]byte, 16)}
	data, err := l.readAbs(dir + "/" + stateFile)
	if err != nil {
		t.Fatal(err)
	}
	var got listRecord
	if err := got.decode(data); err != nil {
		t.Fatal(err)
	}
	want := listRecord{id: "c1", bundle: rec.Bundle, rootfs: rec.Rootfs, initPid: 4242,
		initStartTime: 1 << 40, created: created,
		cgroupPaths: cgroupStatePaths{freezer: "/sys/fs/cgroup/freezer/c1", v2: "/sys/fs/cgroup/c1"}}
	ann := got.annotations
	got.annotations = nil
	if !got.created.Equal(want.created) {
		t.Fatalf("created: got %v, want %v", got.created, want.created)
	}
	got.created = want.created
	if got.id != want.id || got.bundle != want.bundle || got.rootfs != want.rootfs ||
		got.initPid != want.initPid || got.initStartTime != want.initStartTime || got.cgroupPaths != want.cgroupPaths {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if len(ann) != 2 || ann["a"] != "b" || ann["c\""] != "{" {
		t.Fatalf("annotations: got %v", ann)
	}
}

func TestObjectFieldsRejectsBrokenObjects(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":"x`, `{"a":{"b":1}`, `{"a":1 "b":2}`, `{a:1}`} {
		if err := objectFields([]byte(in), func(_, _ []byte) error { return nil }); err == nil {
			t.Errorf("%q: walked without an error", in)
		}
	}
	var keys []string
	err := objectFields([]byte(` { "a" : [1,{"]":"}"}] , "b\"":"x\\" ,"c":null}`), func(k, v []byte) error {
		keys = append(keys, string(k)+"="+string(v))
		return nil
	})
	if err != nil || len(keys) != 3 || keys[0] != `"a"=[1,{"]":"}"}]` || keys[1] != `"b\""="x\\"` || keys[2] != `"c"=null` {
		t.Fatalf("got %q, %v", keys, err)
	}
}
