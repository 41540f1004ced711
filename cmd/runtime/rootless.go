package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/sys/userns"
	"github.com/sirupsen/logrus"
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
	// systemdOwner is the uid owning the user's systemd (systemdOwnerUID).
	systemdOwner func() (int, error)
}

func currentRootlessEnv() rootlessEnv {
	user, userSet := os.LookupEnv("USER")
	return rootlessEnv{
		euid:          os.Geteuid(),
		inUserNS:      userns.RunningInUserNS(),
		xdgRuntimeDir: os.Getenv("XDG_RUNTIME_DIR"),
		user:          user,
		userSet:       userSet,
		systemdOwner:  systemdOwnerUID,
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
// write the cgroups). With the systemd driver in a user namespace it is
// rootless when the systemd on the user bus belongs to someone other than
// root (systemdOwner); when that cannot be told, runc assumes a rootful
// systemd, and so does hull.
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
	if systemd {
		owner, err := e.systemdOwner()
		if err != nil {
			logrus.Debugf("systemd's owner unknown, assuming root: %v", err)
			return false, nil
		}
		return owner != 0, nil
	}
	return true, nil
}

// systemdOwnerUID asks the user's systemd bus who owns it, as runc does
// (`busctl --user status`, OwnerUID=).
func systemdOwnerUID() (int, error) {
	out, err := exec.Command("busctl", "--user", "--no-pager", "status").CombinedOutput()
	if err != nil {
		return -1, fmt.Errorf("run busctl --user status: %w: %s", err, bytes.TrimSpace(out))
	}
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "OwnerUID="); ok {
			return strconv.Atoi(v)
		}
	}
	return -1, errors.New("busctl --user status: no OwnerUID")
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
