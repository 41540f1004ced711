// Command setargs patches a bundle's config.json to run the given command
// without a terminal, so that its output can be read from a pipe, and
// optionally with another hostname.
//
//	go run ./internal/testbundle/cmd/setargs [-hostname NAME] DIR ARG...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/testbundle"
)

func main() {
	hostname := flag.String("hostname", "", "the container's hostname (default: keep the config's)")
	flag.Parse()
	if flag.NArg() < 2 {
		fmt.Fprintln(os.Stderr, "usage: setargs [-hostname NAME] DIR ARG...")
		os.Exit(2)
	}
	if err := setArgs(flag.Arg(0), *hostname, flag.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "setargs:", err)
		os.Exit(1)
	}
}

func setArgs(bundle, hostname string, args []string) error {
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
	if hostname != "" {
		spec.Hostname = hostname
	}
	return testbundle.WriteConfig(bundle, &spec)
}
