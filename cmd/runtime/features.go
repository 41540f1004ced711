package main

import (
	"encoding/json"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/urfave/cli"
)

var featuresCommand = cli.Command{
	Name:  "features",
	Usage: "print what hull supports, as runtime-spec features JSON (engines probe it)",
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0); err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "    ")
		return enc.Encode(hullFeatures())
	},
}

// hullFeatures lists only what hull really does; fields left out mean
// "unknown" to the reader, never "supported".
func hullFeatures() *features.Features {
	yes := true
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         []string{"prestart", "createRuntime", "createContainer", "poststart", "poststop"},
		Linux: &features.Linux{
			Namespaces: []string{"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"},
			Cgroup:     &features.Cgroup{V1: &yes, V2: &yes, Systemd: &yes, SystemdUser: &yes},
			Seccomp:    &features.Seccomp{Enabled: &yes},
			// Supported by this build (as runc reports them), not "on
			// this host": a label the host cannot apply is an error.
			Apparmor: &features.Apparmor{Enabled: &yes},
			Selinux:  &features.Selinux{Enabled: &yes},
		},
	}
}
