package libcontainer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hullrt/hull/specconv"
)

// BenchmarkLoadAndCompileRuncSpec measures what every `create` pays on the
// Go side before the executor gets its program: read and validate
// config.json, decide the rootfs, compile, encode.
func BenchmarkLoadAndCompileRuncSpec(b *testing.B) {
	bundle := b.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "specconv", "testdata", "runc-spec.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		plan, err := specconv.LoadBundle(bundle)
		if err != nil {
			b.Fatal(err)
		}
		prog, err := Compile(plan, CompileOptions{Console: true, CgroupMounts: hybridCgroups})
		if err != nil {
			b.Fatal(err)
		}
		_ = prog.Encode()
		prog.Close()
	}
}
