package libcontainer

import "strings"

// lastOfEachName keeps, of entries of env that share a name, only the
// last, in the order of those last entries. That is what runc (and Go's
// os/exec) give a process: with both `A=1` and `A=2` in process.env,
// getenv("A") would otherwise return the first, against the config's
// evident intent that the later entry overrides.
func lastOfEachName(env []string) []string {
	seen := make(map[string]bool, len(env))
	kept := make([]string, 0, len(env))
	for i := len(env) - 1; i >= 0; i-- {
		name, _, _ := strings.Cut(env[i], "=")
		if seen[name] {
			continue
		}
		seen[name] = true
		kept = append(kept, env[i])
	}
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	return kept
}
