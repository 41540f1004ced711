package libcontainer

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]unix.Signal{
		"15": unix.SIGTERM, "9": unix.SIGKILL, "TERM": unix.SIGTERM, "SIGTERM": unix.SIGTERM,
		"kill": unix.SIGKILL, "SigHup": unix.SIGHUP, "USR1": unix.SIGUSR1, "SIGWINCH": unix.SIGWINCH,
		"RTMIN": 34, "SIGRTMIN+3": 37, "RTMAX": 64, "RTMAX-1": 63, "64": 64,
	} {
		got, err := ParseSignal(in)
		if err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "FOO", "SIGFOO", "-1", "65", "RTMIN-1", "RTMAX+1", "RTMIN+x"} {
		if _, err := ParseSignal(in); err == nil {
			t.Errorf("ParseSignal(%q) accepted", in)
		}
	}
}
