package nsenter

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/hullrt/hull/libcontainer/program"
)

const preforkReportEnv = "_HULL_TEST_PREFORK_REPORT"

// TestMain lets the tests run this binary as if it were `hull ARGS`: the
// constructor sees ARGS, and reportPreforked says what it did.
func TestMain(m *testing.M) {
	if os.Getenv(preforkReportEnv) == "1" {
		reportPreforked()
		os.Exit(0)
	}
	if os.Getenv(rootlessRunEnv) == "1" {
		if err := runRootlessContainer(); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func reportPreforked() {
	e, err := TakePreforked()
	if errors.Is(err, ErrNoPreforked) {
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
	if _, err := TakePreforked(); errors.Is(err, ErrNoPreforked) {
		fmt.Println("taken once")
	}
	// Keep the executor waiting for its program until the test is done
	// looking at it (stdin closes).
	io.Copy(io.Discard, os.Stdin)
}

func runAs(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), preforkReportEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestConstructorForksForContainerCommands(t *testing.T) {
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

func TestConstructorLeavesOtherCommandsAlone(t *testing.T) {
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
	cmd.Env = append(os.Environ(), preforkReportEnv+"=1")
	pid := startPreforkReporter(t, cmd)
	// The executor lives until we close the report process's stdin.
	checkReadOnlyExe(t, "/proc/"+strconv.Itoa(pid)+"/exe")
}

// fmtFscanExecutor reads the "executor PID" line of reportPreforked.
// startPreforkReporter starts cmd, this test binary run as `create` with
// preforkReportEnv set, and returns the pid of the executor its
// constructor forked; the executor lives until the test ends.
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
	if _, err := fmtFscanExecutor(stdout, &pid); err != nil {
		t.Fatalf("read executor pid: %v", err)
	}
	return pid
}

func fmtFscanExecutor(r io.Reader, pid *int) (int, error) {
	return fmt.Fscanf(r, "executor %d\n", pid)
}
