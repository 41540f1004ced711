package seccomp

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func useCacheDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cache")
	CacheDir = dir
	t.Cleanup(func() { CacheDir = "" })
	return dir
}

func testProfile() *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno}},
	}
}

// onlyEntry returns the path of the single entry in dir.
func onlyEntry(t *testing.T, dir string) string {
	t.Helper()
	entries, err := filepath.Glob(filepath.Join(dir, "*.bpf"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache holds %v (%v), want one entry", entries, err)
	}
	return entries[0]
}

func encodeEntry(bpf []byte) []byte {
	sum := sha256.Sum256(bpf)
	return append(sum[:], bpf...)
}

func TestCacheServesStoredFilter(t *testing.T) {
	dir := useCacheDir(t)
	first, err := Compile(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	path := onlyEntry(t, dir)
	stored, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(stored, encodeEntry(first.BPF)) {
		t.Fatalf("entry holds %d bytes (%v), want checksum and the %d bytes of BPF", len(stored), err, len(first.BPF))
	}

	// A valid entry with other contents proves the next Compile reads
	// the cache instead of building.
	planted := []byte{6, 0, 0, 0, 0, 0, 0xff, 0x7f} // ret ALLOW
	if err := os.WriteFile(path, encodeEntry(planted), 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := Compile(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(second.BPF, planted) {
		t.Fatalf("second Compile returned %d bytes, want the cached entry", len(second.BPF))
	}
}

func TestCacheRebuildsBadEntries(t *testing.T) {
	want := compileForTest(t, testProfile()).BPF
	tests := map[string]func(path string) error{
		"empty":     func(p string) error { return os.WriteFile(p, nil, 0o600) },
		"truncated": func(p string) error { return os.WriteFile(p, encodeEntry(want)[:sumSize+len(want)-8], 0o600) },
		"partial instruction": func(p string) error {
			return os.WriteFile(p, encodeEntry(want[:len(want)-3]), 0o600)
		},
		"flipped bit": func(p string) error {
			data := encodeEntry(want)
			data[len(data)-1] ^= 1
			return os.WriteFile(p, data, 0o600)
		},
		"oversized": func(p string) error {
			return os.WriteFile(p, encodeEntry(make([]byte, maxEntrySize)), 0o600)
		},
		"writable by others": func(p string) error {
			if err := os.WriteFile(p, encodeEntry([]byte{6, 0, 0, 0, 0, 0, 0xff, 0x7f}), 0o600); err != nil {
				return err
			}
			return os.Chmod(p, 0o666)
		},
	}
	for name, damage := range tests {
		t.Run(name, func(t *testing.T) {
			dir := useCacheDir(t)
			if _, err := Compile(testProfile()); err != nil {
				t.Fatal(err)
			}
			path := onlyEntry(t, dir)
			if err := damage(path); err != nil {
				t.Fatal(err)
			}
			f, err := Compile(testProfile())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f.BPF, want) {
				t.Fatalf("got %d bytes of BPF, want the rebuilt %d", len(f.BPF), len(want))
			}
			if bpf, err := readEntry(path); err != nil || !bytes.Equal(bpf, want) {
				t.Fatalf("entry not rewritten: %v", err)
			}
		})
	}
}

func TestCacheFailureIsNotFatal(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	CacheDir = notADir
	defer func() { CacheDir = "" }()
	f, err := Compile(testProfile())
	if err != nil || len(f.BPF) == 0 {
		t.Fatalf("Compile with an unusable cache dir: %v", err)
	}
}

func TestCacheKey(t *testing.T) {
	key := func(s *specs.LinuxSeccomp) string {
		k, err := cacheKey(s)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key(testProfile())
	if key(testProfile()) != base {
		t.Error("equal profiles have different keys")
	}
	// Flags and listener are not part of the BPF: they share its entry.
	p := testProfile()
	p.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog}
	p.ListenerPath = "/run/agent.sock"
	if key(p) != base {
		t.Error("flags or listener changed the key")
	}
	changes := map[string]func(*specs.LinuxSeccomp){
		"default action": func(s *specs.LinuxSeccomp) { s.DefaultAction = specs.ActLog },
		"default errno":  func(s *specs.LinuxSeccomp) { s.DefaultErrnoRet = uintPtr(1) },
		"architectures":  func(s *specs.LinuxSeccomp) { s.Architectures = []specs.Arch{specs.ArchX86} },
		"rule errno":     func(s *specs.LinuxSeccomp) { s.Syscalls[0].ErrnoRet = uintPtr(1) },
		"rule names":     func(s *specs.LinuxSeccomp) { s.Syscalls[0].Names = []string{"mkdir"} },
		"rule args": func(s *specs.LinuxSeccomp) {
			s.Syscalls[0].Args = []specs.LinuxSeccompArg{{Index: 1, Value: 2, Op: specs.OpEqualTo}}
		},
	}
	for name, change := range changes {
		p := testProfile()
		change(p)
		if key(p) == base {
			t.Errorf("changing %s kept the key", name)
		}
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/home/u/.cache")
	if got := DefaultCacheDir(); got != "/home/u/.cache/hull/seccomp" {
		t.Errorf("with XDG_CACHE_HOME: %s", got)
	}
	t.Setenv("XDG_CACHE_HOME", "relative")
	t.Setenv("HOME", "/home/u")
	want := "/var/cache/hull/seccomp"
	if os.Geteuid() != 0 {
		want = "/home/u/.cache/hull/seccomp"
	}
	if got := DefaultCacheDir(); got != want {
		t.Errorf("with a relative XDG_CACHE_HOME: %s, want %s", got, want)
	}
}

func TestCachePrunes(t *testing.T) {
	dir := useCacheDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	touch := func(name string, mod time.Time) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
		return path
	}
	oldest := touch("oldest.bpf", old.Add(-time.Minute))
	for i := range maxEntries - 1 {
		touch(fmt.Sprintf("e%03d.bpf", i), old)
	}
	staleTmp := touch(".tmp-1", old)
	freshTmp := touch(".tmp-2", time.Now())

	f, err := Compile(testProfile()) // a miss: stores one more entry, then prunes
	if err != nil {
		t.Fatal(err)
	}
	for path, wantGone := range map[string]bool{oldest: true, staleTmp: true, freshTmp: false} {
		if _, err := os.Stat(path); os.IsNotExist(err) != wantGone {
			t.Errorf("%s: removed %v, want %v", filepath.Base(path), os.IsNotExist(err), wantGone)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*.bpf"))
	if len(entries) != maxEntries {
		t.Errorf("%d entries left, want %d", len(entries), maxEntries)
	}
	key, err := cacheKey(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	if bpf, err := readEntry(filepath.Join(dir, key+".bpf")); err != nil || !bytes.Equal(bpf, f.BPF) {
		t.Errorf("the new entry was pruned or is wrong: %v", err)
	}
}
