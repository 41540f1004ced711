package libcontainer

import (
	"fmt"
	"os"

	"github.com/hullrt/hull/specconv"
)

// DescribeBundle loads a bundle, compiles it and returns the readable
// disassembly of its program: the operations `create` would send to the
// executor. A console follows process.terminal as in create, and a stand-in
// file takes the exec fifo's place when opts has none.
func DescribeBundle(bundle string, opts CompileOptions) (string, error) {
	plan, err := specconv.LoadBundle(bundle)
	if err != nil {
		return "", err
	}
	if plan.Spec.Process.Terminal {
		opts.Console = true
	}
	if opts.ExecFifo == nil {
		standIn, err := os.Open(os.DevNull)
		if err != nil {
			return "", fmt.Errorf("open exec fifo stand-in: %w", err)
		}
		defer standIn.Close()
		opts.ExecFifo = standIn
	}
	prog, err := Compile(plan, opts)
	if err != nil {
		return "", err
	}
	defer closeNamespaceFiles(prog.Files, opts.ExecFifo)
	return prog.String(), nil
}
