package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/sys/userns"
	"github.com/urfave/cli"
)

// rootlessEnv is what runc's rootless decisions depend on: the effective
// uid, whether the runtime runs in a user namespace other than the initial
// one (as under rootless podman, which runs the runtime as uid 0 in the
// namespace it made), $XDG_RUNTIME_DIR and $USER.
type rootlessEnv struct {
	euid          int
	inUserNS      bool
	xdgRuntimeDir string
	user          string
	userSet       bool
}

func currentRootlessEnv() rootlessEnv {
	user, userSet := os.LookupEnv("USER")
	return rootlessEnv{
		euid:          os.Geteuid(),
		inUserNS:      userns.RunningInUserNS(),
		xdgRuntimeDir: os.Getenv("XDG_RUNTIME_DIR"),
		user:          user,
		userSet:       userSet,
	}
}

// honorXDGRuntimeDir says whether the state goes under $XDG_RUNTIME_DIR,
// as runc decides: for an unprivileged user, and for uid 0 in a user
// namespace unless $USER says root; never for the real root, whose
// $XDG_RUNTIME_DIR (/run/user/0) runc ignores for compatibility.
func (e rootlessEnv) honorXDGRuntimeDir() bool {
	if e.xdgRuntimeDir == "" {
		return false
	}
	if e.euid != 0 {
		return true
	}
	if !e.inUserNS {
		return false
	}
	return !e.userSet || e.user != "root"
}

// stateRoot is the default of --root: $XDG_RUNTIME_DIR/hull where
// honorXDGRuntimeDir allows (xdg is then true), else /run/hull.
func (e rootlessEnv) stateRoot() (root string, xdg bool) {
	if e.honorXDGRuntimeDir() {
		return filepath.Join(e.xdgRuntimeDir, "hull"), true
	}
	return "/run/hull", false
}

// rootlessCgroups interprets --rootless as runc does: true and false are
// taken as given; auto means rootless for an unprivileged user, and for
// uid 0 in a user namespace (where the runtime cannot know whether it may
// write the cgroups). With the systemd driver in a user namespace runc
// asks the user's systemd for its owner and, failing that, assumes a
// rootful systemd; hull has no systemd driver yet and assumes the same.
func (e rootlessEnv) rootlessCgroups(flag string, systemd bool) (bool, error) {
	switch flag {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "auto", "":
	default:
		return false, fmt.Errorf("--rootless: invalid value %q (want true, false or auto)", flag)
	}
	if e.euid != 0 {
		return true, nil
	}
	if !e.inUserNS {
		return false, nil
	}
	return !systemd, nil
}

// defaultRoot is the default of --root (see stateRoot).
func defaultRoot() string {
	root, _ := currentRootlessEnv().stateRoot()
	return root
}

// rootless interprets --rootless for create, run and exec.
func rootless(ctx *cli.Context) (bool, error) {
	return currentRootlessEnv().rootlessCgroups(ctx.GlobalString("rootless"), ctx.GlobalBool("systemd-cgroup"))
}

// prepareXDGStateRoot creates the default state root under
// $XDG_RUNTIME_DIR, mode 0700 with the sticky bit (which keeps it from
// being pruned, as the XDG specification says), as runc does; a root given
// with --root is left as it is.
func prepareXDGStateRoot(ctx *cli.Context) error {
	if ctx.GlobalIsSet("root") {
		return nil
	}
	root, xdg := currentRootlessEnv().stateRoot()
	if !xdg {
		return nil
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("create state root in $XDG_RUNTIME_DIR (it must be writable by the user): %w", err)
	}
	if err := os.Chmod(root, 0o700|os.ModeSticky); err != nil {
		return fmt.Errorf("set the mode of the state root in $XDG_RUNTIME_DIR: %w", err)
	}
	return nil
}
