// Package hostfeature marks the errors that say the host lacks what a
// config asks for (a kernel feature, an LSM, a cgroup controller, resctrl),
// so that library callers can tell them apart with
// errors.Is(err, errors.ErrUnsupported) without the text changing.
package hostfeature

import "errors"

// Missing is an error with text msg that matches errors.ErrUnsupported.
func Missing(msg string) error { return missing(msg) }

type missing string

func (m missing) Error() string        { return string(m) }
func (m missing) Is(target error) bool { return target == errors.ErrUnsupported }
