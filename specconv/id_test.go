package specconv

import (
	"strings"
	"testing"
)

func TestValidateID(t *testing.T) {
	for _, tc := range []struct {
		id      string
		wantErr string // substring; "" means valid
	}{
		{"abc", ""},
		{"a_b-c.d+e", ""},
		{"0123456789ABCDEF", ""},
		{"..a", ""},
		{"", `invalid container id "": must not be empty`},
		{".", `invalid container id ".": must not be "."`},
		{"..", `invalid container id "..": must not be ".."`},
		{"a/b", `invalid container id "a/b": character '/' is not allowed`},
		{"a b", `character ' ' is not allowed`},
		{"é", `character 'é' is not allowed`},
		{"x\n", `character '\n' is not allowed`},
	} {
		err := ValidateID(tc.id)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ValidateID(%q) = %v, want nil", tc.id, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ValidateID(%q) = %v, want error containing %q", tc.id, err, tc.wantErr)
		}
	}
}
