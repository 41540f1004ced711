package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// These tests run where CRIU works (`make test-checkpoint`, in the 6.1
// kernel's VM); elsewhere TestCheckpointWithoutWorkingCRIU checks the error.

func needCRIU(t *testing.T) {
	t.Helper()
	if !criuWorks() {
		t.Skip("criu check fails here (see TestCheckpointWithoutWorkingCRIU); `make test-checkpoint` runs this in a VM where it passes")
	}
}

func atoiOrZero(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// piped is a runtime command whose container keeps the command's stdio:
// pipes, which CRIU dumps and a restore replaces with its own (a file
// outside the container's mounts, like the host's /dev/null, it cannot
// dump, in runc as in hull).
type piped struct {
	stdin *os.File // the write end, kept open for the container
	mu    sync.Mutex
	lines []int
	eof   chan struct{}
}

// runPiped runs `hull args...` with fresh pipes as stdio; it returns once
// the command exits (a detached run or restore), with the container's
// output read in the background.
func runPiped(t *testing.T, rt *runtime, args ...string) *piped {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &piped{stdin: inW, eof: make(chan struct{})}
	t.Cleanup(func() { inW.Close() })
	go func() {
		defer close(p.eof)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, atoiOrZero(strings.TrimSpace(sc.Text())))
			p.mu.Unlock()
		}
		outR.Close()
	}()
	var stderr strings.Builder
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "level=") || strings.HasPrefix(sc.Text(), "time=") {
				break // hull's own message: the container does not write there
			}
		}
	}()
	cmd := rt.command(args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := waitWithTimeout(t, cmd)
	inR.Close()
	outW.Close()
	errW.Close()
	if code != 0 {
		select {
		case <-stderrDone:
		case <-time.After(5 * time.Second):
		}
		t.Fatalf("%v exited %d: %s", cmd.Args, code, stderr.String())
	}
	return p
}

// last is the last number the container printed (0 before any).
func (p *piped) last() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.lines) == 0 {
		return 0
	}
	return p.lines[len(p.lines)-1]
}

// first is the first number the container printed (0 before any).
func (p *piped) first() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.lines) == 0 {
		return 0
	}
	return p.lines[0]
}

// count is how many numbers the container printed.
func (p *piped) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.lines)
}

// waitPrinted waits until the container has printed more than n numbers.
func (p *piped) waitPrinted(t *testing.T, n int) {
	t.Helper()
	waitFor(t, "the counter to print "+strconv.Itoa(n+1)+" numbers", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.lines) > n
	})
}

// waitEOF waits until every writer of the container's stdout is gone.
func (p *piped) waitEOF(t *testing.T) {
	t.Helper()
	select {
	case <-p.eof:
	case <-time.After(commandTimeout):
		t.Fatal("the checkpointed container's stdout stayed open")
	}
}

// startCounter runs the counter detached and waits until it has counted.
func startCounter(t *testing.T, rt *runtime) (*container, *piped) {
	t.Helper()
	c := newContainer(t, rt, counterSpec(t, rt))
	p := runPiped(t, rt, "run", "-d", "--bundle", c.bundle, c.id)
	p.waitPrinted(t, 3)
	return c, p
}

// assertStopsCounting checks that the counter no longer runs: /count
// keeps its value.
func assertStopsCounting(t *testing.T, bundle string) int {
	t.Helper()
	n := readCount(t, bundle)
	time.Sleep(500 * time.Millisecond)
	if m := readCount(t, bundle); m != n {
		t.Fatalf("/count went on from %d to %d after the checkpoint", n, m)
	}
	return n
}

