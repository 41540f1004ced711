package seccomp

import (
	"maps"
	"slices"

	libseccomp "github.com/seccomp/libseccomp-golang"
)

// The lists below are what `hull features` reports, read from the same
// tables Validate and the filter builder use.

// KnownActions lists the actions a profile may use, sorted.
func KnownActions() []string { return sortedNames(knownActions) }

// KnownOperators lists the argument operators a profile may use, sorted.
func KnownOperators() []string { return sortedNames(knownOperators) }

// KnownArchs lists the architectures a profile may name that the
// installed libseccomp can also build a filter for (the Go binding knows
// names its C library may not), sorted.
func KnownArchs() []string {
	filter, err := libseccomp.NewFilter(libseccomp.ActAllow)
	if err != nil {
		return nil
	}
	defer filter.Release()
	var archs []string
	for arch := range knownArchitectures {
		if _, err := addArch(filter, arch); err == nil {
			archs = append(archs, string(arch))
		}
	}
	slices.Sort(archs)
	return archs
}

// KnownFlags lists the filter flags a profile may name, sorted.
func KnownFlags() []string { return sortedNames(knownFlags) }

// SupportedFlags lists the known flags this kernel accepts (TSYNC, which
// hull needs no bit for, always), sorted.
func SupportedFlags() []string {
	var flags []string
	for name, bit := range knownFlags {
		if bit == 0 || flagSupported(bit) {
			flags = append(flags, string(name))
		}
	}
	slices.Sort(flags)
	return flags
}

// LibraryVersion is the version of the libseccomp hull is linked with.
func LibraryVersion() string { return libraryVersion() }

func sortedNames[K ~string, V any](m map[K]V) []string {
	names := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		names = append(names, string(k))
	}
	return names
}
