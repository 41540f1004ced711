package cgroups

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// Delete removes what create made: the container's cgroup and the
// ancestors Apply had to create for a nested cgroupsPath, but not an
// ancestor that was there before, nor one another cgroup still uses.
func TestRemoveCreatedParentsRemovesOnlyWhatApplyMade(t *testing.T) {
	requireRoot(t)
	existing := fmt.Sprintf("/hull-test-%d-existing", os.Getpid())
	m, err := New(Config{Path: existing + "/made/by/apply", ID: "ctr"})
	if err != nil {
		t.Fatal(err)
	}
	mgr := m.(*manager)
	for _, c := range mgr.cgroups {
		pre := c.dir.parent().parent().parent()
		if _, err := pre.mkdirAll(nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = pre.removeAll() })
	}
	pid := startSleep(t, mgr)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	paths, created := m.Paths(), m.Created()
	for _, c := range mgr.cgroups {
		if want := c.dir.parent().parent().path(); created[c.key] != want {
			t.Errorf("%s: Created says %q, want %q", c.key, created[c.key], want)
		}
	}
	// A sibling cgroup keeps ".../made" busy in one hierarchy.
	busy := mgr.primary()
	sibling := busy.dir.parent().parent().child("sibling")
	if _, err := sibling.mkdirAll(nil); err != nil {
		t.Fatal(err)
	}
	killAndReap(t, pid)
	if err := m.Destroy(); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	if err := RemoveCreatedParents(Load(paths), created); err != nil {
		t.Fatalf("RemoveCreatedParents: %v", err)
	}
	for _, c := range mgr.cgroups {
		by, made, pre := c.dir.parent(), c.dir.parent().parent(), c.dir.parent().parent().parent()
		if exists(by.path()) {
			t.Errorf("%s: %s still there after delete", c.key, by.path())
		}
		if c == busy && !exists(made.path()) {
			t.Errorf("%s: %s, busy with a sibling, was removed", c.key, made.path())
		}
		if c != busy && exists(made.path()) {
			t.Errorf("%s: %s still there after delete", c.key, made.path())
		}
		if !exists(pre.path()) {
			t.Errorf("%s: the pre-existing %s was removed", c.key, pre.path())
		}
	}
	if err := sibling.removeEmpty(); err != nil {
		t.Fatal(err)
	}
	if err := RemoveCreatedParents(Load(paths), created); err != nil {
		t.Fatalf("RemoveCreatedParents again: %v", err)
	}
	if made := busy.dir.parent().parent().path(); exists(made) {
		t.Errorf("%s still there once its sibling went", made)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}
