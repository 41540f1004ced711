package specconv

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A relative mount destination is taken relative to the container's root,
// with a warning, as runc does.
func TestRelativeMountDestinationIsUnderTheRoot(t *testing.T) {
	bundle := newBundle(t)
	spec := Example(false)
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "data/./x", Type: "tmpfs", Source: "tmpfs"})
	plan, err := FromSpec(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Spec.Mounts[len(plan.Spec.Mounts)-1].Destination; got != "/data/x" {
		t.Errorf("destination %q, want /data/x", got)
	}
	if len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], `"data/./x" is not absolute`) {
		t.Errorf("warnings %q, want one about the relative destination", plan.Warnings)
	}
}
