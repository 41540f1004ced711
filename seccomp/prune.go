package seccomp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// maxEntries bounds the cache: a host sees a handful of profiles (an
// engine's default, varied by capabilities), but entries of replaced
// profiles and old libseccomp versions would otherwise pile up forever.
const maxEntries = 128

// staleTemp is the age after which a temporary file is a crash's leftover
// rather than a write in progress.
const staleTemp = 10 * time.Minute

// pruneCache removes leftover temporary files and, beyond maxEntries, the
// entries written longest ago. It runs only after a cache miss, which has
// just spent far longer compiling than this costs.
func pruneCache(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type entry struct {
		name string
		mod  time.Time
	}
	var filters []entry
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch {
		case strings.HasPrefix(e.Name(), ".tmp-"):
			if time.Since(info.ModTime()) > staleTemp {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		case strings.HasSuffix(e.Name(), ".bpf"):
			filters = append(filters, entry{e.Name(), info.ModTime()})
		}
	}
	if len(filters) <= maxEntries {
		return
	}
	slices.SortFunc(filters, func(a, b entry) int { return a.mod.Compare(b.mod) })
	for _, e := range filters[:len(filters)-maxEntries] {
		if err := os.Remove(filepath.Join(dir, e.name)); err != nil {
			debugf("seccomp: prune cache: %v", err)
		}
	}
}
