package main

import (
	"encoding/json"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/urfave/cli"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/rootfs"
	"github.com/hullrt/hull/seccomp"
	"github.com/hullrt/hull/specconv"
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

// Annotations of `hull features` (runc prints the same kinds under its
// own names).
const (
	annotationVersion           = "org.hullrt.hull.version"
	annotationCommit            = "org.hullrt.hull.commit"
	annotationLibseccompVersion = "io.github.seccomp.libseccomp.version"
	annotationCheckpoint        = "org.hullrt.hull.checkpoint.enabled"
)

// featuresJSON prints potentiallyUnsafeConfigAnnotations even when empty:
// an empty list says "no annotation changes what hull does", where a
// missing one would mean "unknown".
type featuresJSON struct {
	*features.Features
	PotentiallyUnsafeConfigAnnotations []string `json:"potentiallyUnsafeConfigAnnotations"`
}

// configAnnotations are the annotations (or prefixes, ending in ".")
// whose value changes what hull does with a container: list one here in
// the change that starts reading it.
var configAnnotations = []string{
	// A CRIU configuration file for checkpoint and restore (runc's).
	"org.criu.config",
	// Properties of the systemd unit under --systemd-cgroup (a prefix).
	cgroups.SystemdPropertyAnnotationPrefix,
}

// hullFeatures reports what hull really does, read from the tables that
// validation, the compiler and the cgroup manager use; fields left out
// mean "unknown" to the reader, never "supported".
func hullFeatures() featuresJSON {
	yes := true
	f := &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         specconv.HookNames(),
		MountOptions:  rootfs.OptionNames(),
		Annotations: map[string]string{
			annotationVersion:           version,
			annotationCommit:            commit,
			annotationLibseccompVersion: seccomp.LibraryVersion(),
			// As runc: hull can checkpoint and restore (with CRIU, which
			// checkpoint and restore look for when called, --criu).
			annotationCheckpoint: "true",
		},
		Linux: &features.Linux{
			Namespaces:   specconv.NamespaceTypes(),
			Capabilities: specconv.CapabilityNames(),
			Cgroup:       &features.Cgroup{V1: &yes, V2: &yes, Systemd: &yes, SystemdUser: &yes, Rdma: &yes},
			Seccomp: &features.Seccomp{
				Enabled:        &yes,
				Actions:        seccomp.KnownActions(),
				Operators:      seccomp.KnownOperators(),
				Archs:          seccomp.KnownArchs(),
				KnownFlags:     seccomp.KnownFlags(),
				SupportedFlags: seccomp.SupportedFlags(),
			},
			// Supported by this build (as runc reports them), not "on
			// this host": a label the host cannot apply is an error.
			Apparmor:        &features.Apparmor{Enabled: accepted(func(s *specs.Spec) { s.Process.ApparmorProfile = "p" })},
			Selinux:         &features.Selinux{Enabled: accepted(func(s *specs.Spec) { s.Process.SelinuxLabel = "system_u:system_r:container_t:s0" })},
			IntelRdt:        &features.IntelRdt{Enabled: &yes, Schemata: &yes, Monitoring: &yes},
			MemoryPolicy:    &features.MemoryPolicy{Modes: specconv.MemoryPolicyModes(), Flags: specconv.MemoryPolicyFlags()},
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: idmapSupported()}},
			NetDevices:      &features.NetDevices{Enabled: accepted(func(s *specs.Spec) { s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {}} })},
		},
	}
	return featuresJSON{Features: f, PotentiallyUnsafeConfigAnnotations: configAnnotations}
}

// accepted reports whether validation takes the example config with
// patch applied: a feature hull refuses is not reported as supported.
func accepted(patch func(*specs.Spec)) *bool {
	spec := specconv.Example(false)
	patch(spec)
	ok := specconv.Validate(spec) == nil
	return &ok
}

// idmapSupported: validation takes an id-mapped bind mount and the mount
// options parse the idmap word.
func idmapSupported() *bool {
	ok := *accepted(func(s *specs.Spec) {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
		s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
		m := []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "/data",
			Options: []string{"rbind", "idmap"}, UIDMappings: m, GIDMappings: m})
	})
	if _, err := rootfs.ParseOptions([]string{"idmap"}); err != nil {
		ok = false
	}
	return &ok
}
