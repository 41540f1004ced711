package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// addTempUser gives the bundle's /etc/passwd a user 1000 with a home, as
// runc's tests do.
func addTempUser(t *testing.T, bundle string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(bundle, "rootfs", "etc", "passwd"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("tempuser:x:1000:1000::/home/tempuser:/bin/sh\n"); err != nil {
		t.Fatal(err)
	}
}

// Without HOME in process.env (or with an empty one), HOME is the user's
// home from the container's /etc/passwd, `/` without an entry: for run
// and for every way of calling exec.
func TestHomeFromContainerPasswd(t *testing.T) {
	rt := newRuntime(t)
	for _, tc := range []struct {
		name string
		env  []string
		uid  uint32
		want string
	}{
		{"no HOME, root", []string{"PATH=/bin"}, 0, "/root"},
		{"empty HOME, root", []string{"PATH=/bin", "HOME="}, 0, "/root"},
		{"no HOME, tempuser", []string{"PATH=/bin"}, 1000, "/home/tempuser"},
		{"no HOME, no entry", []string{"PATH=/bin"}, 4242, "/"},
		{"HOME set", []string{"PATH=/bin", "HOME=/mine"}, 1000, "/mine"},
	} {
		spec := testSpec(t, rt, "sh", "-c", `echo "[$HOME]"; env | grep -c ^HOME=`)
		spec.Process.Env = tc.env
		spec.Process.User = specs.User{UID: tc.uid, GID: tc.uid}
		c := newContainer(t, rt, spec)
		addTempUser(t, c.bundle)
		out := strings.Fields(mustSucceed(t, c.runForeground()).stdout)
		if strings.Join(out, " ") != "["+tc.want+"] 1" {
			t.Errorf("run, %s: printed %q, want [%s] and one HOME", tc.name, out, tc.want)
		}
	}

	c := newContainer(t, rt, testSpec(t, rt, "sleep", "600"))
	addTempUser(t, c.bundle)
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	process := specs.Process{Args: []string{"sh", "-c", `echo "[$HOME]"`}, Env: []string{"PATH=/bin"}, Cwd: "/",
		User: specs.User{UID: 1000, GID: 1000}}
	data, err := json.Marshal(process)
	if err != nil {
		t.Fatal(err)
	}
	processFile := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(processFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		options []string
		want    string
	}{
		{nil, "/root"},
		{[]string{"--user", "1000:1000"}, "/home/tempuser"},
		{[]string{"--user", "4242"}, "/"},
		{[]string{"--env", "FOO=bar"}, "/root"},
		{[]string{"--env", "HOME="}, "/root"},
		{[]string{"--env", "HOME=/x"}, "/x"},
		{[]string{"-p", processFile}, "/home/tempuser"},
	} {
		args := []string{"sh", "-c", `echo "[$HOME]"`}
		if len(tc.options) > 0 && tc.options[0] == "-p" {
			args = nil
		}
		out := strings.TrimSpace(mustSucceed(t, c.exec(tc.options, args...)).stdout)
		if out != "["+tc.want+"]" {
			t.Errorf("exec %v: printed %q, want [%s]", tc.options, out, tc.want)
		}
	}
}

// An environment value containing a newline reaches the process intact.
func TestEnvValueWithNewline(t *testing.T) {
	out := outputOf(t, `printf '%s' "$MULTI" | od -c | head -1`, func(s *specs.Spec) {
		s.Process.Env = append(s.Process.Env, "MULTI=one\ntwo")
	})
	if !strings.Contains(out, `o   n   e  \n   t   w   o`) {
		t.Errorf("MULTI arrived as %q, want one\\ntwo", out)
	}
}

// HOME comes from the /etc/passwd the process sees, after the mounts:
// masked it has no entries (`/`), bind-mounted over it the source's.
func TestHomeFromMountedPasswd(t *testing.T) {
	rt := newRuntime(t)
	masked := testSpec(t, rt, "sh", "-c", `echo "[$HOME]"`)
	masked.Process.Env = []string{"PATH=/bin"}
	masked.Linux.MaskedPaths = append(masked.Linux.MaskedPaths, "/etc/passwd")
	if out := strings.TrimSpace(mustSucceed(t, newContainer(t, rt, masked).runForeground()).stdout); out != "[/]" {
		t.Errorf("masked /etc/passwd: HOME %s, want [/]", out)
	}

	source := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(source, []byte("root:x:0:0:root:/from-bind:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bound := testSpec(t, rt, "sh", "-c", `echo "[$HOME]"`)
	bound.Process.Env = []string{"PATH=/bin"}
	bound.Mounts = append(bound.Mounts, specs.Mount{Destination: "/etc/passwd", Type: "bind", Source: source, Options: []string{"bind", "ro"}})
	if out := strings.TrimSpace(mustSucceed(t, newContainer(t, rt, bound).runForeground()).stdout); out != "[/from-bind]" {
		t.Errorf("/etc/passwd bind-mounted: HOME %s, want [/from-bind]", out)
	}

	copied := testSpec(t, rt, "sh", "-c", `echo "[$HOME]"`)
	copied.Process.Env = []string{"PATH=/bin"}
	copied.Mounts = append(copied.Mounts, specs.Mount{Destination: "/etc", Type: "tmpfs", Source: "tmpfs", Options: []string{"tmpcopyup"}})
	if out := strings.TrimSpace(mustSucceed(t, newContainer(t, rt, copied).runForeground()).stdout); out != "[/root]" {
		t.Errorf("tmpfs with tmpcopyup on /etc: HOME %s, want [/root]", out)
	}
}
