package specconv

import (
	"fmt"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func validateMounts(spec *specs.Spec) error {
	for i, m := range spec.Mounts {
		field := fmt.Sprintf("mounts[%d]", i)
		if err := checkAbs(field+".destination", m.Destination); err != nil {
			return err
		}
		if filepath.Clean(m.Destination) == "/" {
			return fmt.Errorf("%s.destination: cannot mount over the root (set root.path instead)", field)
		}
		if m.Type == "" && !IsBind(m) {
			return fmt.Errorf("%s.type: must be set unless the mount is a bind mount", field)
		}
		if IsBind(m) && m.Source == "" {
			return fmt.Errorf("%s.source: must be set for a bind mount", field)
		}
		if len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0 {
			return fmt.Errorf("%s.uidMappings: id-mapped mounts are not supported by hull yet", field)
		}
		if err := validatePropagationOptions(field, m.Options); err != nil {
			return err
		}
	}
	return nil
}

// validatePropagationOptions refuses two different propagation words on
// one mount: the executor applies one propagation per mount, and a config
// asking for "shared" and "private" at once is a mistake.
func validatePropagationOptions(field string, options []string) error {
	first := ""
	for _, o := range options {
		if _, ok := PropagationFlag(o); !ok {
			continue
		}
		if first != "" && first != o {
			return fmt.Errorf("%s.options: conflicting propagation options %q and %q", field, first, o)
		}
		first = o
	}
	return nil
}
