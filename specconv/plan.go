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
	// Warnings name what the config asks for that is honoured but likely
	// a mistake (a relative mount destination); the caller logs them.
	Warnings []string
}

// Namespace returns the config entry for namespace type t and its index in
// linux.namespaces; ok is false when the container shares the runtime's.
func (p *Plan) Namespace(t specs.LinuxNamespaceType) (ns specs.LinuxNamespace, index int, ok bool) {
	return findNamespace(p.Spec, t)
}

// HasNamespace reports whether the container gets (or joins) a namespace
// of type t rather than sharing the runtime's.
func (p *Plan) HasNamespace(t specs.LinuxNamespaceType) bool {
	_, _, ok := p.Namespace(t)
	return ok
}

func findNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) (specs.LinuxNamespace, int, bool) {
	if spec.Linux == nil {
		return specs.LinuxNamespace{}, -1, false
	}
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			return ns, i, true
		}
	}
	return specs.LinuxNamespace{}, -1, false
}
