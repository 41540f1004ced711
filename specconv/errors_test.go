package specconv

import (
	"errors"
	"fmt"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestInvalidConfigIsAConfigErrorNamingTheField(t *testing.T) {
	spec := Example(false)
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: "bogus"})
	_, err := FromSpec(spec, newBundle(t))
	var cfgErr *ConfigError
	if !errors.As(err, &cfgErr) {
		t.Fatalf("want a *ConfigError, got %T: %v", err, err)
	}
	want := fmt.Sprintf("linux.namespaces[%d].type", len(spec.Linux.Namespaces)-1)
	if cfgErr.Field != want {
		t.Fatalf("Field = %q, want %q (error: %v)", cfgErr.Field, want, err)
	}
}
