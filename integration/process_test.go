package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestUserGroupsUmaskCwdEnvAsConfigured(t *testing.T) {
	script := `id -u; id -g; grep '^Groups:' /proc/self/status; umask; pwd; echo "$HULL_IT_VAR"`
	out := outputOf(t, script, func(s *specs.Spec) {
		umask := uint32(0o027)
		s.Process.User = specs.User{UID: 1234, GID: 2345, AdditionalGids: []uint32{3456, 4567}, Umask: &umask}
		s.Process.Cwd = "/var"
		s.Process.Env = append(s.Process.Env, "HULL_IT_VAR=configured value")
	})
	want := []string{"1234", "2345", "Groups:\t3456 4567", "0027", "/var", "configured value"}
	got := strings.Split(out, "\n")
	for i := range want {
		if i >= len(got) || strings.TrimSpace(got[i]) != want[i] {
			t.Errorf("line %d: got %q, want %q\nall:\n%s", i, line(got, i), want[i], out)
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

func TestEnvIsExactlyTheConfiguredOne(t *testing.T) {
	// HOME is set so that the runtime does not add one from /etc/passwd.
	env := []string{"PATH=/bin", "ONLY_THIS=1", "HOME=/var"}
	out := outputOf(t, "env | grep -v '^PWD=' | grep -v '^SHLVL=' | sort", func(s *specs.Spec) { s.Process.Env = env })
	if want := "HOME=/var\nONLY_THIS=1\nPATH=/bin"; out != want {
		t.Errorf("environment:\n%s\nwant:\n%s", out, want)
	}
}

func TestRlimitsAreApplied(t *testing.T) {
	// The hard limit stays below the host's: raising it needs
	// CAP_SYS_RESOURCE, which the runtime may not have.
	out := outputOf(t, "grep 'Max open files' /proc/self/limits", func(s *specs.Spec) {
		s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 321, Hard: 654}}
	})
	if f := strings.Fields(out); len(f) < 5 || f[3] != "321" || f[4] != "654" {
		t.Errorf("nofile limits %q, want soft 321 hard 654", out)
	}
}

func TestNoNewPrivileges(t *testing.T) {
	for _, nnp := range []bool{true, false} {
		out := outputOf(t, "grep NoNewPrivs /proc/self/status", func(s *specs.Spec) { s.Process.NoNewPrivileges = nnp })
		want := "NoNewPrivs:\t0"
		if nnp {
			want = "NoNewPrivs:\t1"
		}
		if out != want {
			t.Errorf("noNewPrivileges %v: %q, want %q", nnp, out, want)
		}
	}
}
