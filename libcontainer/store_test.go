package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := &record{
		ID: "c1", Bundle: "/b", Rootfs: "/b/rootfs", InitPid: 42, InitStartTime: 12345,
		Created:     time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		CgroupPaths: map[string]string{"memory": "/sys/fs/cgroup/memory/c1"},
		Spec:        &specs.Spec{Version: "1.0.2", Annotations: map[string]string{"a": "b"}},
	}
	if err := saveRecord(dir, want, nil); err != nil {
		t.Fatal(err)
	}
	got, err := loadRecord(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.fullSpec(); err != nil {
		t.Fatal(err)
	}
	got.raw, want.raw = nil, nil // the bytes read and written, for Container.refresh
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	fi, err := os.Stat(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
}

// A loaded record holds the summary of its config that the lifecycle
// commands read; fullSpec decodes the rest.
func TestLoadRecordSummarizesSpec(t *testing.T) {
	dir := t.TempDir()
	full := &specs.Spec{
		Version:     "1.0.2",
		Process:     &specs.Process{Args: []string{"sh"}, Cwd: "/"},
		Hooks:       &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/true"}}},
		Annotations: map[string]string{"a": "b"},
		Linux: &specs.Linux{
			Namespaces:  []specs.LinuxNamespace{{Type: specs.PIDNamespace}},
			CgroupsPath: "/c1",
		},
	}
	if err := saveRecord(dir, &record{ID: "c1", Spec: full}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := loadRecord(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	summary := &specs.Spec{
		Version: full.Version, Hooks: full.Hooks, Process: full.Process, Annotations: full.Annotations,
		Linux: &specs.Linux{Namespaces: full.Linux.Namespaces},
	}
	if !reflect.DeepEqual(got.Spec, summary) {
		t.Fatalf("summary:\n got %+v\nwant %+v", got.Spec, summary)
	}
	// Saving a loaded record keeps the whole config.
	if err := saveRecord(dir, got, nil); err != nil {
		t.Fatal(err)
	}
	if got, err = loadRecord(dir, "c1"); err != nil {
		t.Fatal(err)
	}
	spec, err := got.fullSpec()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(spec, full) {
		t.Fatalf("full spec:\n got %+v\nwant %+v", spec, full)
	}
}

func TestLoadRecordMissingIsNotExist(t *testing.T) {
	_, err := loadRecord(t.TempDir(), "nope")
	if !errors.Is(err, ErrNotExist) {
		t.Fatalf("got %v, want ErrNotExist", err)
	}
	if want := `container "nope" does not exist`; err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
}

func TestWriteFileAtomicLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, content := range []string{"first", "second"} {
		if err := writeFileAtomic(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil || string(data) != content {
			t.Fatalf("read %q, %v; want %q", data, err, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the file", len(entries))
	}
}

// The file gets the mode asked for whatever the umask (the temporary file
// is created 0600 less the umask, then chmodded), and a failed write
// leaves no temporary file behind.
func TestWriteFileAtomicModeAndFailure(t *testing.T) {
	dir := t.TempDir()
	old := unix.Umask(0o277)
	defer unix.Umask(old)
	path := filepath.Join(dir, "pid")
	if err := writeFileAtomic(path, []byte("42"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("stat: %v, %v; want mode 0644", fi, err)
	}
	// A directory in the way: the rename fails.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := writeFileAtomic(blocked, []byte("x"), 0o600)
	if err == nil || !strings.HasPrefix(err.Error(), "rename into "+blocked+": rename ") {
		t.Fatalf("write over a directory: %v; want a rename error naming it", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("directory holds %v, want only pid and blocked", entries)
	}
	// No directory to create the temporary file in.
	err = writeFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600)
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "create temporary file for ") {
		t.Fatalf("write into a missing directory: %v", err)
	}
}

func TestMakeContainerDirRefusesTakenID(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	if _, err := makeContainerDir(root, "c1"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(root)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("root: %v, %v; want a 0700 directory", fi, err)
	}
	// Its create still runs (holds the lock).
	lock, err := lockDir(filepath.Join(root, "c1"), "c1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = makeContainerDir(root, "c1")
	if !errors.Is(err, ErrExist) || err.Error() != `container "c1" already exists` {
		t.Fatalf("second create while the first runs: %v", err)
	}
	// It finished: a container.
	if err := os.WriteFile(filepath.Join(root, "c1", stateFile), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	lock.unlock()
	_, err = makeContainerDir(root, "c1")
	if !errors.Is(err, ErrExist) || err.Error() != `container "c1" already exists` {
		t.Fatalf("second create of a container: %v", err)
	}
}

// The directory of a create killed halfway (an intent record, nobody
// holding the lock) is cleaned up and taken over by the next create.
func TestMakeContainerDirTakesOverAnAbandonedCreate(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	dir, err := makeContainerDir(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if err := saveIntent(dir, &record{ID: "c1"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fifoFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(root, "c1")
	if err != nil {
		t.Fatalf("load an abandoned create: %v", err)
	}
	if st := c.State(); st.Status != Stopped || st.Pid != 0 {
		t.Fatalf("abandoned create: state %+v, want stopped with no pid", st)
	}
	if _, err := makeContainerDir(root, "c1"); err != nil {
		t.Fatalf("create over an abandoned create: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the abandoned create's files are still there: %v", entries)
	}
}

func TestLockDirSerialises(t *testing.T) {
	dir := t.TempDir()
	first, err := lockDir(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *dirLock)
	go func() {
		l, _ := lockDir(dir, "c1")
		got <- l
	}()
	select {
	case <-got:
		t.Fatal("second lock taken while the first is held")
	case <-time.After(100 * time.Millisecond):
	}
	first.unlock()
	second := <-got
	if second == nil {
		t.Fatal("second lock failed after the first was released")
	}
	second.unlock()
}

func TestLockDirOfRemovedContainer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	first, err := lockDir(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error)
	go func() {
		l, err := lockDir(dir, "c1")
		l.unlock()
		got <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the second locker open the dir and block
	os.Remove(dir)
	first.unlock()
	if err := <-got; !errors.Is(err, ErrNotExist) {
		t.Fatalf("lock of a deleted container: %v, want ErrNotExist", err)
	}
}

func TestRemoveAbandoned(t *testing.T) {
	root := t.TempDir()
	if err := RemoveAbandoned(root, "none"); err != nil {
		t.Fatalf("missing directory: %v", err)
	}
	dir, err := makeContainerDir(root, "busy")
	if err != nil {
		t.Fatal(err)
	}
	lock, err := lockDir(dir, "busy")
	if err != nil {
		t.Fatal(err)
	}
	if err := RemoveAbandoned(root, "busy"); err == nil {
		t.Fatal("removed the directory of a create in progress")
	}
	lock.unlock()
	if err := RemoveAbandoned(root, "busy"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("abandoned directory still there: %v", err)
	}
	fakeContainer(t, root, "real", false)
	if err := RemoveAbandoned(root, "real"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, "real"); err != nil {
		t.Fatalf("a container with a record was touched: %v", err)
	}
}
