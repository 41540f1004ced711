package libcontainer

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// checkEncodeRecord fails unless encodeRecord(r) is json.Marshal(r): the
// same bytes, or the same error.
func checkEncodeRecord(t *testing.T, r *record) {
	t.Helper()
	want, wantErr := json.Marshal(r)
	got, err := encodeRecord(r)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("encodeRecord(%+v) error %v, json.Marshal's %v", r, err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encodeRecord(%+v):\n got %s\nwant %s", r, got, want)
	}
}

func TestEncodeRecordIsJSONMarshal(t *testing.T) {
	at := time.Date(2026, 12, 5, 23, 53, 47, 123456789, time.UTC)
	for _, r := range []*record{
		{},
		{ID: "c1", Bundle: "/b", Rootfs: "/b/rootfs", InitPid: 42, InitStartTime: 12345, Created: at,
			CgroupPaths:   map[string]string{"memory": "/sys/fs/cgroup/memory/c1", "cpu,cpuacct": "/sys/fs/cgroup/cpu,cpuacct/c1", "": "/x"},
			CgroupCreated: map[string]string{"pids": "/sys/fs/cgroup/pids/a"},
			Rootless:      true, NoNewKeyring: true, ExecutorPid: -3, ExecutorStartTime: 1 << 63,
			RawSpec: json.RawMessage(`{"ociVersion":"1.0.2","annotations":{"a":"\u003cb\u003e"}}`)},
		// An intent record: no init, no config.
		{ID: "c2", Bundle: "/b", Rootfs: "/b/r", Created: at.In(time.FixedZone("x", 3600)),
			CgroupPaths: map[string]string{}, ExecutorPid: 7, ExecutorStartTime: 9},
		// Strings encoding/json escapes: quotes, backslashes, control
		// characters, HTML characters, U+2028 and U+2029, invalid UTF-8.
		{ID: "q\"\\\n\t\x01\x7f", Bundle: "<a>&b\u2028\u2029\u00e9\U0001F600", Rootfs: "bad\xff\xfe utf-8 \xe2\x80",
			CgroupPaths: map[string]string{"k<\xff": "v&\u2028", "a": "b"}},
		// A stored config read back as the file had it: spaces, HTML
		// characters and U+2028 written raw.
		{ID: "c3", RawSpec: json.RawMessage(" { \"a\" : [ 1 , \"<x>&\u2028\" ] ,\n\"b\":null } ")},
		// Errors: a config that is not JSON, a year encoding/json refuses.
		{ID: "c4", RawSpec: json.RawMessage(`{"a":`)},
		{ID: "c5", Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "c6", RawSpec: json.RawMessage{}},
	} {
		checkEncodeRecord(t, r)
	}
}

func FuzzEncodeRecord(f *testing.F) {
	f.Add("c1", "/b", "/b/rootfs", 42, uint64(12345), int64(1764978827123456789), "memory", "/sys/fs/cgroup/memory/c1", true, 0, `{"ociVersion":"1.0.2"}`)
	f.Add("q\"<>&\u2028", "\xff", "", -1, uint64(0), int64(0), "", "", false, 3, ` [1, "<\u2029>" ] `)
	f.Add("x", "y", "z", 0, uint64(1), int64(-62135596800), "a\x00", "b\xfe", true, -7, `{`)
	f.Fuzz(func(t *testing.T, id, bundle, rootfs string, pid int, start uint64, created int64,
		key, value string, flags bool, executor int, spec string) {
		r := &record{
			ID: id, Bundle: bundle, Rootfs: rootfs, InitPid: pid, InitStartTime: start,
			Created: time.Unix(0, created).UTC(), Rootless: flags, NoNewKeyring: !flags,
			ExecutorPid: executor, ExecutorStartTime: start / 3,
		}
		if key != "" || value != "" {
			r.CgroupPaths = map[string]string{key: value, value: key, "memory": id}
			r.CgroupCreated = map[string]string{bundle: rootfs}
		}
		if spec != "" {
			r.RawSpec = json.RawMessage(spec)
		}
		checkEncodeRecord(t, r)
	})
}
