package nsenter

import (
	"testing"

	"golang.org/x/sys/unix"
)

// ExitStatus reads wait4's status as os.ProcessState did for the callers
// (create's "executor exit status 1" or "signal: killed").
func TestExitStatusReadsAsProcessState(t *testing.T) {
	for _, tc := range []struct {
		ws      unix.WaitStatus
		success bool
		code    int
		text    string
	}{
		{0, true, 0, "exit status 0"},
		{1 << 8, false, 1, "exit status 1"},
		{unix.WaitStatus(unix.SIGKILL), false, -1, "signal: killed"},
	} {
		st := ExitStatus{tc.ws}
		if st.Success() != tc.success || st.ExitCode() != tc.code || st.String() != tc.text {
			t.Errorf("status %#x: Success %v, ExitCode %d, String %q; want %v, %d, %q",
				uint32(tc.ws), st.Success(), st.ExitCode(), st.String(), tc.success, tc.code, tc.text)
		}
	}
}
