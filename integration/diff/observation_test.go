package diff

import (
	"regexp"
	"strings"
)

// observation is what one runtime showed for one case: lines by section,
// sections in the order they were recorded.
type observation struct {
	order []string
	lines map[string][]string
}

func newObservation() *observation {
	return &observation{lines: map[string][]string{}}
}

func (o *observation) add(section string, lines ...string) {
	if _, ok := o.lines[section]; !ok {
		o.order = append(o.order, section)
		o.lines[section] = []string{}
	}
	o.lines[section] = append(o.lines[section], lines...)
}

// addText adds text's lines (without a trailing empty one).
func (o *observation) addText(section, text string) {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		o.add(section)
		return
	}
	o.add(section, strings.Split(text, "\n")...)
}

// addProbe adds the probe's output: "== name" lines open sections. The
// mount table and the environment are split into one section per mount
// point and per variable, so that differences.txt can name exactly one.
func (o *observation) addProbe(text string) {
	section := "probe"
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "== "); ok {
			section = name
			o.add(section)
			continue
		}
		switch section {
		case "mounts":
			if f := strings.Fields(line); len(f) > 4 {
				o.add("mount "+f[4], line)
				continue
			}
		case "env":
			name, _, _ := strings.Cut(line, "=")
			o.add("env "+name, line)
			continue
		}
		o.add(section, line)
	}
}

// normalizer rewrites what differs between two runs by nature: the temp
// directories, the container id, pids, times, mount and device numbers.
type normalizer struct {
	paths *strings.Replacer
}

// newNormalizer replaces each of the given values (longest first: the
// caller lists nested paths inner first) with its placeholder.
func newNormalizer(pairs ...string) *normalizer {
	return &normalizer{paths: strings.NewReplacer(pairs...)}
}

var numberRules = []struct {
	re   *regexp.Regexp
	with string
}{
	// mountinfo: "ID PARENT MAJ:MIN ..." -> "MAJ:MIN ...", anonymous
	// devices (0:N, numbered at mount time) as 0:*, peer groups as *.
	{regexp.MustCompile(`^\d+ \d+ (\d+:\d+ )`), "$1"},
	{regexp.MustCompile(`^0:\d+ `), "0:* "},
	{regexp.MustCompile(`\b(shared|master|propagate_from):\d+`), "$1:*"},
	// state and hook JSON.
	{regexp.MustCompile(`"pid":\s*\d+`), `"pid": <PID>`},
	{regexp.MustCompile(`^pid: \d+`), `pid: <PID>`},
	{regexp.MustCompile(`"created":\s*"[^"]*"`), `"created": <TIME>`},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), `<TIME>`},
	// Kernel object numbers: pipes, sockets, namespaces, anonymous inodes.
	{regexp.MustCompile(`(pipe|socket|net|mnt|pid|uts|ipc|user|cgroup|time):\[\d+\]`), "$1:[*]"},
	// Inotify/eventfd ids and the like in fd links.
	{regexp.MustCompile(`anon_inode:\[?[a-z_]+\]?`), "anon_inode"},
	// `list`'s table: the pid after the id.
	{regexp.MustCompile(`^(<ID>\s+)\d+`), "${1}<PID>"},
	// A pid-file's content, ps output, and "pid N" in messages.
	{regexp.MustCompile(`\bpid \d+`), "pid <PID>"},
	// time.Time in text logs.
	{regexp.MustCompile(`time="[^"]*"`), `time=<TIME>`},
}

func (n *normalizer) line(s string) string {
	s = n.paths.Replace(s)
	for _, r := range numberRules {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

func (n *normalizer) observation(o *observation) *observation {
	out := newObservation()
	for _, sec := range o.order {
		name := n.paths.Replace(sec)
		out.add(name)
		for _, l := range o.lines[sec] {
			out.add(name, n.line(l))
		}
	}
	return out
}

// difference is one section whose lines differ between the runtimes.
type difference struct {
	section    string
	hull, runc []string
}

// compare returns the sections that differ, in runc's order then hull's.
// When one runtime created the container and the other refused the config,
// only that is the difference: the rest follows from it.
func compare(hull, runc *observation) []difference {
	h, r := hull.lines["create"], runc.lines["create"]
	if (len(h) > 0 || len(r) > 0) && strings.Join(h, "\n") != strings.Join(r, "\n") {
		return []difference{{section: "create", hull: h, runc: r}}
	}
	var diffs []difference
	seen := map[string]bool{}
	for _, sec := range append(append([]string{}, runc.order...), hull.order...) {
		if seen[sec] {
			continue
		}
		seen[sec] = true
		h, hok := hull.lines[sec]
		r, rok := runc.lines[sec]
		if hok != rok || strings.Join(h, "\n") != strings.Join(r, "\n") {
			if !hok {
				h = []string{"(section absent)"}
			}
			if !rok {
				r = []string{"(section absent)"}
			}
			diffs = append(diffs, difference{section: sec, hull: h, runc: r})
		}
	}
	return diffs
}

// String shows the lines only one runtime printed, runc's with "-" and
// hull's with "+", in order (a multiset difference: enough to read).
func (d difference) String() string {
	count := map[string]int{}
	for _, l := range d.hull {
		count[l]++
	}
	for _, l := range d.runc {
		count[l]--
	}
	var b strings.Builder
	left := map[string]int{}
	for k, v := range count {
		left[k] = v
	}
	for _, l := range d.runc {
		if left[l] < 0 {
			b.WriteString("    - runc: " + l + "\n")
			left[l]++
		}
	}
	for _, l := range d.hull {
		if left[l] > 0 {
			b.WriteString("    + hull: " + l + "\n")
			left[l]--
		}
	}
	if b.Len() == 0 {
		b.WriteString("    (same lines, different order)\n")
	}
	return b.String()
}
