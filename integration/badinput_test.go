package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// expectOneLineError checks that res failed with a single line on stderr
// naming one of names (case-insensitively).
func expectOneLineError(t *testing.T, res result, names ...string) {
	t.Helper()
	if res.code == 0 {
		t.Errorf("expected failure: %v", res)
		return
	}
	var lines []string
	for _, l := range strings.Split(res.stderr, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Errorf("want a one-line error, got %d lines: %v", len(lines), res)
		return
	}
	for _, name := range names {
		if strings.Contains(strings.ToLower(lines[0]), strings.ToLower(name)) {
			return
		}
	}
	t.Errorf("the error names none of %q: %s", names, lines[0])
}

// createFails runs create, then run, for a bundle of spec (changed by
// breakBundle, if not nil) and checks that each fails with an error naming
// one of names and leaves nothing behind.
func createFails(t *testing.T, spec func(*runtime) *specs.Spec, breakBundle func(bundle string), names ...string) {
	t.Helper()
	for _, command := range []string{"create", "run"} {
		rt := newRuntime(t)
		c := newContainer(t, rt, spec(rt))
		if breakBundle != nil {
			breakBundle(c.bundle)
		}
		expectOneLineError(t, rt.run(command, "--bundle", c.bundle, c.id), names...)
		assertNothingLeftBehind(t, rt, c.id, c.bundle)
	}
}

func specWith(t *testing.T, patch func(*specs.Spec)) func(*runtime) *specs.Spec {
	return func(rt *runtime) *specs.Spec {
		s := testSpec(t, rt, "true")
		patch(s)
		return s
	}
}

func TestBadInputUnparsableConfig(t *testing.T) {
	createFails(t, specWith(t, func(*specs.Spec) {}), func(bundle string) {
		if err := os.WriteFile(filepath.Join(bundle, "config.json"), []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
	}, "config.json")
}

func TestBadInputMissingRootfs(t *testing.T) {
	createFails(t, specWith(t, func(s *specs.Spec) { s.Root.Path = "missing-rootfs" }), nil, "missing-rootfs")
}

func TestBadInputUnknownNamespaceType(t *testing.T) {
	createFails(t, specWith(t, func(s *specs.Spec) {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "bogusns"})
	}), nil, "bogusns")
}

func TestBadInputInvalidContainerIDs(t *testing.T) {
	for _, id := range []string{"a/b", "..", "../escape", ""} {
		t.Run(id, func(t *testing.T) {
			rt := newRuntime(t)
			bundle := newContainer(t, rt, testSpec(t, rt, "true")).bundle
			res := rt.run("create", "--bundle", bundle, id)
			expectOneLineError(t, res, "id")
			assertNothingLeftBehind(t, rt, id, bundle)
			if fileExists(filepath.Join(filepath.Dir(rt.root), "escape")) {
				t.Errorf("create made a directory outside --root")
			}
		})
	}
}

func TestBadInputUnknownContainerID(t *testing.T) {
	for _, command := range []struct {
		name string
		args func(id string) []string
	}{
		{"state", func(id string) []string { return []string{"state", id} }},
		{"start", func(id string) []string { return []string{"start", id} }},
		{"kill", func(id string) []string { return []string{"kill", id} }},
		{"kill_KILL", func(id string) []string { return []string{"kill", id, "KILL"} }},
		{"delete", func(id string) []string { return []string{"delete", id} }},
	} {
		t.Run(command.name, func(t *testing.T) {
			rt := newRuntime(t)
			id := uniqueID(t)
			expectOneLineError(t, rt.run(command.args(id)...), id)
			assertNothingLeftBehind(t, rt, id, "")
		})
	}
}

func TestBadInputStartTwice(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	expectOneLineError(t, c.start(), c.id, "running", "created")
	if st := c.state(); st.Status != specs.StateRunning {
		t.Errorf("after the second start the container is %q, want still running", st.Status)
	}
}

func TestBadInputDeleteRunningWithoutForce(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	expectOneLineError(t, c.delete(), c.id, "running", "force")
	st := c.state()
	if st.Status != specs.StateRunning {
		t.Errorf("after a refused delete the container is %q, want still running", st.Status)
	}
	mustSucceed(t, c.delete("--force"))
	if processAlive(st.Pid) {
		t.Errorf("the container's init %d is still alive after delete --force", st.Pid)
	}
	assertNothingLeftBehind(t, rt, c.id, c.bundle)
}

// Errors found inside the new namespaces, by the process that sets the
// container up, are reported and cleaned up like the others.
func TestBadInputBindSourceMissing(t *testing.T) {
	createFails(t, specWith(t, func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{
			Destination: "/data", Type: "bind", Source: "/nonexistent-it-source", Options: []string{"bind"},
		})
	}), nil, "nonexistent-it-source")
}

func TestBadInputExecutableNotFound(t *testing.T) {
	createFails(t, specWith(t, func(s *specs.Spec) { s.Process.Args = []string{"no-such-program"} }),
		nil, "no-such-program")
}
