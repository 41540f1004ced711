package hostfeature

import (
	"errors"
	"fmt"
	"testing"
)

func TestMissingMatchesErrUnsupportedAndKeepsItsText(t *testing.T) {
	err := fmt.Errorf("linux.intelRdt: %w", Missing("no resctrl filesystem is mounted"))
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatal("not errors.ErrUnsupported")
	}
	if err.Error() != "linux.intelRdt: no resctrl filesystem is mounted" {
		t.Fatalf("text changed: %q", err)
	}
}
