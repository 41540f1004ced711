package seccomp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Compiling a long profile with libseccomp takes 12-20 ms per container,
// loading a stored result well under 1 ms; so the BPF of every profile is
// kept on disk, keyed by everything that decides its bytes.

// CacheDir overrides where compiled filters are stored; empty means
// DefaultCacheDir.
var CacheDir string

// DisableCache makes Compile build every filter and never touch the disk.
var DisableCache bool

// DefaultCacheDir is $XDG_CACHE_HOME/hull/seccomp when XDG_CACHE_HOME is
// set, else /var/cache/hull/seccomp for root and $HOME/.cache/hull/seccomp
// (the XDG default) for other users, who cannot write /var/cache.
func DefaultCacheDir() string {
	// The XDG spec says to ignore a relative value.
	if dir := os.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "hull", "seccomp")
	}
	if home := os.Getenv("HOME"); os.Geteuid() != 0 && filepath.IsAbs(home) {
		return filepath.Join(home, ".cache", "hull", "seccomp")
	}
	return "/var/cache/hull/seccomp"
}

// compilerVersion changes whenever buildBPF would produce different bytes
// for the same profile and libseccomp, so that old entries stop matching.
const compilerVersion = "hull-seccomp-2"

// cachedBPF returns the stored BPF of s or builds and stores it. A cache
// that cannot be read or written only costs time, never the container.
func cachedBPF(s *specs.LinuxSeccomp) ([]byte, error) {
	if DisableCache {
		return buildBPF(s)
	}
	dir := CacheDir
	if dir == "" {
		dir = DefaultCacheDir()
	}
	key, err := cacheKey(s)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, key+".bpf")
	bpf, err := readEntry(path)
	if err == nil {
		return bpf, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		debugf("seccomp: rebuilding unusable cache entry %s: %v", path, err)
	}
	bpf, err = buildBPF(s)
	if err != nil {
		return nil, err
	}
	if err := writeEntry(dir, path, bpf); err != nil {
		debugf("seccomp: cannot store compiled filter in %s: %v", dir, err)
		return bpf, nil
	}
	pruneCache(dir)
	return bpf, nil
}

// cacheKey hashes the fields that make up the BPF (not flags or listener,
// which the executor applies separately), in the canonical form
// encoding/json gives a struct, together with what else shapes the output.
func cacheKey(s *specs.LinuxSeccomp) (string, error) {
	profile, err := json.Marshal(struct {
		DefaultAction   specs.LinuxSeccompAction
		DefaultErrnoRet *uint
		Architectures   []specs.Arch
		Syscalls        []specs.LinuxSyscall
	}{s.DefaultAction, s.DefaultErrnoRet, s.Architectures, s.Syscalls})
	if err != nil {
		return "", fmt.Errorf("hash seccomp profile: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00libseccomp %s\x00%s\x00", compilerVersion, libraryVersion(), runtime.GOARCH)
	h.Write(profile)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// An entry is the SHA-256 of the BPF followed by the BPF: a truncated or
// damaged file is detected and rebuilt instead of loaded. That is why
// writes need no fsync.
const sumSize = sha256.Size

// sockFilterSize is sizeof(struct sock_filter).
const sockFilterSize = 8

func readEntry(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := checkOwner(f)
	if err != nil {
		return nil, err
	}
	// One read of the known size; ReadAll would grow its buffer in steps.
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	return decodeEntry(data)
}

func decodeEntry(data []byte) ([]byte, error) {
	if len(data) <= sumSize {
		return nil, fmt.Errorf("check cache entry: %d bytes is too short", len(data))
	}
	sum, bpf := data[:sumSize], data[sumSize:]
	if len(bpf)%sockFilterSize != 0 {
		return nil, fmt.Errorf("check cache entry: %d bytes of BPF is not a whole number of instructions", len(bpf))
	}
	if want := sha256.Sum256(bpf); !bytes.Equal(sum, want[:]) {
		return nil, errors.New("check cache entry: checksum mismatch")
	}
	return bpf, nil
}

// maxEntrySize bounds what is read: the kernel loads at most 4096
// instructions (BPF_MAXINSNS), and the stub adds a few.
const maxEntrySize = sumSize + 2*4096*sockFilterSize

// checkOwner refuses entries another user could have written: loading a
// planted filter would weaken every container using that profile. It
// returns the entry's size.
func checkOwner(f *os.File) (int, error) {
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Geteuid() || info.Mode().Perm()&0o022 != 0 || !info.Mode().IsRegular() {
		return 0, fmt.Errorf("check cache entry: not a regular file owned and only writable by uid %d", os.Geteuid())
	}
	if info.Size() > maxEntrySize {
		return 0, fmt.Errorf("check cache entry: %d bytes is too large", info.Size())
	}
	return int(info.Size()), nil
}

// writeEntry stores bpf under path through a temporary file and a rename,
// so that a concurrent reader sees the old entry or the whole new one.
func writeEntry(dir, path string, bpf []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	sum := sha256.Sum256(bpf)
	if _, err := tmp.Write(append(sum[:], bpf...)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
