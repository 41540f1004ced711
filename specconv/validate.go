package specconv

import (
	"fmt"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// validate checks every field the runtime acts on and returns the first
// problem as a one-line error naming the field.
func validate(spec *specs.Spec) error {
	checks := []func(*specs.Spec) error{
		validateVersion,
		validateRoot,
		validateInitProcess,
		validateMounts,
		validateHooks,
		validateNamespaces,
		validateIDMappings,
		validateLinux,
		validateSysctls,
		validateUTS,
	}
	for _, check := range checks {
		if err := check(spec); err != nil {
			return err
		}
	}
	return nil
}

// validateInitProcess: config.md makes process optional at create
// ("REQUIRED when start is called"); start refuses a config without it.
func validateInitProcess(spec *specs.Spec) error {
	if spec.Process == nil {
		return nil
	}
	return ValidateProcess(spec.Process)
}

func validateVersion(spec *specs.Spec) error {
	if spec.Version == "" {
		return fmt.Errorf("ociVersion: must be set")
	}
	if !strings.HasPrefix(spec.Version, "1.") {
		return fmt.Errorf("ociVersion: unsupported version %q (want 1.x)", spec.Version)
	}
	return nil
}

func validateRoot(spec *specs.Spec) error {
	if spec.Root == nil {
		return fmt.Errorf("root: must be set")
	}
	if spec.Root.Path == "" {
		return fmt.Errorf("root.path: must be set")
	}
	return nil
}

// checkAbs is the common "field: path must be absolute" check.
func checkAbs(field, path string) error {
	if path == "" {
		return fmt.Errorf("%s: must be set", field)
	}
	if !filepath.IsAbs(path) {
		return fmt.Errorf("%s: %q is not absolute", field, path)
	}
	return nil
}
