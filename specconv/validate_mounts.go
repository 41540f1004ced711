package specconv

import (
	"fmt"
	"path/filepath"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func validateMounts(spec *specs.Spec) error {
	for i, m := range spec.Mounts {
		field := fmt.Sprintf("mounts[%d]", i)
		// A relative destination is relative to the container's root
		// (runtime-spec allows it; runc warns): normalise makes it
		// absolute and FromSpec warns.
		if m.Destination == "" {
			return fmt.Errorf("%s.destination: must be set", field)
		}
		if filepath.Clean("/"+m.Destination) == "/" {
			return fmt.Errorf("%s.destination: cannot mount over the root (set root.path instead)", field)
		}
		if m.Type == "" && !IsBind(m) {
			return fmt.Errorf("%s.type: must be set unless the mount is a bind mount", field)
		}
		if IsBind(m) && m.Source == "" {
			return fmt.Errorf("%s.source: must be set for a bind mount", field)
		}
		if err := validateIDMap(field, m); err != nil {
			return err
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

// validateIDMap checks an id-mapped mount (mappings on the mount, or the
// idmap/ridmap options): only a bind can be id-mapped, and the kernel
// needs both maps.
func validateIDMap(field string, m specs.Mount) error {
	hasOption := slices.Contains(m.Options, "idmap") || slices.Contains(m.Options, "ridmap")
	if len(m.UIDMappings) == 0 && len(m.GIDMappings) == 0 && !hasOption {
		return nil
	}
	if !IsBind(m) {
		return fmt.Errorf("%s: id-mapped mounts (uidMappings, gidMappings, idmap, ridmap) need a bind mount", field)
	}
	if (len(m.UIDMappings) == 0) != (len(m.GIDMappings) == 0) {
		return fmt.Errorf("%s.uidMappings: an id-mapped mount needs both uidMappings and gidMappings", field)
	}
	return nil
}
