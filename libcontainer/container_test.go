package libcontainer

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeContainer stores a record for id under root whose init is this test
// process (alive) or a dead pid.
func fakeContainer(t *testing.T, root, id string, alive bool) {
	t.Helper()
	dir, err := makeContainerDir(root, id)
	if err != nil {
		t.Fatal(err)
	}
	rec := &record{ID: id, Bundle: "/bundles/" + id, Rootfs: "/bundles/" + id + "/rootfs", Created: time.Now().UTC(), InitPid: 1 << 30}
	if alive {
		st, err := readProcStat(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		rec.InitPid, rec.InitStartTime = os.Getpid(), st.StartTime
	}
	if err := saveRecord(dir, rec, nil); err != nil {
		t.Fatal(err)
	}
}

func TestListAndLoad(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	if states, err := List(root); err != nil || len(states) != 0 {
		t.Fatalf("missing root: %v, %v; want an empty list", states, err)
	}
	fakeContainer(t, root, "b-running", true)
	fakeContainer(t, root, "a-stopped", false)
	// A directory without a record is a create in progress: not listed.
	if err := os.Mkdir(filepath.Join(root, "c-creating"), 0o700); err != nil {
		t.Fatal(err)
	}
	states, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 2 || states[0].ID != "a-stopped" || states[1].ID != "b-running" {
		t.Fatalf("list: %+v", states)
	}
	if states[0].Status != Stopped || states[0].Pid != 0 {
		t.Errorf("stopped container listed as %s pid %d", states[0].Status, states[0].Pid)
	}
	if states[1].Status != Running || states[1].Pid != os.Getpid() || states[1].Owner == "" {
		t.Errorf("running container listed as %+v", states[1])
	}
	c, err := Load(root, "b-running")
	if err != nil {
		t.Fatal(err)
	}
	if st := c.State(); st.Bundle != "/bundles/b-running" || st.Owner != "" || st.OCIVersion == "" {
		t.Errorf("state: %+v", st)
	}
	if _, err := Load(root, "c-creating"); err == nil {
		t.Error("a container still being created loaded")
	}
	if _, err := Load(root, "../x"); err == nil {
		t.Error("an invalid id loaded")
	}
}
