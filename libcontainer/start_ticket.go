package libcontainer

import (
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// startTicketFile says that starting the container needs nothing but the
// exec fifo: no hooks to run, a process to start. Create writes it after
// state.json when that holds; the hull CLI's C start path
// (package faststart) starts such a container without the Go runtime
// and leaves every other start to Container.Start. The format is the C
// side's contract: a first line startTicketMagic, then at most one
// freezer line, "freezer-v1 PATH" (PATH/freezer.state must read THAWED)
// or "freeze-v2 PATH" (PATH/cgroup.freeze must read 0), naming the file
// whose state tells a paused container, which start must refuse.
const (
	startTicketFile  = "start.ticket"
	startTicketMagic = "hull start ticket 1"
)

// startTicket returns the ticket for a container created from spec with
// cgroup paths paths, or "" when its start needs the Go path: hooks to
// run at start (startContainer, poststart) or no process.
func startTicket(spec *specs.Spec, paths map[string]string) string {
	if spec == nil || spec.Process == nil {
		return ""
	}
	if h := spec.Hooks; h != nil && (len(h.StartContainer) > 0 || len(h.Poststart) > 0) {
		return ""
	}
	line, ok := freezerLine(paths)
	if !ok {
		return ""
	}
	return startTicketMagic + "\n" + line
}

// freezerLine is the line of a ticket that names the file whose state
// tells a paused container, by the same rules as cgroupFrozen: "" for a
// container without a freezer; ok is false when a path cannot be written
// on one line.
func freezerLine(paths map[string]string) (line string, ok bool) {
	if p, ok := paths["freezer"]; ok {
		if strings.ContainsRune(p, '\n') {
			return "", false
		}
		return "freezer-v1 " + filepath.Join(p, "freezer.state") + "\n", true
	}
	for _, key := range []string{"", "unified"} {
		if p, ok := paths[key]; ok {
			if strings.ContainsRune(p, '\n') {
				return "", false
			}
			return "freeze-v2 " + filepath.Join(p, "cgroup.freeze") + "\n", true
		}
	}
	return "", true
}

// saveStartTicket writes the ticket of a created container, when it gets
// one (see startTicket), atomically.
func saveStartTicket(dir string, rec *record) error {
	ticket := startTicket(rec.Spec, rec.CgroupPaths)
	if ticket == "" {
		return nil
	}
	return writeFileAtomic(filepath.Join(dir, startTicketFile), []byte(ticket), 0o600)
}