// The real effect: a counter is checkpointed (which stops and deletes
// it), and restored; it goes on from the number where it stopped, in its
// memory, printing on restore's stdio.
func TestCheckpointRestoreCounter(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	c, before := startCounter(t, rt)
	images := filepath.Join(t.TempDir(), "images")
	mustSucceed(t, rt.run("checkpoint", "--image-path", images, c.id))
	if res := rt.run("state", c.id); res.code == 0 {
		t.Errorf("the container is still there after checkpoint: %s", res.stdout)
	}
	before.waitEOF(t)
	stoppedAt := assertStopsCounting(t, c.bundle)
	last := before.last()
	if stoppedAt != last && stoppedAt != last+1 {
		t.Fatalf("/count is %d, stdout's last number %d", stoppedAt, last)
	}
	for _, f := range []string{"descriptors.json", "dump.log", "inventory.img"} {
		if !fileExists(filepath.Join(images, f)) {
			t.Errorf("%s missing from the image directory", f)
		}
	}

	after := runPiped(t, rt, "restore", "--detach", "--image-path", images, "--bundle", c.bundle, c.id)
	after.waitPrinted(t, 3)
	if got := after.first(); got != last+1 {
		t.Errorf("the restored counter printed %d first, want %d (it printed %d last before the checkpoint)", got, last+1, last)
	}
	if n := readCount(t, c.bundle); n <= stoppedAt {
		t.Errorf("/count is %d after the restore, was %d at the checkpoint", n, stoppedAt)
	}
	if st := c.state(); st.Status != specs.StateRunning || st.Pid <= 0 {
		t.Errorf("state after restore: %+v", st)
	}
	mustSucceed(t, c.delete("--force"))
}

// --leave-running: the container goes on counting after the dump; a
// restore of the image (once the original is gone) begins where the
// dump was taken, not at 1.
func TestCheckpointLeaveRunning(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	c, before := startCounter(t, rt)
	images := filepath.Join(t.TempDir(), "images")
	printed := before.last()
	mustSucceed(t, rt.run("checkpoint", "--leave-running", "--image-path", images, c.id))
	atDump := before.last()
	if st := c.state().Status; st != specs.StateRunning {
		t.Fatalf("status after checkpoint --leave-running = %s", st)
	}
	before.waitPrinted(t, before.count()+3)
	mustSucceed(t, c.delete("--force"))
	before.waitEOF(t)

	id := uniqueID(t)
	t.Cleanup(func() { rt.run("delete", "--force", id) })
	after := runPiped(t, rt, "restore", "-d", "--image-path", images, "--bundle", c.bundle, id)
	after.waitPrinted(t, 1)
	if got := after.first(); got <= printed || got > atDump+1 {
		t.Errorf("the restored counter printed %d first; the dump was taken between %d and %d", got, printed, atDump)
	}
	mustSucceed(t, rt.run("delete", "--force", id))
}

// --pre-dump copies the memory and leaves the container running; a dump
// with --parent-path then writes only what changed since, and the
// restore goes on counting. --work-path gets CRIU's logs.
func TestCheckpointPreDumpParentPath(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	c, before := startCounter(t, rt)
	images := t.TempDir()
	pre, final, work := filepath.Join(images, "pre"), filepath.Join(images, "final"), filepath.Join(images, "work")
	mustSucceed(t, rt.run("checkpoint", "--pre-dump", "--image-path", pre, c.id))
	if st := c.state().Status; st != specs.StateRunning {
		t.Fatalf("status after a pre-dump = %s", st)
	}
	before.waitPrinted(t, before.count()+2)
	mustSucceed(t, rt.run("checkpoint", "--image-path", final, "--parent-path", "../pre", "--work-path", work, c.id))
	before.waitEOF(t)
	last := before.last()
	if target, err := os.Readlink(filepath.Join(final, "parent")); err != nil || target != "../pre" {
		t.Errorf("the dump's parent link = %q, %v; want ../pre", target, err)
	}
	if !fileExists(filepath.Join(work, "dump.log")) || fileExists(filepath.Join(final, "dump.log")) {
		t.Errorf("dump.log should be in --work-path only")
	}
	after := runPiped(t, rt, "restore", "-d", "--image-path", final, "--bundle", c.bundle, c.id)
	after.waitPrinted(t, 1)
	if got := after.first(); got != last+1 {
		t.Errorf("restored from a pre-dump and a dump, the counter printed %d first, want %d", got, last+1)
	}
	mustSucceed(t, c.delete("--force"))
}

