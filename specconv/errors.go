package specconv

import "strings"

// ConfigError is an invalid config: Field is the path of the offending
// field as the error text starts with it (`mounts[3].destination`), Err the
// whole one-line error. Callers test for it with errors.As.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// configError wraps a validation error, whose text names its field first
// ("field: problem"), so that callers get the field without parsing text.
func configError(err error) error {
	field, _, ok := strings.Cut(err.Error(), ": ")
	if !ok || strings.ContainsAny(field, " \t") {
		field = ""
	}
	return &ConfigError{Field: field, Err: err}
}
