// Package specjson decodes and encodes runtime-spec configs with
// encoding/json itself, through mirror types (package specs below it) that
// keep encoding/json from building its caches for the whole runtime-spec
// type tree.
//
// Why: since Go 1.26, encoding/json's decoder builds the encoder of every
// field type of each struct it decodes into (typeFields), so decoding a
// config.json into specs.Spec builds encoders, and through them the field
// tables, of every type below Spec: Windows, Solaris, VM, z/OS and all of
// Linux, whether the config has them or not (~235 KiB of reflection
// caches, ~74 page faults of a `hull run`). The mirror types have the same
// names, fields, tags and memory layout as runtime-spec's, and each has a
// MarshalJSON method, which encoding/json takes as the encoder of the type
// without looking inside it; so both directions only build the tables of
// the types a config actually has. Decoding is encoding/json's own code on
// identical fields: the same case-insensitive keys, null, unknown fields,
// number rules and error messages (the mirror package is called specs, so
// types print as specs.Process). Encoding goes through each MarshalJSON,
// which encodes the fields with encoding/json; encoding/json compacts a
// Marshaler's output, which leaves compact output unchanged. Both are
// checked against encoding/json on runtime-spec's own types by
// FuzzSpecJSON, and the layouts field by field by TestShadowLayout.
package specjson

import (
	"encoding/json"
	"unsafe"

	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/specjson/specs"
)

// Unmarshal is json.Unmarshal(data, spec), with the same result and error.
func Unmarshal(data []byte, spec *rspec.Spec) error {
	return json.Unmarshal(data, shadow(spec))
}

// UnmarshalPtr is json.Unmarshal(data, spec) into a pointer, which JSON
// null leaves nil.
func UnmarshalPtr(data []byte, spec **rspec.Spec) error {
	return json.Unmarshal(data, (**specs.Spec)(unsafe.Pointer(spec)))
}

// Marshal is json.Marshal(spec), byte for byte.
func Marshal(spec *rspec.Spec) ([]byte, error) {
	if spec == nil {
		return []byte("null"), nil
	}
	// By value: not addressable, so encoding/json encodes the fields
	// rather than call (*specs.Spec).MarshalJSON.
	return json.Marshal(*shadow(spec))
}

// UnmarshalProcess is json.Unmarshal(data, p).
func UnmarshalProcess(data []byte, p *rspec.Process) error {
	return json.Unmarshal(data, (*specs.Process)(unsafe.Pointer(p)))
}

// UnmarshalSummary decodes only the parts of a config that the commands
// on an existing container need (version, hooks, process, annotations,
// linux.namespaces and linux.intelRdt); it returns nil for JSON null.
func UnmarshalSummary(data []byte) (*rspec.Spec, error) {
	var s *struct {
		Version     string            `json:"ociVersion"`
		Hooks       *specs.Hooks      `json:"hooks,omitempty"`
		Process     *specs.Process    `json:"process,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
		Linux       *struct {
			Namespaces []specs.LinuxNamespace `json:"namespaces,omitempty"`
			IntelRdt   *specs.LinuxIntelRdt   `json:"intelRdt,omitempty"`
		} `json:"linux,omitempty"`
	}
	if err := json.Unmarshal(data, &s); err != nil || s == nil {
		return nil, err
	}
	spec := &rspec.Spec{
		Version:     s.Version,
		Hooks:       (*rspec.Hooks)(unsafe.Pointer(s.Hooks)),
		Process:     (*rspec.Process)(unsafe.Pointer(s.Process)),
		Annotations: s.Annotations,
	}
	if s.Linux != nil {
		spec.Linux = &rspec.Linux{
			Namespaces: *(*[]rspec.LinuxNamespace)(unsafe.Pointer(&s.Linux.Namespaces)),
			IntelRdt:   (*rspec.LinuxIntelRdt)(unsafe.Pointer(s.Linux.IntelRdt)),
		}
	}
	return spec, nil
}

// shadow views spec as its mirror type: the same memory layout
// (TestShadowLayout), so the conversion is unsafe.Pointer's rule (1).
func shadow(spec *rspec.Spec) *specs.Spec {
	return (*specs.Spec)(unsafe.Pointer(spec))
}