// restore --detach --pid-file: the pid file names the restored init, the
// one `state` reports, in the container's cgroup.
func TestRestoreDetachPidFile(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	c, before := startCounter(t, rt)
	images := filepath.Join(t.TempDir(), "images")
	mustSucceed(t, rt.run("checkpoint", "--image-path", images, c.id))
	before.waitEOF(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	runPiped(t, rt, "restore", "--detach", "--pid-file", pidFile, "--image-path", images, "--bundle", c.bundle, c.id)
	pid := atoiOrZero(readFileOrEmpty(pidFile))
	st := c.state()
	if pid <= 0 || pid != st.Pid {
		t.Fatalf("pid file says %d, state says %d", pid, st.Pid)
	}
	if !processAlive(pid) {
		t.Fatalf("the restored init %d is not running", pid)
	}
	cmdline := readFileOrEmpty(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if !strings.Contains(cmdline, "while") {
		t.Errorf("pid %d runs %q, not the counter", pid, cmdline)
	}
	mustSucceed(t, c.delete("--force"))
	if processAlive(pid) {
		t.Errorf("the restored init %d outlived delete", pid)
	}
}

// restore without --detach waits for the restored init and exits with
// its status: the counter is killed, restore reports 137 and deletes it.
func TestRestoreForegroundExitStatus(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	c, before := startCounter(t, rt)
	images := filepath.Join(t.TempDir(), "images")
	mustSucceed(t, rt.run("checkpoint", "--image-path", images, c.id))
	before.waitEOF(t)
	out, err := os.CreateTemp(t.TempDir(), "restore-err")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	defer inW.Close()
	defer outR.Close()
	cmd := rt.command("restore", "--image-path", images, "--bundle", c.bundle, c.id)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	done := startWaiting(cmd)
	waitFor(t, "the restored container to run", func() bool {
		res := rt.run("state", c.id)
		return res.code == 0 && strings.Contains(res.stdout, `"running"`)
	})
	mustSucceed(t, c.kill("KILL"))
	if code := awaitExit(t, cmd, done); code != 137 {
		t.Errorf("foreground restore exited %d, want 137 (the init's SIGKILL): %s", code, readFileOrEmpty(out.Name()))
	}
	if res := rt.run("state", c.id); res.code == 0 {
		t.Errorf("the container is left after a foreground restore ended: %s", res.stdout)
	}
}

// A bind mount from the host is an external mount for CRIU: keyed by its
// destination at the dump and bound from its source again at restore.
// Masked paths (/dev/null over a file) are restored the same way.
func TestCheckpointRestoreBindMount(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	host := t.TempDir()
	spec := testSpec(t, rt, sh("i=0; while :; do i=$((i+1)); echo $i > /data/count; echo $i; sleep 0.1; done")...)
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: host, Options: []string{"rbind", "rw"}})
	c := newContainer(t, rt, spec)
	before := runPiped(t, rt, "run", "-d", "--bundle", c.bundle, c.id)
	before.waitPrinted(t, 2)
	images := filepath.Join(t.TempDir(), "images")
	mustSucceed(t, rt.run("checkpoint", "--image-path", images, c.id))
	before.waitEOF(t)
	stopped := atoiOrZero(strings.TrimSpace(readFileOrEmpty(filepath.Join(host, "count"))))
	after := runPiped(t, rt, "restore", "-d", "--image-path", images, "--bundle", c.bundle, c.id)
	after.waitPrinted(t, 2)
	waitFor(t, "the restored counter to write through the bind mount", func() bool {
		return atoiOrZero(strings.TrimSpace(readFileOrEmpty(filepath.Join(host, "count")))) > stopped
	})
	res := c.exec(nil, "sh", "-c", "head -c 1 /proc/kcore | wc -c; grep -c ' /data ' /proc/self/mountinfo")
	if f := strings.Fields(res.stdout); res.code != 0 || len(f) != 2 || f[0] != "0" || f[1] != "1" {
		t.Errorf("after restore /proc/kcore should be masked and /data mounted once: %v", res)
	}
	mustSucceed(t, c.delete("--force"))
}

