package specconv

import (
	"maps"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The lists below are what `hull features` reports, read from the tables
// validation uses, so that the two cannot disagree.

// Validate checks spec as FromSpec does, without looking at a bundle.
func Validate(spec *specs.Spec) error {
	if err := validate(spec); err != nil {
		return configError(err)
	}
	return nil
}

// NamespaceTypes lists the namespace types linux.namespaces may name.
func NamespaceTypes() []string { return sortedKeys(namespaceTypes) }

// MemoryPolicyModes lists the modes linux.memoryPolicy may use.
func MemoryPolicyModes() []string { return sortedKeys(memoryPolicyModes) }

// MemoryPolicyFlags lists the flags linux.memoryPolicy may use.
func MemoryPolicyFlags() []string { return sortedKeys(memoryPolicyFlags) }

// hookPhases are the phases of runtime-spec, in lifecycle order.
var hookPhases = []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}

// HookNames lists the hook phases validation accepts, in lifecycle order:
// each is tried on its own, so a phase validation refuses is left out.
func HookNames() []string {
	var names []string
	for _, phase := range hookPhases {
		if validateHooks(&specs.Spec{Hooks: oneHook(phase)}) == nil {
			names = append(names, phase)
		}
	}
	return names
}

// oneHook is a hooks object with one valid hook in phase.
func oneHook(phase string) *specs.Hooks {
	h := []specs.Hook{{Path: "/bin/true"}}
	hooks := &specs.Hooks{}
	switch phase {
	case "prestart":
		hooks.Prestart = h
	case "createRuntime":
		hooks.CreateRuntime = h
	case "createContainer":
		hooks.CreateContainer = h
	case "startContainer":
		hooks.StartContainer = h
	case "poststart":
		hooks.Poststart = h
	case "poststop":
		hooks.Poststop = h
	}
	return hooks
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	names := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		names = append(names, string(k))
	}
	return names
}
