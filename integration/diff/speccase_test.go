package diff

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/testbundle"
)

//go:embed probe.sh
var probeScript []byte

// specCase is one config.json run by both runtimes: runc's `spec`
// template running the probe, patched.
type specCase struct {
	name string
	// patch changes the template; h holds this run's host paths.
	patch func(s *specs.Spec, h *hostPaths)
	// extra is shell the probe runs last, its output in section "extra".
	extra string
	// cgroupFiles are read by the host in the created state, as
	// "controller/file" (v1) or "unified/file" (cgroup2).
	cgroupFiles []string
	// createArgs are added to `create`.
	createArgs []string
	// setup prepares the host before create (made under h.dir).
	setup func(t *testing.T, h *hostPaths)
}

// hostPaths are one run's directories on the host.
type hostPaths struct {
	dir    string // free for the case: bind sources, hook output (<HOST>)
	bundle string
	rootfs string
}

// hooksDir is where hook commands write what they saw.
func (h *hostPaths) hooksDir() string { return filepath.Join(h.dir, "hooks") }

var (
	templateOnce sync.Once
	template     []byte
	templateErr  error
)

// baseSpec is runc's `spec` template (the reference's defaults) running
// the probe without a terminal.
func baseSpec(t *testing.T) *specs.Spec {
	t.Helper()
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "diff-template")
		if err != nil {
			templateErr = err
			return
		}
		defer os.RemoveAll(dir)
		e := &engine{name: "runc", bin: runcBinary, root: dir}
		if res := e.run(t, "spec", "--bundle", dir); res.code != 0 {
			templateErr = fmt.Errorf("runc spec: %s", res.stderr)
			return
		}
		template, templateErr = os.ReadFile(filepath.Join(dir, "config.json"))
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	var s specs.Spec
	if err := json.Unmarshal(template, &s); err != nil {
		t.Fatal(err)
	}
	s.Process.Terminal = false
	s.Process.Args = []string{"/bin/sh", "/probe"}
	return &s
}

func randomID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "diff" + hex.EncodeToString(b)
}