// A container with a terminal: CRIU restores a new pty (orphan pts
// master) and restore sends its master to --console-socket; the counter
// goes on through it.
func TestRestoreTerminalConsoleSocket(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	spec := counterSpec(t, rt)
	spec.Process.Terminal = true
	c := newContainer(t, rt, spec)
	before := &piped{eof: make(chan struct{})}
	master := consoleMaster(t, func(sock string) {
		mustSucceed(t, rt.run("run", "-d", "--console-socket", sock, "--bundle", c.bundle, c.id))
	})
	go before.read(master)
	before.waitPrinted(t, 3)
	images := filepath.Join(t.TempDir(), "images")
	mustSucceed(t, rt.run("checkpoint", "--image-path", images, c.id))
	before.waitEOF(t)
	last := before.last()
	after := &piped{eof: make(chan struct{})}
	master = consoleMaster(t, func(sock string) {
		mustSucceed(t, rt.run("restore", "-d", "--console-socket", sock, "--image-path", images, "--bundle", c.bundle, c.id))
	})
	go after.read(master)
	after.waitPrinted(t, 2)
	// What was in the old pty's buffer at the dump is gone with it.
	if got := after.first(); got <= last || got > last+2 {
		t.Errorf("through the new pty the restored counter printed %d first; it printed %d last before", got, last)
	}
	mustSucceed(t, c.delete("--force"))
}

// consoleMaster runs act with a console socket and returns the pty master
// received on it.
func consoleMaster(t *testing.T, act func(sock string)) *os.File {
	t.Helper()
	sock, got := fileSocket(t)
	act(sock)
	master := <-got
	if master == nil {
		t.Fatal("no pty master on the console socket")
	}
	t.Cleanup(func() { master.Close() })
	return master
}

// read collects the numbers printed on f until it ends (EIO for a pty).
func (p *piped) read(f *os.File) {
	defer close(p.eof)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, atoiOrZero(strings.TrimSpace(sc.Text())))
		p.mu.Unlock()
	}
}

// --page-server: the memory pages go to a `criu page-server` over TCP
// (on the loopback) instead of the image directory, as in a migration;
// with them copied beside the rest, the restore goes on counting.
func TestCheckpointPageServer(t *testing.T) {
	needCRIU(t)
	rt := newRuntime(t)
	c, before := startCounter(t, rt)
	images, pages := filepath.Join(t.TempDir(), "images"), t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	server := exec.Command("criu", "page-server", "--images-dir", pages, "--address", "127.0.0.1", "--port", port)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	serverDone := startWaiting(server)
	t.Cleanup(func() { server.Process.Kill() })
	waitFor(t, "the page server to listen", func() bool {
		return strings.Contains(readFileOrEmpty("/proc/net/tcp"), fmt.Sprintf(":%04X 00000000:0000 0A", atoiOrZero(port)))
	})
	mustSucceed(t, rt.run("checkpoint", "--page-server", "127.0.0.1:"+port, "--image-path", images, c.id))
	before.waitEOF(t)
	last := before.last()
	awaitExit(t, server, serverDone)
	moved, _ := filepath.Glob(filepath.Join(pages, "pages-*.img"))
	if len(moved) == 0 {
		t.Fatal("the page server received no pages")
	}
	if local, _ := filepath.Glob(filepath.Join(images, "pages-*.img")); len(local) != 0 {
		t.Errorf("pages written to the image directory too: %v", local)
	}
	// The page server wrote the page maps as well: bring everything back.
	moved, _ = filepath.Glob(filepath.Join(pages, "*.img"))
	for _, f := range moved {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(images, filepath.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	after := runPiped(t, rt, "restore", "-d", "--image-path", images, "--bundle", c.bundle, c.id)
	after.waitPrinted(t, 1)
	if got := after.first(); got != last+1 {
		t.Errorf("restored with pages from the page server, the counter printed %d first, want %d", got, last+1)
	}
	mustSucceed(t, c.delete("--force"))
}
