package integration

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A memory limit too small for the container's init gets it OOM-killed
// while it is set up; the error says so and names the field, instead of
// a bare "signal: killed" (issue 10).
func TestMemoryLimitTooSmallForTheInitSaysOOM(t *testing.T) {
	limit := int64(64 << 10)
	createFails(t, specWith(t, func(s *specs.Spec) {
		if s.Linux.Resources == nil {
			s.Linux.Resources = &specs.LinuxResources{}
		}
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
	}), nil, "linux.resources.memory.limit: container init was OOM-killed")
}
