package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// killTicketFile says that `kill ID SIGNAL` of the container, while its
// init lives, is one signal to the init: Container.Signal's plain case.
// Every write of state.json (saveRecord) rewrites it or removes it, so it
// always names the init that state.json names; the hull CLI's C kill path
// (package faststart) signals that init without the Go runtime and leaves
// every other kill to Container.Signal. The format is the C side's
// contract: a first line killTicketMagic, a line "init PID STARTTIME"
// (the init's pid in the runtime's pid namespace and its start time,
// field 22 of /proc/PID/stat), then at most one freezer line as in the
// start ticket (see freezerLine): a paused container is left to Go.
const (
	killTicketFile  = "kill.ticket"
	killTicketMagic = "hull kill ticket 1"
)

// killTicket returns the kill ticket of the container rec describes, or
// "" when its kill needs Go: no init recorded yet, or a pid namespace
// shared with others, where SIGKILL goes to every process in the cgroup
// (Container.Signal) rather than to the init.
func killTicket(rec *record) string {
	if rec.InitPid <= 0 || rec.InitStartTime == 0 || !hasOwnPidNamespace(rec.Spec) {
		return ""
	}
	freezer, ok := freezerLine(rec.CgroupPaths)
	if !ok {
		return ""
	}
	return killTicketMagic + "\ninit " + strconv.Itoa(rec.InitPid) + " " +
		strconv.FormatUint(rec.InitStartTime, 10) + "\n" + freezer
}

// saveKillTicket brings the kill ticket in dir in line with rec, just
// written to state.json: written atomically, or removed when rec gets
// none, so that a ticket never outlives the init it names in state.json.
func saveKillTicket(dir string, rec *record) error {
	path := filepath.Join(dir, killTicketFile)
	ticket := killTicket(rec)
	if ticket == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale kill ticket: %w", err)
		}
		return nil
	}
	return writeFileAtomic(path, []byte(ticket), 0o600)
}
