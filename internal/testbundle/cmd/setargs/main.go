// Command setargs patches a bundle's config.json to run the given command
// without a terminal, so that its output can be read from a pipe.
//
//	go run ./internal/testbundle/cmd/setargs DIR ARG...
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/testbundle"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: setargs DIR ARG...")
		os.Exit(2)
	}
	if err := setArgs(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "setargs:", err)
		os.Exit(1)
	}
}

func setArgs(bundle string, args []string) error {
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return err
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("config.json: %w", err)
	}
	if spec.Process == nil {
		return fmt.Errorf("config.json: no process")
	}
	spec.Process.Args = args
	spec.Process.Terminal = false
	return testbundle.WriteConfig(bundle, &spec)
}
