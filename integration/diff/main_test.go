package diff

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// hullBinary and runcBinary are the absolute paths of the two runtimes.
var hullBinary, runcBinary string

func TestMain(m *testing.M) {
	hull, runc := os.Getenv("HULL_BINARY"), os.Getenv("HULL_DIFF_RUNC")
	if hull == "" || runc == "" {
		fmt.Println("diff: skipped: set HULL_BINARY and HULL_DIFF_RUNC (`make test-diff` does)")
		os.Exit(0)
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "diff: the differential suite runs containers and must run as root")
		os.Exit(1)
	}
	var err error
	for _, b := range []struct {
		dst  *string
		path string
	}{{&hullBinary, hull}, {&runcBinary, runc}} {
		if *b.dst, err = filepath.Abs(b.path); err != nil {
			fmt.Fprintln(os.Stderr, "diff:", err)
			os.Exit(1)
		}
		if _, err := os.Stat(*b.dst); err != nil {
			fmt.Fprintln(os.Stderr, "diff:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}
