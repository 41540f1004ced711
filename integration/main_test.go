// Package integration runs real containers through the hull binary (or any
// runc-compatible runtime) and checks their real effects. HULL_BINARY names
// the binary; `make test` sets it to the freshly built ./hull. Without it
// the tests use ./hull at the repository's root if it was built, and are
// skipped otherwise. The tests need root.
package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hullrt/hull/internal/testbundle"
)

// builtBinary is where `make build` puts hull, seen from this package.
const builtBinary = "../hull"

// runtimeBinary is the absolute path of the runtime under test.
var runtimeBinary string

func TestMain(m *testing.M) {
	bin := os.Getenv("HULL_BINARY")
	if bin == "" && fileExists(builtBinary) {
		bin = builtBinary
	}
	if bin == "" {
		fmt.Println("integration: skipped: HULL_BINARY is not set and ../hull is not built. Run `make test`, or set HULL_BINARY to a runc-compatible binary.")
		os.Exit(0)
	}
	fmt.Println("integration: testing", bin)
	if err := checkEnvironment(bin); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		os.Exit(1)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		os.Exit(1)
	}
	runtimeBinary = abs
	os.Exit(m.Run())
}

// checkEnvironment refuses to start when a requirement every test shares is
// missing, rather than letting each test fail for the same reason.
func checkEnvironment(bin string) error {
	if _, err := exec.LookPath(bin); err != nil {
		return fmt.Errorf("HULL_BINARY=%s: %w", bin, err)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("the integration tests run containers and must run as root")
	}
	if _, err := os.Stat(testbundle.BusyboxPath); err != nil {
		return fmt.Errorf("%s missing (install busybox-static, `make deps`): %w", testbundle.BusyboxPath, err)
	}
	return nil
}
