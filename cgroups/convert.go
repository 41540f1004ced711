package cgroups

import (
	"errors"
	"fmt"
	"math"
)

// cpuSharesToWeight maps v1 cpu.shares (2..262144, default 1024) onto v2
// cpu.weight (1..10000, default 100). A straight line between the ranges
// would turn the default 1024 into 39; runc uses a curve through the two
// ends and the two defaults instead, and so do we: in log2 space the weight
// exponent is a quadratic in log2(shares).
func cpuSharesToWeight(shares uint64) uint64 {
	switch {
	case shares == 0:
		return 0
	case shares <= 2:
		return 1
	case shares >= 262144:
		return 10000
	}
	l := math.Log2(float64(shares))
	exp := (l*l+125*l)/612.0 - 7.0/34.0
	return uint64(math.Ceil(math.Pow(10, exp)))
}

// blkioWeightToIOWeight maps v1 blkio.weight (10..1000) linearly onto v2
// io.weight (1..10000).
func blkioWeightToIOWeight(w uint16) uint64 {
	if w == 0 {
		return 0
	}
	return 1 + (uint64(w)-10)*9999/990
}

// swapToV2 turns the OCI (and v1) memory+swap total into the swap-only
// value of memory.swap.max. -1 is unlimited and 0 unset in both.
func swapToV2(swap, limit int64) (int64, error) {
	// Unlimited memory without a swap value means unlimited swap too, as
	// it does on v1.
	if limit == -1 && swap == 0 {
		return -1, nil
	}
	if swap == -1 || swap == 0 {
		return swap, nil
	}
	if limit == 0 || limit == -1 {
		return 0, errors.New("a swap limit needs a memory limit")
	}
	if limit < 0 {
		return 0, fmt.Errorf("invalid memory limit %d", limit)
	}
	if swap < limit {
		return 0, fmt.Errorf("memory+swap limit %d is below the memory limit %d", swap, limit)
	}
	return swap - limit, nil
}
