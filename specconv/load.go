package specconv

import (
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/specjson"
)

// LoadBundle reads bundle/config.json and turns it into a validated Plan.
func LoadBundle(bundle string) (*Plan, error) {
	abs, err := filepath.Abs(bundle)
	if err != nil {
		return nil, fmt.Errorf("resolve bundle path: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(abs, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("read config.json: %w", err)
	}
	var spec specs.Spec
	if err := specjson.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("parse config.json: %w", err)
	}
	return FromSpec(&spec, abs)
}

// FromSpec validates spec (as read from bundle) and returns it normalised:
// absolute bundle and rootfs, cleaned in-root paths, relative bind sources
// resolved against the bundle as runc does, and the default device cgroup
// rules after the config's own. The caller's spec is not changed.
func FromSpec(spec *specs.Spec, bundle string) (*Plan, error) {
	if spec == nil {
		return nil, fmt.Errorf("config: missing")
	}
	abs, err := filepath.Abs(bundle)
	if err != nil {
		return nil, fmt.Errorf("resolve bundle path: %w", err)
	}
	if err := validate(spec); err != nil {
		return nil, configError(err)
	}
	norm := normalise(spec, abs)
	rootfs := norm.Root.Path
	st, err := os.Stat(rootfs)
	if err != nil {
		return nil, fmt.Errorf("root.path: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("root.path: %s is not a directory", rootfs)
	}
	return &Plan{Spec: norm, Bundle: abs, Rootfs: rootfs, Warnings: warnings(spec)}, nil
}

// warnings are what the config asks for that hull honours but that is
// likely a mistake, for the caller to log.
func warnings(spec *specs.Spec) []string {
	var list []string
	for i, m := range spec.Mounts {
		if !filepath.IsAbs(m.Destination) {
			list = append(list, fmt.Sprintf("mounts[%d].destination: %q is not absolute: treated as relative to the container's root, as runc does", i, m.Destination))
		}
	}
	return list
}

// normalise returns a copy of spec whose paths are absolute and clean. Only
// the parts it rewrites are copied; the rest is shared with the input.
func normalise(spec *specs.Spec, bundle string) *specs.Spec {
	out := *spec
	root := *spec.Root
	if !filepath.IsAbs(root.Path) {
		root.Path = filepath.Join(bundle, root.Path)
	}
	root.Path = filepath.Clean(root.Path)
	out.Root = &root

	out.Mounts = make([]specs.Mount, len(spec.Mounts))
	for i, m := range spec.Mounts {
		m.Destination = filepath.Clean("/" + m.Destination)
		if IsBind(m) && m.Source != "" {
			// runc runs from the bundle directory, so a relative bind
			// source names a file in the bundle.
			if !filepath.IsAbs(m.Source) {
				m.Source = filepath.Join(bundle, m.Source)
			}
			m.Source = filepath.Clean(m.Source)
		}
		out.Mounts[i] = m
	}

	if spec.Process != nil {
		proc := *spec.Process
		proc.Cwd = filepath.Clean(proc.Cwd)
		out.Process = &proc
	}
	if spec.Linux != nil {
		linux := *spec.Linux
		linux.MaskedPaths = cleanPaths(linux.MaskedPaths)
		linux.ReadonlyPaths = cleanPaths(linux.ReadonlyPaths)
		linux.Devices = append([]specs.LinuxDevice(nil), linux.Devices...)
		for i := range linux.Devices {
			linux.Devices[i].Path = filepath.Clean(linux.Devices[i].Path)
		}
		linux.Resources = withDefaultDeviceRules(linux.Resources, linux.Devices)
		out.Linux = &linux
	}
	return &out
}

func cleanPaths(paths []string) []string {
	if paths == nil {
		return nil
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Clean(p)
	}
	return out
}

// IsBind reports whether a config mount is a bind mount: type "bind" or a
// bind/rbind option (runc ignores the type when the option is present).
func IsBind(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}
