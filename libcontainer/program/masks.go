package program

import (
	"strconv"
	"strings"
)

// maskList renders a CPU or node bitmask (bit n of byte n/8) as a kernel
// list such as "0-3,7" for the disassembly.
func maskList(mask string) string {
	var parts []string
	start := -1
	set := func(n int) bool { return n < len(mask)*8 && mask[n/8]&(1<<(n%8)) != 0 }
	for n := 0; n <= len(mask)*8; n++ {
		switch {
		case set(n) && start < 0:
			start = n
		case !set(n) && start >= 0:
			if start == n-1 {
				parts = append(parts, strconv.Itoa(start))
			} else {
				parts = append(parts, strconv.Itoa(start)+"-"+strconv.Itoa(n-1))
			}
			start = -1
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}
