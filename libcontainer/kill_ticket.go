package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hullrt/hull/cgroups"
)

// killTicketFile says that `kill ID SIGNAL` of the container, while its
// init lives, is one signal to the init: Container.Signal's plain case;
// and, when it has a delete section, that `delete ID` once the init is
// gone is rmdirs and unlinks, and `delete --force ID` of a live, thawed
// init the same after SIGKILL to the init and a wait for its exit:
// Container.Delete's plain cases. Every write
// of state.json (saveRecord) rewrites it or removes it, so it always
// names the init and cgroups that state.json names; the hull CLI's C kill
// and delete paths (package faststart) do those commands without the Go
// runtime and leave every other one to Go. The format is the C side's
// contract: a first line killTicketMagic, a line "init PID STARTTIME"
// (the init's pid in the runtime's pid namespace and its start time,
// field 22 of /proc/PID/stat), at most one freezer line as in the start
// ticket (see freezerLine: a paused container's kill is left to Go), then
// at most one delete section (see deleteSection).
const (
	killTicketFile  = "kill.ticket"
	killTicketMagic = "hull kill ticket 2"
	// maxTicket keeps a ticket within the C side's buffer (8 KiB, one
	// read): a delete section that would not fit is left out.
	maxTicket = 8000
)

// killTicket returns the kill ticket of the container rec describes, or
// "" when its kill needs Go: no init recorded yet, or a pid namespace
// shared with others, where SIGKILL goes to every process in the cgroup
// (Container.Signal) rather than to the init. mgr is the container's
// cgroup manager, nil when the caller has none: the ticket then has no
// delete section.
func killTicket(rec *record, mgr cgroups.Manager) string {
	if rec.InitPid <= 0 || rec.InitStartTime == 0 || !hasOwnPidNamespace(rec.Spec) {
		return ""
	}
	freezer, ok := freezerLine(rec.CgroupPaths)
	if !ok {
		return ""
	}
	ticket := killTicketMagic + "\ninit " + strconv.Itoa(rec.InitPid) + " " +
		strconv.FormatUint(rec.InitStartTime, 10) + "\n" + freezer
	if del, ok := deleteSection(rec, mgr); ok && len(ticket)+len(del) <= maxTicket {
		ticket += del
	}
	return ticket
}

// deleteSection is what Container.Delete of the container, stopped, does
// when that is only the removal of directories and files, which is also
// what it does after Container.kill of a running one (with its own pid
// namespace, the init's death ends every process in it, and destroy
// kills nothing more): a line
// "delete N", then N lines "cgroup PARENTS ROOT REL", one per cgroup
// directory, as cgroups.Removals gives them (REL below the hierarchy's
// mount point ROOT, and PARENTS ancestors create made, removed once
// empty). The C path removes those, then the state directory's files
// and the directory. ok is false when delete needs more than that
// (hasOwnPidNamespace aside, which killTicket checks): poststop hooks to
// run, an Intel RDT group to remove, a systemd unit to stop, a cgroup
// manager that cannot say what it removes, a path not on one line of
// space-free fields.
func deleteSection(rec *record, mgr cgroups.Manager) (string, bool) {
	if mgr == nil || rec.intent || rec.Spec == nil {
		return "", false
	}
	if h := rec.Spec.Hooks; h != nil && len(h.Poststop) > 0 {
		return "", false
	}
	if rec.Spec.Linux != nil && rec.Spec.Linux.IntelRdt != nil {
		return "", false
	}
	removals, ok := cgroups.Removals(mgr, rec.CgroupCreated)
	if !ok || len(removals) != len(rec.CgroupPaths) {
		return "", false
	}
	var b strings.Builder
	b.WriteString("delete " + strconv.Itoa(len(removals)) + "\n")
	for _, r := range removals {
		// What delete's cgroups.Load would remove: the recorded paths.
		if !pathRecorded(rec.CgroupPaths, r.Root+"/"+r.Rel) ||
			!strings.HasPrefix(r.Root, "/") || strings.ContainsAny(r.Root+r.Rel, " \t\n\r") {
			return "", false
		}
		b.WriteString("cgroup " + strconv.Itoa(r.Parents) + " " + r.Root + " " + r.Rel + "\n")
	}
	return b.String(), true
}

func pathRecorded(paths map[string]string, p string) bool {
	for _, q := range paths {
		if q == p {
			return true
		}
	}
	return false
}

// saveKillTicket brings the kill ticket in dir in line with rec, just
// written to state.json: written atomically, or removed when rec gets
// none, so that a ticket never outlives the init it names in state.json.
func saveKillTicket(dir string, rec *record, mgr cgroups.Manager) error {
	path := filepath.Join(dir, killTicketFile)
	ticket := killTicket(rec, mgr)
	if ticket == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale kill ticket: %w", err)
		}
		return nil
	}
	return writeFileAtomic(path, []byte(ticket), 0o600)
}
