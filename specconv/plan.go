// Package specconv owns the translation of an OCI bundle's config.json into
// one validated, normalised plan: every field checked (errors name the
// field), defaults applied, paths made absolute. It also owns the `spec`
// template. Everything downstream trusts a Plan and never re-reads JSON.
package specconv

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Plan is a validated, normalised container configuration.
type Plan struct {
	// Spec is the config with defaults applied; never persisted in another schema.
	Spec *specs.Spec
	// Bundle is the absolute path of the bundle directory.
	Bundle string
	// Rootfs is the absolute, cleaned host path of the root filesystem.
	Rootfs string
}
