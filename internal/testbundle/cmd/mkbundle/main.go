// Command mkbundle makes a bundle directory holding a busybox root filesystem
// (DIR/rootfs) built from the host's static busybox. It writes no
// config.json: run `hull spec --bundle DIR` for that.
//
//	go run ./internal/testbundle/cmd/mkbundle DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hullrt/hull/internal/testbundle"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkbundle DIR")
		os.Exit(2)
	}
	if err := testbundle.MakeRootfs(filepath.Join(os.Args[1], "rootfs")); err != nil {
		fmt.Fprintln(os.Stderr, "mkbundle:", err)
		os.Exit(1)
	}
}
