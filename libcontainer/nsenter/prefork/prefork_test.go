package prefork_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/libcontainer/nsenter/internal/exetest"
	_ "github.com/hullrt/hull/libcontainer/nsenter/prefork"
	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

const reportEnv = "_HULL_TEST_PREFORK_REPORT"

// TestMain lets the tests run this binary, which opted in, as if it were
// `hull ARGS`: the constructors see ARGS, and reportPreforked says what
// they did.
func TestMain(m *testing.M) {
	if os.Getenv(reportEnv) == "1" {
		reportPreforked()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func reportPreforked() {
	e, err := nsenter.TakePreforked()
	if errors.Is(err, nsenter.ErrNoPreforked) {
		fmt.Println("none")
		return
	}
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer func() {
		e.Sock.Close()
		e.Wait()
	}()
	// The fork returns before the child re-executes itself; a hook
	// handshake proves the executor runs and keeps it waiting for us.
	hold := &program.Program{}
	hold.Add("hold", program.OpHooks, []uint64{program.HooksCreateRuntime})
	if err := e.SendProgram(hold); err != nil {
		fmt.Println("error:", err)
		return
	}
	if m, err := e.ReadMessage(); err != nil || m.Type != program.MsgHooks {
		fmt.Println("error: no hook handshake:", err)
		return
	}
	fmt.Println("executor", e.Pid)
	if _, err := nsenter.TakePreforked(); errors.Is(err, nsenter.ErrNoPreforked) {
		fmt.Println("taken once")
	}
	// Keep the executor waiting for its program until the test is done
	// looking at it (stdin closes).
	io.Copy(io.Discard, os.Stdin)
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

func runAs(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), reportEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestOptedInProgramForksForContainerCommands(t *testing.T) {
	requireRoot(t)
	for _, args := range [][]string{
		{"create", "--bundle", "b", "id"},
		{"--root", "/run/x", "--log", "l", "--log-format", "json", "run", "id"},
		{"--log-format=json", "--debug", "exec", "id", "sh"},
		{"--rootless", "false", "--", "create", "id"},
	} {
		out := runAs(t, args...)
		if !strings.HasPrefix(out, "executor ") || !strings.Contains(out, "taken once") {
			t.Errorf("%q: want one pre-forked executor, got %q", args, out)
		}
	}
}

func TestOptedInProgramLeavesOtherCommandsAlone(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"state", "create"},
		{"--root", "create", "list"},
		{"--log", "run", "delete", "run"},
		{"-test.run=create"},
	} {
		if out := runAs(t, args...); out != "none\n" {
			t.Errorf("%q: want no executor, got %q", args, out)
		}
	}
}

func TestPreforkedExecutorBinaryIsReadOnly(t *testing.T) {
	requireRoot(t)
	cmd := exec.Command(os.Args[0], "create", "id")
	cmd.Env = append(os.Environ(), reportEnv+"=1")
	pid := startPreforkReporter(t, cmd)
	// The executor lives until we close the report process's stdin.
	exetest.CheckReadOnly(t, "/proc/"+strconv.Itoa(pid)+"/exe")
}

// Without the privilege to clone mounts, the constructor falls back to a
// sealed memfd copy of the binary: still nothing a container can write.
func TestUnprivilegedExecutorRunsFromSealedCopy(t *testing.T) {
	requireRoot(t)
	cmd := exec.Command(exetest.CopyTestBinary(t), "create", "id")
	cmd.Env = []string{reportEnv + "=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	pid := startPreforkReporter(t, cmd)
	exe := "/proc/" + strconv.Itoa(pid) + "/exe"
	target, err := os.Readlink(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(target, "/memfd:hull-executor") {
		t.Fatalf("unprivileged executor runs from %q, want the sealed memfd", target)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE; seals&want != want {
		t.Fatalf("memfd seals %#x, want %#x", seals, want)
	}
	if w, err := os.OpenFile(exe, os.O_WRONLY, 0); err == nil {
		w.Close()
		t.Fatal("sealed executor binary opened for writing")
	}
}

// startPreforkReporter starts cmd, this test binary run as `create` with
// reportEnv set, and returns the pid of the executor its constructor
// forked; the executor lives until the test ends.
func startPreforkReporter(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	var pid int
	if _, err := fmt.Fscanf(stdout, "executor %d\n", &pid); err != nil {
		t.Fatalf("read executor pid: %v", err)
	}
	return pid
}
