// Command hullrun runs one command in a fresh busybox container and exits
// with the command's exit code: the smallest complete user of hull's
// library (build the bundle, create, start, wait, delete).
//
//	go build ./examples/hullrun && sudo ./hullrun echo hello
//
// It needs root and Debian's busybox-static (the container's root
// filesystem is made from the host's static busybox). It does not opt in
// to the pre-forked executor (package nsenter/prefork): libcontainer
// starts one on demand, re-executing this binary.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/opencontainers/runtime-tools/generate"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/testbundle"
	"github.com/hullrt/hull/libcontainer"
	"github.com/hullrt/hull/specconv"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hullrun COMMAND [ARG...]")
		os.Exit(2)
	}
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "hullrun:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// run runs args in a new container and returns its exit code.
func run(args []string) (int, error) {
	work, err := os.MkdirTemp("", "hullrun-")
	if err != nil {
		return -1, fmt.Errorf("make work directory: %w", err)
	}
	defer os.RemoveAll(work)
	bundle := filepath.Join(work, "bundle")
	if err := makeBundle(bundle, args); err != nil {
		return -1, err
	}
	plan, err := specconv.LoadBundle(bundle)
	if err != nil {
		return -1, fmt.Errorf("load bundle: %w", err)
	}
	// The init is a grandchild (the executor forks it): to wait for it we
	// must be its subreaper.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return -1, fmt.Errorf("become subreaper: %w", err)
	}
	id := "hullrun-" + strconv.Itoa(os.Getpid())
	c, err := libcontainer.Create(filepath.Join(work, "state"), id, plan, libcontainer.CreateOptions{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	})
	if err != nil {
		return -1, fmt.Errorf("create container: %w", err)
	}
	defer c.Delete(true)
	if err := c.Start(); err != nil {
		return -1, fmt.Errorf("start container: %w", err)
	}
	return c.Wait()
}

// makeBundle writes a busybox root filesystem and a config.json built with
// runtime-tools' generator: the default Linux config, our command, no
// terminal.
func makeBundle(bundle string, args []string) error {
	rootfs := filepath.Join(bundle, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return fmt.Errorf("make rootfs: %w", err)
	}
	if err := testbundle.MakeRootfs(rootfs); err != nil {
		return fmt.Errorf("fill rootfs: %w", err)
	}
	g, err := generate.New("linux")
	if err != nil {
		return fmt.Errorf("generate config: %w", err)
	}
	g.SetRootPath("rootfs")
	g.SetProcessArgs(args)
	g.SetProcessTerminal(false)
	g.SetHostname("hullrun")
	if err := testbundle.WriteConfig(bundle, g.Config); err != nil {
		return fmt.Errorf("write config.json: %w", err)
	}
	return nil
}
