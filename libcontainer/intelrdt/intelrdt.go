// Package intelrdt puts a container in a resctrl group (Intel RDT, AMD
// PQoS): linux.intelRdt's closID, its L3 and memory-bandwidth schemata,
// and a monitoring group. It owns no policy beyond runtime-spec's rules;
// specconv has already checked the fields.
package intelrdt

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hullrt/hull/internal/hostfeature"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ErrNotMounted is returned when linux.intelRdt is set and no resctrl
// filesystem is mounted in the runtime's mount namespace.
var ErrNotMounted = hostfeature.Missing("linux.intelRdt: no resctrl filesystem is mounted (Intel RDT/AMD PQoS needs `mount -t resctrl resctrl /sys/fs/resctrl` on a CPU that has it)")

// Group is a container's place in resctrl.
type Group struct {
	// Root is where resctrl is mounted.
	Root string
	// Path is the control group: Root itself for closID "/", Root/closID,
	// or Root/<container id> when closID is not set.
	Path string
	// Owned: the runtime made Path for this container (no closID) and
	// removes it on delete.
	Owned bool
	// MonPath is the container's monitoring group ("" without
	// enableMonitoring).
	MonPath string
	// Made says which of Path (Owned only) and MonPath this container
	// made, and Destroy removes: never a group of another container that
	// happens to have the same name.
	Made, MonMade bool
	cfg           *specs.LinuxIntelRdt
}

// Created marks the groups as made by this container's create: what
// delete and exec need, in a later process.
func (g *Group) Created() *Group {
	g.Made, g.MonMade = g.Owned, g.MonPath != ""
	return g
}

