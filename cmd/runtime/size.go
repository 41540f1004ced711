package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// parseSize reads a memory size in runc's syntax (docker's RAMInBytes): a
// decimal number, an optional space, then optionally one of k m g t p
// (powers of 1024, any case) followed by an optional "i" and "b"; "-1" is
// unlimited.
func parseSize(s string) (int64, error) {
	if s == "-1" {
		return -1, nil
	}
	// Compiled here, not at package init: every hull command pays for init.
	m := regexp.MustCompile(`^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`).FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid size: %q", s)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size: %q", s)
	}
	shift := map[string]uint{"": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50}[strings.ToLower(m[2])]
	bytes := v * float64(uint64(1)<<shift)
	if bytes >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size: %q is too large", s)
	}
	return int64(bytes), nil
}
