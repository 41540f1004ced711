package main

import (
	"fmt"
	"runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"github.com/urfave/cli"
)

// printVersion prints what runc's --version prints, line for line.
func printVersion(ctx *cli.Context) {
	fmt.Printf("hull version %s\n", version)
	fmt.Printf("commit: %s\n", commit)
	fmt.Printf("spec: %s\n", specs.Version)
	fmt.Printf("go: %s\n", runtime.Version())
	major, minor, micro := libseccomp.GetLibraryVersion()
	fmt.Printf("libseccomp: %d.%d.%d\n", major, minor, micro)
}