// Find locates resctrl in /proc/self/mountinfo and names the group of
// container id; it changes nothing. ErrNotMounted when resctrl is absent.
func Find(id string, cfg *specs.LinuxIntelRdt) (*Group, error) {
	root, err := mountPoint("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return At(root, id, cfg), nil
}

// At names the group of container id under a resctrl mounted at root.
func At(root, id string, cfg *specs.LinuxIntelRdt) *Group {
	g := &Group{Root: root, cfg: cfg}
	switch cfg.ClosID {
	case "":
		g.Path, g.Owned = filepath.Join(root, id), true
	case "/":
		g.Path = root
	default:
		g.Path = filepath.Join(root, cfg.ClosID)
	}
	if cfg.EnableMonitoring {
		g.MonPath = filepath.Join(g.Path, "mon_groups", id)
	}
	return g
}

// mountPoint returns where the first resctrl filesystem is mounted.
func mountPoint(mountinfo string) (string, error) {
	f, err := os.Open(mountinfo)
	if err != nil {
		return "", fmt.Errorf("linux.intelRdt: find resctrl: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent maj:min root mountpoint options [optional...] - fstype source super
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		fields, after := strings.Fields(pre), strings.Fields(post)
		if len(fields) >= 5 && len(after) >= 1 && after[0] == "resctrl" {
			return unescapeMountPath(fields[4]), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("linux.intelRdt: read %s: %w", mountinfo, err)
	}
	return "", ErrNotMounted
}

// unescapeMountPath undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountPath(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				sb.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// schemataLines are the lines to write, in runtime-spec's order: the L3
// schema, the memory bandwidth schema, then schemata.
func (g *Group) schemataLines() []string {
	var lines []string
	for _, l := range []string{g.cfg.L3CacheSchema, g.cfg.MemBwSchema} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return append(lines, g.cfg.Schemata...)
}

// Apply puts pid in the group, creating it and writing its schemata as
// the spec says: a group the runtime owns is made and given the
// schemata; an existing closID group must already hold the schemata
// asked for; a closID group that does not exist is made only when
// schemata are given for it.
func (g *Group) Apply(pid int) error {
	lines := g.schemataLines()
	switch _, err := os.Stat(g.Path); {
	case err == nil && !g.Owned && g.Path != g.Root && len(lines) > 0:
		if err := g.checkSchemata(lines); err != nil {
			return err
		}
	case errors.Is(err, os.ErrNotExist) && !g.Owned && len(lines) == 0:
		return fmt.Errorf("linux.intelRdt.closID: resctrl group %s does not exist (and no schemata are given to make it)", g.Path)
	case errors.Is(err, os.ErrNotExist):
		if err := os.Mkdir(g.Path, 0o755); err != nil {
			return fmt.Errorf("linux.intelRdt: create resctrl group: %w", err)
		}
		g.Made = g.Owned
		if err := g.writeSchemata(lines); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("linux.intelRdt: %w", err)
	case g.Owned:
		return fmt.Errorf("linux.intelRdt: resctrl group %s exists already (another container's?)", g.Path)
	}
	return g.Join(pid)
}

// Join puts pid (the init, or an exec'd process) in the container's
// groups; the control group's tasks first, since a monitoring group only
// takes tasks of its parent.
func (g *Group) Join(pid int) error {
	if err := writeFile(filepath.Join(g.Path, "tasks"), strconv.Itoa(pid)); err != nil {
		return fmt.Errorf("linux.intelRdt: add %d to resctrl group %s: %w", pid, g.Path, err)
	}
	if g.MonPath == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Dir(g.MonPath)); err != nil {
		return fmt.Errorf("linux.intelRdt.enableMonitoring: resctrl has no monitoring here (no mon_groups in %s)", g.Path)
	}
	switch err := os.Mkdir(g.MonPath, 0o755); {
	case err == nil:
		g.MonMade = true
	case errors.Is(err, os.ErrExist) && g.MonMade:
		// an exec'd process joins the group create made
	default:
		return fmt.Errorf("linux.intelRdt.enableMonitoring: create monitoring group: %w", err)
	}
	if err := writeFile(filepath.Join(g.MonPath, "tasks"), strconv.Itoa(pid)); err != nil {
		return fmt.Errorf("linux.intelRdt.enableMonitoring: add %d to monitoring group %s: %w", pid, g.MonPath, err)
	}
	return nil
}

// SetSchemata writes new L3 and memory bandwidth schemata (empty:
// unchanged) to the group of a running container.
func (g *Group) SetSchemata(l3CacheSchema, memBwSchema string) error {
	var lines []string
	for _, l := range []string{l3CacheSchema, memBwSchema} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return g.writeSchemata(lines)
}

func (g *Group) writeSchemata(lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	// One write: resctrl applies the lines together, and names a line it
	// refuses in info/last_cmd_status.
	if err := writeFile(filepath.Join(g.Path, "schemata"), strings.Join(lines, "\n")+"\n"); err != nil {
		status, _ := os.ReadFile(filepath.Join(g.Root, "info", "last_cmd_status"))
		return fmt.Errorf("linux.intelRdt: write schemata: %w (%s)", err, strings.TrimSpace(string(status)))
	}
	return nil
}

// checkSchemata compares the schemata asked for with an existing group's:
// every resource line asked for must be there (resctrl prints each
// resource on its own line, domains in its own order and spacing).
func (g *Group) checkSchemata(lines []string) error {
	data, err := os.ReadFile(filepath.Join(g.Path, "schemata"))
	if err != nil {
		return fmt.Errorf("linux.intelRdt: read schemata of %s: %w", g.Path, err)
	}
	have := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if res, val, ok := strings.Cut(l, ":"); ok {
			have[strings.TrimSpace(res)] = normalizeDomains(val)
		}
	}
	for _, l := range lines {
		res, val, _ := strings.Cut(l, ":")
		if got, ok := have[strings.TrimSpace(res)]; !ok || !domainsWithin(normalizeDomains(val), got) {
			return fmt.Errorf("linux.intelRdt.closID: resctrl group %s exists with other schemata than %q", g.Path, l)
		}
	}
	return nil
}

// normalizeDomains turns " 0=ff;1=0f" into "0=ff;1=f": no spaces,
// hexadecimal masks without leading zeros.
func normalizeDomains(v string) string {
	var out []string
	for _, d := range strings.Split(strings.ReplaceAll(v, " ", ""), ";") {
		if d == "" {
			continue
		}
		id, val, _ := strings.Cut(d, "=")
		if n, err := strconv.ParseUint(val, 16, 64); err == nil {
			val = strconv.FormatUint(n, 16)
		}
		out = append(out, id+"="+val)
	}
	return strings.Join(out, ";")
}

// domainsWithin: every domain of want has the same value in have.
func domainsWithin(want, have string) bool {
	got := map[string]bool{}
	for _, d := range strings.Split(have, ";") {
		got[d] = true
	}
	for _, d := range strings.Split(want, ";") {
		if d != "" && !got[d] {
			return false
		}
	}
	return true
}

// Destroy removes the monitoring group and the control group this
// container made (see Made); their tasks have exited by then (resctrl
// moves any left to the parent group). Missing directories are not an
// error.
func (g *Group) Destroy() error {
	var errs []error
	if g.MonPath != "" && g.MonMade {
		if err := os.Remove(g.MonPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove resctrl monitoring group: %w", err))
		}
	}
	if g.Owned && g.Made {
		if err := os.Remove(g.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove resctrl group: %w", err))
		}
	}
	return errors.Join(errs...)
}

func writeFile(path, data string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
