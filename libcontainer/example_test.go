package libcontainer_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/generate"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/testbundle"
	"github.com/hullrt/hull/libcontainer"
	"github.com/hullrt/hull/specconv"
)

// exampleBundle writes a busybox bundle for spec in a new directory, as a
// caller would before using the library, and loads it: the plan is what
// Create takes. The examples remove the directory.
func exampleBundle(spec *specs.Spec) (string, *specconv.Plan, error) {
	bundle, err := os.MkdirTemp("", "hull-example-")
	if err != nil {
		return "", nil, err
	}
	if err := testbundle.MakeRootfs(filepath.Join(bundle, "rootfs")); err != nil {
		return bundle, nil, err
	}
	if err := testbundle.WriteConfig(bundle, spec); err != nil {
		return bundle, nil, err
	}
	plan, err := specconv.LoadBundle(bundle)
	return bundle, plan, err
}

// Run a bundle to completion, collecting its output and exit code: what
// `hull run` does in the foreground.
func ExampleCreate() {
	spec := specconv.Example(false) // runc's `spec` template
	spec.Process.Terminal = false
	spec.Process.Args = []string{"sh", "-c", "echo hello from $(hostname); exit 3"}
	spec.Hostname = "example"
	bundle, plan, err := exampleBundle(spec)
	defer os.RemoveAll(bundle)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The init is the executor's child: to Wait for it, become the
	// subreaper first.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Println(err)
		return
	}
	root := filepath.Join(bundle, "state")
	c, err := libcontainer.Create(root, "example-run", plan, libcontainer.CreateOptions{
		Stdout: os.Stdout, Stderr: os.Stderr,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Delete(true)
	if err := c.Start(); err != nil {
		fmt.Println(err)
		return
	}
	code, err := c.Wait()
	fmt.Println("exit code:", code, err)
	// Output:
	// hello from example
	// exit code: 3 <nil>
}

// Create a long-running container, run a second process in it, and delete
// it: what an engine does with `hull create`, `start`, `exec`, `delete`.
func ExampleContainer_Exec() {
	spec := specconv.Example(false)
	spec.Process.Terminal = false
	spec.Process.Args = []string{"sleep", "60"}
	bundle, plan, err := exampleBundle(spec)
	defer os.RemoveAll(bundle)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Println(err)
		return
	}
	root := filepath.Join(bundle, "state")
	c, err := libcontainer.Create(root, "example-exec", plan, libcontainer.CreateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Delete(true)
	if err := c.Start(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", c.Status())

	// Load finds the container again, as another process would.
	loaded, err := libcontainer.Load(root, "example-exec")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := loaded.Exec(&specs.Process{
		Args: []string{"sh", "-c", "echo exec sees pid 1 as $(cat /proc/1/comm)"},
		Cwd:  "/",
		Env:  []string{"PATH=/bin"},
	}, libcontainer.ExecOptions{Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		fmt.Println(err)
		return
	}
	code, err := p.Wait()
	fmt.Println("exec exit code:", code, err)

	if err := loaded.Signal(unix.SIGKILL, false); err != nil {
		fmt.Println(err)
		return
	}
	code, _ = c.Wait()
	fmt.Println("init exit code:", code)
	fmt.Println("delete:", loaded.Delete(false))
	_, err = libcontainer.Load(root, "example-exec")
	fmt.Println("load after delete is ErrNotExist:", errors.Is(err, libcontainer.ErrNotExist))
	// Output:
	// status: running
	// exec sees pid 1 as sleep
	// exec exit code: 0 <nil>
	// init exit code: 137
	// delete: <nil>
	// load after delete is ErrNotExist: true
}

// Build the config in Go with runtime-tools' generator instead of writing
// JSON by hand, then run it.
func Example_generatedSpec() {
	g, err := generate.New("linux")
	if err != nil {
		fmt.Println(err)
		return
	}
	g.SetRootPath("rootfs")
	g.SetProcessArgs([]string{"sh", "-c", "touch /probe 2>/dev/null || echo uid $(id -u), read-only root"})
	g.SetProcessTerminal(false)
	g.SetRootReadonly(true)
	bundle, plan, err := exampleBundle(g.Config)
	defer os.RemoveAll(bundle)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Println(err)
		return
	}
	c, err := libcontainer.Create(filepath.Join(bundle, "state"), "example-generated", plan,
		libcontainer.CreateOptions{Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Delete(true)
	if err := c.Start(); err != nil {
		fmt.Println(err)
		return
	}
	code, err := c.Wait()
	fmt.Println("exit code:", code, err)
	// Output:
	// uid 0, read-only root
	// exit code: 0 <nil>
}
