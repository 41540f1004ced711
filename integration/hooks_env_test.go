package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A hook without "env" runs with the runtime's own environment (as with
// runc: hooks installed by toolkits rely on PATH); "env": [] is empty.
func TestHookWithoutEnvGetsTheRuntimesEnvironment(t *testing.T) {
	t.Setenv("HULL_HOOK_PROBE", "from-the-runtime")
	dir := t.TempDir()
	withEnv, withoutEnv := filepath.Join(dir, "with"), filepath.Join(dir, "without")
	script := `echo "probe=$HULL_HOOK_PROBE" > "$0"`
	outputOf(t, "true", func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{Poststart: []specs.Hook{
			{Path: "/bin/sh", Args: []string{"sh", "-c", script, withoutEnv}},
			{Path: "/bin/sh", Args: []string{"sh", "-c", script, withEnv}, Env: []string{"OTHER=1"}},
		}}
	})
	for file, want := range map[string]string{withoutEnv: "probe=from-the-runtime", withEnv: "probe="} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("the hook did not run: %v", err)
		}
		if got := strings.TrimSpace(string(data)); got != want {
			t.Errorf("%s: hook saw %q, want %q", filepath.Base(file), got, want)
		}
	}
}
