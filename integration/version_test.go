package integration

import (
	"strings"
	"testing"
)

func TestVersionNamesCommitSpecAndLibseccomp(t *testing.T) {
	out := mustSucceed(t, newRuntime(t).run("--version")).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.Contains(lines[0], "version ") || strings.HasSuffix(strings.TrimSpace(lines[0]), "version") {
		t.Errorf("first line %q does not give a version", lines[0])
	}
	for _, prefix := range []string{"commit: ", "spec: 1.", "libseccomp: 2."} {
		if !strings.Contains(out, "\n"+prefix) {
			t.Errorf("--version lacks a line starting %q:\n%s", prefix, out)
		}
	}
}
