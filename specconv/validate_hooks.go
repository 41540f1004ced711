package specconv

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func validateHooks(spec *specs.Spec) error {
	h := spec.Hooks
	if h == nil {
		return nil
	}
	phases := []struct {
		name  string
		hooks []specs.Hook
	}{
		//lint:ignore SA1019 deprecated by the spec, still run by runc
		{"prestart", h.Prestart},
		{"createRuntime", h.CreateRuntime},
		{"createContainer", h.CreateContainer},
		{"startContainer", h.StartContainer},
		{"poststart", h.Poststart},
		{"poststop", h.Poststop},
	}
	for _, phase := range phases {
		for i, hook := range phase.hooks {
			field := fmt.Sprintf("hooks.%s[%d]", phase.name, i)
			if err := checkAbs(field+".path", hook.Path); err != nil {
				return err
			}
			if hook.Timeout != nil && *hook.Timeout <= 0 {
				return fmt.Errorf("%s.timeout: %d is not positive", field, *hook.Timeout)
			}
		}
	}
	return nil
}
