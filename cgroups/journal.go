package cgroups

import "strings"

// journal remembers the old values of the files an update writes, in
// order, so that an update the kernel refuses halfway can put them back:
// `update --memory 64M --pids-limit 20` must not leave pids.max changed
// when memory.limit_in_bytes is refused.
type journal struct {
	entries []journalEntry
}

type journalEntry struct {
	dir         cgroupDir
	file, value string
}

// remember records file's current value, once per file. Files that hold
// more than one line (device lists, per-device throttles) or cannot be
// read (write-only ones) are not restorable by writing back what they
// read, and are left out.
func (j *journal) remember(d cgroupDir, file string) {
	for _, e := range j.entries {
		if e.dir.path() == d.path() && e.file == file {
			return
		}
	}
	v, err := d.read(file)
	if err != nil || strings.Contains(v, "\n") || file == "cgroup.subtree_control" {
		return
	}
	j.entries = append(j.entries, journalEntry{dir: d, file: file, value: v})
}

// undo writes the old values back, newest first: the reverse order keeps
// pairs the kernel orders (memory and memsw limits) acceptable at each step.
func (j *journal) undo() {
	for i := len(j.entries) - 1; i >= 0; i-- {
		e := j.entries[i]
		_ = e.dir.write(e.file, e.value)
	}
}
