package main

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Every signal hull forwards is caught in one of the two steps, once;
// only the ones it never forwards or cannot catch are left out.
func TestStopAndRestSignalsCoverEveryForwardedSignal(t *testing.T) {
	seen := map[syscall.Signal]int{}
	for _, s := range stopSignals {
		seen[s.(syscall.Signal)]++
	}
	for _, s := range restSignals() {
		seen[s.(syscall.Signal)]++
	}
	for n := syscall.Signal(1); n < numSignals; n++ {
		want := 1
		switch n {
		case unix.SIGCHLD, unix.SIGURG, unix.SIGKILL, unix.SIGSTOP:
			want = 0
		}
		if seen[n] != want {
			t.Errorf("signal %d (%s) caught %d times, want %d", n, unix.SignalName(n), seen[n], want)
		}
	}
}
