package seccomp

import (
	"testing"
)

// BenchmarkCompileDefault measures a Docker-like profile (363 names, ERRNO
// by default, three architectures): built by libseccomp on every call, and
// served from the on-disk cache.
func BenchmarkCompileDefault(b *testing.B) {
	s := loadTestProfile(b, "default.json")
	b.Run("cold", func(b *testing.B) {
		DisableCache = true
		defer func() { DisableCache = false }()
		for b.Loop() {
			if _, err := Compile(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		CacheDir = b.TempDir()
		defer func() { CacheDir = "" }()
		if _, err := Compile(s); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Compile(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
