package libcontainer

import "errors"

// The errors callers test for, with errors.Is and errors.As:
//
//   - ErrNotExist: no container of that id under the root.
//   - ErrExist: Create of an id that is taken.
//   - ErrWrongState: the container's status does not allow the call (start
//     of a running one, resume of one not paused, a signal to a stopped
//     one); ErrNotRunning and ErrNotPaused say which, and match too.
//   - *specconv.ConfigError: the config is invalid; Field names the field.
//   - *ExecutorError: an operation inside the executor failed; Origin names
//     the config field it came from, and it unwraps to the errno.
//   - errors.ErrUnsupported: the host lacks what the config asks for (a
//     kernel feature, an LSM, a cgroup controller); the text names it.
//
// The texts stay runc's (engines match some of them), lowercase, one line.

// ErrWrongState is matched by every error about a container's status.
var ErrWrongState = errors.New("wrong state")

// wrongState marks err as a status error without changing its text.
type wrongState struct{ err error }

func (w wrongState) Error() string        { return w.err.Error() }
func (w wrongState) Unwrap() error        { return w.err }
func (w wrongState) Is(target error) bool { return target == ErrWrongState }
