package main

import "testing"

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"-1": -1, "0": 0, "4096": 4096, "64M": 64 << 20, "64m": 64 << 20, "64MB": 64 << 20, "64MiB": 64 << 20,
		"1.5g": 3 << 29, "2 k": 2048, "1kb": 1024, "1T": 1 << 40, "3b": 3, "64Mi": 64 << 20,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "M", "-2", "12x", "1e3", "0x10", "1.k", "64 MB ", "10000000P"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}
