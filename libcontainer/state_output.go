package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"
)

// stateOutputFile is what `hull state ID` prints, rendered by StateJSON
// with every state.json write (saveRecord), but for what changes without
// one: the status and the pid (0 once stopped). The hull CLI's C state
// path (package faststart) works out the status as deriveStatus does,
// from the facts the file names, and prints the output without the Go
// runtime; without the file, `state` is Container.State's. The format is
// the C side's contract, lines:
//
//	hull state output 1
//	id ID                 (the directory the file was written for)
//	init PID STARTTIME    (as in the kill ticket: processAlive's pair)
//	FREEZER               (freezerLine's, or "freezer none")
//	json HEAD MID TAIL    (byte lengths of the three parts that follow)
//
// then the output's parts: HEAD, MID and TAIL, printed as HEAD, the pid
// (in decimal), MID, the status, TAIL. The exec fifo's presence (in the
// directory) tells created from running, as in probe.
const (
	stateOutputFile  = "state.output"
	stateOutputMagic = "hull state output 1"
	// stateOutputMax bounds the file to the C path's buffer (64 KiB):
	// a state with bigger annotations is Go's.
	stateOutputMax = 64 * 1024
)

// StateJSON is `hull state`'s output: st as indented JSON, with no
// trailing newline (runc prints none).
func StateJSON(st State) ([]byte, error) {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return data, nil
}

// The pid and the status, in that order, are State's third and fourth
// fields: nothing before them (the spec's version, an id of
// specconv.ValidateID's characters) can hold this text.
const (
	statePidAt    = `"pid": `
	stateStatusAt = ",\n  \"status\": \""
)

// stateOutput returns the state output file of the container rec
// describes in dir, or "" when its `state` needs Go: no init recorded,
// a record whose strings would not read back as they are (invalid
// UTF-8, which json.Marshal replaces), a freezer path that does not fit
// on a line, an output too big.
func stateOutput(dir string, rec *record) string {
	if rec.InitPid <= 0 || rec.InitStartTime == 0 || rec.Spec == nil || rec.ID != filepath.Base(dir) ||
		!readsBack(rec) {
		return ""
	}
	freezer, ok := freezerLine(rec.CgroupPaths)
	if !ok {
		return ""
	}
	if freezer == "" {
		freezer = "freezer none\n"
	}
	c := &Container{id: rec.ID, dir: dir, rec: rec}
	out, err := StateJSON(c.stateWith(Stopped))
	if err != nil {
		return ""
	}
	stopped := statePidAt + "0" + stateStatusAt + string(Stopped)
	i := bytes.Index(out, []byte(stopped))
	if i < 0 {
		return ""
	}
	head, tail := out[:i+len(statePidAt)], out[i+len(stopped):]
	header := stateOutputMagic + "\nid " + rec.ID + "\ninit " + strconv.Itoa(rec.InitPid) + " " +
		strconv.FormatUint(rec.InitStartTime, 10) + "\n" + freezer + "json " + strconv.Itoa(len(head)) + " " +
		strconv.Itoa(len(stateStatusAt)) + " " + strconv.Itoa(len(tail)) + "\n"
	if len(header)+len(out) >= stateOutputMax {
		return ""
	}
	return header + string(head) + stateStatusAt + string(tail)
}

// readsBack says that the record's strings that `state` prints are
// valid UTF-8, so that the output rendered from the record in memory is
// the one rendered from it read back from state.json.
func readsBack(rec *record) bool {
	if !utf8.ValidString(rec.Bundle) || !utf8.ValidString(rec.Rootfs) {
		return false
	}
	for k, v := range rec.Spec.Annotations {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// saveStateOutput brings the state output file in dir in line with rec,
// just written to state.json: written atomically, or removed when rec
// gets none.
func saveStateOutput(dir string, rec *record) error {
	path := filepath.Join(dir, stateOutputFile)
	output := stateOutput(dir, rec)
	if output == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale state output: %w", err)
		}
		return nil
	}
	return writeFileAtomic(path, []byte(output), 0o600)
}
