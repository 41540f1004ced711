package specconv

import "fmt"

// ValidateID applies runc's rule for container ids: letters, digits and
// "_+-." only, and never "." or "..", so an id is always one safe path
// component under the state directory.
func ValidateID(id string) error {
	switch id {
	case "":
		return fmt.Errorf("invalid container id %q: must not be empty", id)
	case ".", "..":
		return fmt.Errorf("invalid container id %q: must not be %q", id, id)
	}
	for _, c := range id {
		if !idChar(c) {
			return fmt.Errorf("invalid container id %q: character %q is not allowed (only letters, digits and _+-.)", id, c)
		}
	}
	return nil
}

// idChar matches runc's `[\w+-.]` (ASCII word characters plus "+-.").
func idChar(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '_' || c == '+' || c == '-' || c == '.'
}
