package libcontainer

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// refresh re-reads state.json and keeps the record already decoded (and
// its whole config) when the file is unchanged, but sees any change.
func TestRefreshDecodesOnlyAChangedRecord(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "c1")
	rec := &record{ID: "c1", InitPid: 42, Spec: &specs.Spec{Version: "1.0.2", Process: &specs.Process{Args: []string{"sh"}}}}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := saveRecord(dir, rec, nil); err != nil {
		t.Fatal(err)
	}
	c, err := Load(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	spec := c.Spec()
	loaded := c.rec
	if err := c.refresh(); err != nil {
		t.Fatal(err)
	}
	if c.rec != loaded {
		t.Error("refresh decoded an unchanged state.json again")
	}
	if got, err := c.rec.fullSpec(); err != nil || got != spec {
		t.Errorf("refresh dropped the decoded config (%v)", err)
	}

	rec.InitPid = 43
	if err := saveRecord(dir, rec, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.refresh(); err != nil {
		t.Fatal(err)
	}
	if c.rec == loaded || c.rec.InitPid != 43 {
		t.Errorf("refresh kept a stale record: init pid %d, want 43", c.rec.InitPid)
	}
}