// observeSpec runs the case with one runtime: create, what the host sees
// of the created container, start, the probe's output, delete, and what
// the hooks wrote.
func observeSpec(t *testing.T, e *engine, c specCase) *observation {
	t.Helper()
	h := &hostPaths{dir: t.TempDir(), bundle: t.TempDir()}
	h.rootfs = filepath.Join(h.bundle, "rootfs")
	if err := testbundle.MakeRootfs(h.rootfs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.rootfs, "probe"), probeScript, 0o755); err != nil {
		t.Fatal(err)
	}
	if c.extra != "" {
		if err := os.WriteFile(filepath.Join(h.rootfs, "probe-extra"), []byte(c.extra+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(h.hooksDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if c.setup != nil {
		c.setup(t, h)
	}
	spec := baseSpec(t)
	if c.patch != nil {
		c.patch(spec, h)
	}
	if err := testbundle.WriteConfig(h.bundle, spec); err != nil {
		t.Fatal(err)
	}
	id := randomID()
	outDir := t.TempDir()
	norm := newNormalizer(h.rootfs, "<ROOTFS>", h.bundle, "<BUNDLE>", h.dir, "<HOST>", e.root, "<ROOT>",
		outDir, "<OUT>", id, "<ID>")
	o := newObservation()
	defer e.forceDelete(t, id)

	stdout, err := os.Create(filepath.Join(outDir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(outDir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	args := append(append([]string{"create", "--bundle", h.bundle}, c.createArgs...), id)
	code := e.runWith(t, stdout, stderr, nil, args...)
	o.add("create", fmt.Sprintf("exit %d", code))
	if code != 0 {
		msg, _ := os.ReadFile(stderr.Name())
		t.Logf("%s create failed: %s", e.name, strings.TrimSpace(norm.line(string(msg))))
		addHooks(t, o, h)
		return norm.observation(o)
	}
	st := e.run(t, "state", id)
	o.add("state", jsonLines(st.stdout)...)
	var state containerState
	json.Unmarshal([]byte(st.stdout), &state)
	if state.Pid > 0 {
		addHostView(o, state.Pid, c.cgroupFiles)
	}
	if spec.Process == nil {
		// Nothing to start: a created container without a process.
		res := e.run(t, "delete", "--force", id)
		o.add("delete", fmt.Sprintf("exit %d", res.code))
		return norm.observation(o)
	}
	res := e.run(t, "start", id)
	o.add("start", fmt.Sprintf("exit %d", res.code))
	// The probe's last line, cheaper to wait for than `state`.
	waitForFile(stdout.Name(), "== end\n", 15*time.Second)
	if err := e.waitStopped(t, id); err != nil {
		o.add("stopped", err.Error())
	}
	out, _ := os.ReadFile(stdout.Name())
	o.addProbe(strings.TrimSuffix(string(out), "== end\n"))
	res = e.run(t, "delete", id)
	o.add("delete", fmt.Sprintf("exit %d", res.code))
	addHooks(t, o, h)
	return norm.observation(o)
}

// waitForFile polls the file until it ends with suffix.
func waitForFile(path, suffix string, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if data, _ := os.ReadFile(path); strings.HasSuffix(string(data), suffix) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// addHostView records what the host sees of the created container: which
// namespaces are its own, its cgroups and the cgroup files asked for.
func addHostView(o *observation, pid int, files []string) {
	o.add("namespaces")
	for _, ns := range []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"} {
		mine, _ := os.Readlink("/proc/self/ns/" + ns)
		theirs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
		switch {
		case err != nil:
			o.add("namespaces", ns+" unreadable")
		case mine == theirs:
			o.add("namespaces", ns+" host")
		default:
			o.add("namespaces", ns+" own")
		}
	}
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	o.addText("host cgroup", string(data))
	paths := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			paths["unified"] = parts[2]
		}
		for _, ctrl := range strings.Split(parts[1], ",") {
			paths[strings.TrimPrefix(ctrl, "name=")] = parts[2]
		}
	}
	for _, f := range files {
		ctrl, file, _ := strings.Cut(f, "/")
		p, ok := paths[ctrl]
		if !ok {
			o.add("cgroup files", f+": (not in a "+ctrl+" cgroup)")
			continue
		}
		value, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", ctrl, p, file))
		if err != nil {
			o.add("cgroup files", f+": (unreadable)")
			continue
		}
		// Sorted: the kernel lists device rules in the order they came.
		lines := strings.Split(strings.TrimSpace(string(value)), "\n")
		sort.Strings(lines)
		o.add("cgroup files", f+": "+strings.Join(lines, ", "))
	}
}

// addHooks records each file the hooks wrote, by name.
func addHooks(t *testing.T, o *observation, h *hostPaths) {
	entries, err := os.ReadDir(h.hooksDir())
	if err != nil {
		return
	}
	paths := map[string]string{}
	for _, e := range entries {
		paths[e.Name()] = filepath.Join(h.hooksDir(), e.Name())
	}
	if inContainer, err := filepath.Glob(filepath.Join(h.rootfs, ".hook-*")); err == nil {
		for _, p := range inContainer {
			paths[strings.TrimPrefix(filepath.Base(p), ".hook-")] = p
		}
	}
	names := make([]string, 0, len(paths))
	for name := range paths {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := os.ReadFile(paths[name])
		if err != nil {
			t.Error(err)
			continue
		}
		o.addText("hook "+name, string(data))
	}
}

// hookWriting is a hook that appends what it sees to hooks/name: its cwd,
// whether it runs in the host's mount namespace, its environment, the
// state on its stdin.
func hookWriting(h *hostPaths, name string, env []string) specs.Hook {
	script := `{ echo "cwd $(pwd)"
if [ "$(readlink /proc/self/ns/mnt)" = "$1" ]; then echo "mntns host"; else echo "mntns other"; fi
if [ -e /probe ]; then echo "root: the container's"; else echo "root: the host's"; fi
env | grep -v -E '^(PWD|SHLVL|_|OLDPWD)=' | sort
cat; echo; } >> "$0"`
	hostMnt, _ := os.Readlink("/proc/self/ns/mnt")
	out := filepath.Join(h.hooksDir(), name)
	if name == "startContainer" {
		// It runs in the container, after pivot_root: it writes into the
		// container's root, which the host reads back (addHooks).
		out = "/.hook-" + name
	}
	return specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", script, out, hostMnt}, Env: env}
}

// runSpecCases runs every case with both runtimes and compares.
func runSpecCases(t *testing.T, cases []specCase) {
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("two cases named %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			es := engines(t)
			hull, runc := observeSpec(t, es[0], c), observeSpec(t, es[1], c)
			report(t, "spec/"+c.name, hull, runc)
		})
	}
}

// report fails the test for each difference not listed in
// differences.txt, and logs the listed ones.
func report(t *testing.T, name string, hull, runc *observation) {
	t.Helper()
	for _, d := range compare(hull, runc) {
		if l := findListed(name, d.section); l != nil {
			t.Logf("%s [%s]: listed (%s:%d: %s)\n%s", name, d.section, differencesFile, l.line, l.reason, d)
			continue
		}
		t.Errorf("%s [%s] differs from runc and is not listed in %s:\n%s", name, d.section, differencesFile, d)
	}
}

// jsonLines shows a JSON object as sorted "key: value" lines, so that the
// order of the keys does not count.
func jsonLines(text string) []string {
	var obj map[string]any
	if err := json.Unmarshal([]byte(text), &obj); err != nil {
		return []string{"(not a JSON object) " + text}
	}
	lines := make([]string, 0, len(obj))
	for k, v := range obj {
		value, _ := json.Marshal(v)
		lines = append(lines, k+": "+string(value))
	}
	sort.Strings(lines)
	return lines
}
