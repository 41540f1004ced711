package integration

import (
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/console"
)

// `spec` then `run` with nothing changed: the template's interactive `sh`
// on a terminal. The test is that terminal: it types two commands and reads
// what the shell printed.
func TestSpecTemplateRunsUnchangedOnATerminal(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, templateSpec(t, rt))

	master, slavePath, err := console.NewPty()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	slave, err := os.OpenFile(slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmd := rt.command("run", "--bundle", c.bundle, c.id)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()

	// The shell computes the marker, so the terminal's echo of the typed
	// line cannot be mistaken for it.
	if _, err := io.WriteString(master, "echo pid=$$ marker-$((6*7))\nexit 7\n"); err != nil {
		t.Fatal(err)
	}
	output := make(chan string, 1)
	go func() {
		data, _ := io.ReadAll(master) // ends with EIO once no one holds the slave
		output <- string(data)
	}()
	code := waitWithTimeout(t, cmd)
	master.Close()
	out := <-output
	if !strings.Contains(out, "pid=1 marker-42") {
		t.Errorf("the shell's output is missing `pid=1 marker-42`:\n%s", out)
	}
	if code != 7 {
		t.Errorf("run exited %d, want the shell's 7\n%s", code, out)
	}
}
