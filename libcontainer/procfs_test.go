package libcontainer

import (
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and a ')' must not shift the fields.
	line := "1234 (a b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615\n"
	st, err := parseProcStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st.State != 'S' || st.StartTime != 987654 {
		t.Fatalf("got %+v, want state S start 987654", st)
	}
	if _, err := parseProcStat([]byte("1234 (x) S 1 2")); err == nil {
		t.Fatal("short stat line parsed")
	}
}

func TestReadProcStatOfMissingPid(t *testing.T) {
	if _, err := readProcStat(1 << 30); err != errNoProcess {
		t.Fatalf("got %v, want errNoProcess", err)
	}
	if processAlive(os.Getpid(), 0) {
		t.Fatal("own pid with a wrong start time reported alive")
	}
}

func TestFormatIDMap(t *testing.T) {
	got := string(formatIDMap([]specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}, {ContainerID: 65536, HostID: 1000, Size: 1}}))
	if want := "0 100000 65536\n65536 1000 1\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
