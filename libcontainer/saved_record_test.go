package libcontainer

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A record this process wrote is kept by the next lock of the container
// while state.json holds what it wrote (a foreground run's start and
// delete decode nothing), and decoded again from the file otherwise: a
// string that does not read back as written (invalid UTF-8), a failed
// write, another writer.
func TestSavedRecordIsKeptWhileStateJSONIsUnchanged(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "c1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	spec := &specs.Spec{Version: "1.0.2", Process: &specs.Process{Args: []string{"sh"}}}
	rec := &record{ID: "c1", InitPid: 42, InitStartTime: 7, Spec: spec}
	if err := saveRecord(dir, rec, nil); err != nil {
		t.Fatal(err)
	}
	c := &Container{id: "c1", dir: dir, rec: rec}
	lock, _, err := c.lockAndReload()
	if err != nil {
		t.Fatal(err)
	}
	lock.unlock()
	if c.rec != rec || c.rec.Spec != spec {
		t.Fatal("the record just written was decoded again from an unchanged state.json")
	}

	// Another writer (state.json replaced): decoded again.
	other := &record{ID: "c1", InitPid: 43, InitStartTime: 8, Spec: spec}
	if err := saveRecord(dir, other, nil); err != nil {
		t.Fatal(err)
	}
	if lock, _, err = c.lockAndReload(); err != nil {
		t.Fatal(err)
	}
	lock.unlock()
	if c.rec == rec || c.rec.InitPid != 43 {
		t.Fatalf("kept a stale record: init pid %d, want 43", c.rec.InitPid)
	}

	// Invalid UTF-8 reads back as U+FFFD: the record is decoded from the file.
	odd := &record{ID: "c1", InitPid: 44, InitStartTime: 9, Bundle: "/b\xff", Spec: spec}
	if err := saveRecord(dir, odd, nil); err != nil {
		t.Fatal(err)
	}
	c.rec = odd
	if lock, _, err = c.lockAndReload(); err != nil {
		t.Fatal(err)
	}
	lock.unlock()
	if c.rec == odd || c.rec.Bundle != "/b\uFFFD" {
		t.Fatalf("bundle %q after the reload, want the one state.json holds", c.rec.Bundle)
	}

	// A failed write: what the file holds is not the record's.
	if err := saveRecord(dir, rec, nil); err != nil || rec.raw == nil {
		t.Fatalf("saveRecord: %v, bytes kept: %v", err, rec.raw != nil)
	}
	if err := saveRecord(filepath.Join(root, "gone"), rec, nil); err == nil {
		t.Fatal("saveRecord into a missing directory succeeded")
	}
	if rec.raw != nil {
		t.Fatal("a failed saveRecord left the record holding bytes it did not write")
	}
}
