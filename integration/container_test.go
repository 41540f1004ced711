package integration

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/testbundle"
)

// templateSpec returns the runtime's own `spec` template, unchanged.
func templateSpec(t *testing.T, rt *runtime) *specs.Spec {
	t.Helper()
	dir := t.TempDir()
	mustSucceed(t, rt.run("spec", "--bundle", dir))
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatalf("parse the spec template: %v", err)
	}
	return &spec
}

// testSpec is the runtime's template running args with no terminal, so the
// container's output goes to the runtime's stdout.
func testSpec(t *testing.T, rt *runtime, args ...string) *specs.Spec {
	t.Helper()
	spec := templateSpec(t, rt)
	spec.Process.Terminal = false
	spec.Process.Args = args
	return spec
}

// sh is the argument list running script with the container's shell.
func sh(script string) []string {
	return []string{"sh", "-c", script}
}

// container is one container id in a runtime, with its bundle.
type container struct {
	rt     *runtime
	id     string
	bundle string
}

// newContainer makes a busybox bundle for spec and a unique id, and makes
// sure the container is gone when the test ends, however it ends.
func newContainer(t *testing.T, rt *runtime, spec *specs.Spec) *container {
	t.Helper()
	c := &container{rt: rt, id: uniqueID(t), bundle: testbundle.New(t, spec)}
	t.Cleanup(c.forceDelete)
	return c
}

// uniqueID is a container id no other test or run uses.
func uniqueID(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(strings.TrimPrefix(t.Name(), "Test"))
	name = strings.NewReplacer("/", "-", "_", "-").Replace(name)
	if len(name) > 30 {
		name = name[:30]
	}
	return "it-" + name + "-" + hex.EncodeToString(b)
}

func (c *container) forceDelete() {
	c.rt.run("delete", "--force", c.id)
}

// runForeground runs the container to its end (`run`, not detached) and
// returns what it printed and its exit status.
func (c *container) runForeground() result {
	c.rt.t.Helper()
	return c.rt.run("run", "--bundle", c.bundle, c.id)
}

func (c *container) create() result {
	c.rt.t.Helper()
	return c.rt.run("create", "--bundle", c.bundle, c.id)
}

func (c *container) start() result {
	c.rt.t.Helper()
	return c.rt.run("start", c.id)
}

func (c *container) kill(signal string) result {
	c.rt.t.Helper()
	return c.rt.run("kill", c.id, signal)
}

func (c *container) delete(args ...string) result {
	c.rt.t.Helper()
	return c.rt.run(append(append([]string{"delete"}, args...), c.id)...)
}

// state returns the container's state as `state` prints it.
func (c *container) state() specs.State {
	c.rt.t.Helper()
	res := mustSucceed(c.rt.t, c.rt.run("state", c.id))
	var st specs.State
	if err := json.Unmarshal([]byte(res.stdout), &st); err != nil {
		c.rt.t.Fatalf("parse state: %v\n%s", err, res.stdout)
	}
	return st
}

// waitStatus polls `state` until the container has the status.
func (c *container) waitStatus(status specs.ContainerState) {
	c.rt.t.Helper()
	waitFor(c.rt.t, "status "+string(status), func() bool { return c.state().Status == status })
}

// runInContainer runs script in a fresh container made from the runtime's
// template (patched by patch, if not nil) and returns the result; the
// container is removed afterwards.
func runInContainer(t *testing.T, script string, patch func(*specs.Spec)) result {
	t.Helper()
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(script)...)
	if patch != nil {
		patch(spec)
	}
	return newContainer(t, rt, spec).runForeground()
}

// outputOf runs script like runInContainer, requires it to succeed and
// returns its stdout without surrounding space.
func outputOf(t *testing.T, script string, patch func(*specs.Spec)) string {
	t.Helper()
	return strings.TrimSpace(mustSucceed(t, runInContainer(t, script, patch)).stdout)
}
