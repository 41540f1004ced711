package cgroups

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Parsers of the cgroup files stats reads. A file the kernel does not
// offer (an older kernel, a controller not enabled, swap accounting off)
// reads as zero: stats report what exists, as runc's do.

// missing says whether err means the file is not there.
func missing(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP)
}

// statUint reads a single number; "max" is MaxUint64, a missing file 0.
func statUint(d cgroupDir, file string) (uint64, error) {
	v, err := readUint(d, file)
	if err != nil && missing(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s of %s: %w", file, d.path(), errnoOf(err))
	}
	return v, nil
}

// statText reads a file, "" when it is missing.
func statText(d cgroupDir, file string) (string, error) {
	s, err := d.read(file)
	if err != nil && missing(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s of %s: %w", file, d.path(), errnoOf(err))
	}
	return s, nil
}

// parseKeyValues parses "key value" lines (memory.stat, cpu.stat,
// cpuacct.stat, memory.events).
func parseKeyValues(text string) map[string]uint64 {
	out := map[string]uint64{}
	for line := range strings.SplitSeq(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		out[k] = n
	}
	return out
}

func statKeyValues(d cgroupDir, file string) (map[string]uint64, error) {
	s, err := statText(d, file)
	if err != nil {
		return nil, err
	}
	return parseKeyValues(s), nil
}

// parseUints parses a space-separated list of numbers (cpuacct.usage_percpu).
func parseUints(text string) []uint64 {
	var out []uint64
	for f := range strings.FieldsSeq(text) {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// parseCPUList parses a cpuset list ("0-3,7") into its members.
func parseCPUList(text string) ([]uint16, error) {
	var out []uint16
	for part := range strings.SplitSeq(strings.TrimSpace(text), ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("parse cpu list %q: %w", text, err)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 16); err != nil || b < a {
				return nil, fmt.Errorf("parse cpu list %q: bad range %q", text, part)
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, uint16(i))
		}
	}
	return out, nil
}

// parseBlkio parses a v1 blkio file: "MAJ:MIN Op value" lines and a
// final "Total value" line (skipped), or "MAJ:MIN value" for files
// without operations (blkio.time, blkio.sectors).
func parseBlkio(text string) []BlkioEntry {
	var out []BlkioEntry
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		majText, minText, ok := strings.Cut(f[0], ":")
		if !ok {
			continue
		}
		major, err1 := strconv.ParseUint(majText, 10, 64)
		minor, err2 := strconv.ParseUint(minText, 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		e := BlkioEntry{Major: major, Minor: minor}
		valText := f[1]
		if len(f) >= 3 {
			e.Op, valText = f[1], f[2]
		}
		v, err := strconv.ParseUint(valText, 10, 64)
		if err != nil {
			continue
		}
		e.Value = v
		out = append(out, e)
	}
	return out
}

// parseIOStat maps cgroup v2 io.stat onto v1's tables, as runc does:
// rbytes/wbytes are service bytes, rios/wios serviced operations.
func parseIOStat(text string) (bytes, ios []BlkioEntry) {
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		majText, minText, ok := strings.Cut(f[0], ":")
		if !ok {
			continue
		}
		major, err1 := strconv.ParseUint(majText, 10, 64)
		minor, err2 := strconv.ParseUint(minText, 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		for _, kv := range f[1:] {
			k, vText, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			v, err := strconv.ParseUint(vText, 10, 64)
			if err != nil {
				continue
			}
			e := BlkioEntry{Major: major, Minor: minor, Value: v}
			switch k {
			case "rbytes":
				e.Op = "Read"
				bytes = append(bytes, e)
			case "wbytes":
				e.Op = "Write"
				bytes = append(bytes, e)
			case "rios":
				e.Op = "Read"
				ios = append(ios, e)
			case "wios":
				e.Op = "Write"
				ios = append(ios, e)
			}
		}
	}
	return bytes, ios
}

// parsePSI parses a *.pressure file.
func parsePSI(text string) (*PSIStats, error) {
	var ps PSIStats
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var pd *PSIData
		switch f[0] {
		case "some":
			pd = &ps.Some
		case "full":
			pd = &ps.Full
		default:
			continue
		}
		for _, kv := range f[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("parse pressure line %q", line)
			}
			var err error
			switch k {
			case "avg10":
				pd.Avg10, err = strconv.ParseFloat(v, 64)
			case "avg60":
				pd.Avg60, err = strconv.ParseFloat(v, 64)
			case "avg300":
				pd.Avg300, err = strconv.ParseFloat(v, 64)
			case "total":
				pd.Total, err = strconv.ParseUint(v, 10, 64)
			}
			if err != nil {
				return nil, fmt.Errorf("parse pressure line %q: %w", line, err)
			}
		}
	}
	return &ps, nil
}

// statPSI reads a pressure file; nil where PSI is off or missing.
func statPSI(d cgroupDir, file string) (*PSIStats, error) {
	s, err := statText(d, file)
	if err != nil || s == "" {
		return nil, err
	}
	return parsePSI(s)
}

// parseRdma parses rdma.current or rdma.max: "dev hca_handle=N hca_object=M".
func parseRdma(text string) map[string][2]uint32 {
	out := map[string][2]uint32{}
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var v [2]uint32
		for _, kv := range f[1:] {
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			n := uint64(math.MaxUint32)
			if val != "max" {
				var err error
				if n, err = strconv.ParseUint(val, 10, 32); err != nil {
					continue
				}
			}
			switch k {
			case "hca_handle":
				v[0] = uint32(n)
			case "hca_object":
				v[1] = uint32(n)
			}
		}
		out[f[0]] = v
	}
	return out
}
