package cgroups

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestCPUSharesToWeight(t *testing.T) {
	for shares, want := range map[uint64]uint64{0: 0, 1: 1, 2: 1, 1024: 100, 262144: 10000, 300000: 10000} {
		if got := cpuSharesToWeight(shares); got != want {
			t.Errorf("cpuSharesToWeight(%d) = %d, want %d", shares, got, want)
		}
	}
	// Monotonic, so a larger share never gets a smaller weight.
	prev := uint64(0)
	for s := uint64(2); s <= 262144; s = s*3/2 + 1 {
		w := cpuSharesToWeight(s)
		if w < prev {
			t.Fatalf("weight drops at shares %d: %d < %d", s, w, prev)
		}
		prev = w
	}
}

func TestBlkioWeightToIOWeight(t *testing.T) {
	for w, want := range map[uint16]uint64{0: 0, 10: 1, 1000: 10000, 500: 4950} {
		if got := blkioWeightToIOWeight(w); got != want {
			t.Errorf("blkioWeightToIOWeight(%d) = %d, want %d", w, got, want)
		}
	}
}

func TestSwapToV2(t *testing.T) {
	for _, tc := range []struct {
		swap, limit, want int64
		bad               bool
	}{
		{0, 0, 0, false},
		{0, -1, -1, false},
		{-1, 100, -1, false},
		{300, 100, 200, false},
		{100, 100, 0, false},
		{50, 100, 0, true},
		{300, 0, 0, true},
		{300, -1, 0, true},
	} {
		got, err := swapToV2(tc.swap, tc.limit)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("swapToV2(%d, %d) = %d, %v", tc.swap, tc.limit, got, err)
		}
	}
}

func TestDeviceRuleLines(t *testing.T) {
	i := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		rule specs.LinuxDeviceCgroup
		want []string
		bad  bool
	}{
		{specs.LinuxDeviceCgroup{Access: "rwm"}, []string{"a"}, false},
		{specs.LinuxDeviceCgroup{Type: "a"}, []string{"a"}, false},
		{specs.LinuxDeviceCgroup{Type: "c", Major: i(1), Minor: i(3), Access: "rwm"}, []string{"c 1:3 rwm"}, false},
		{specs.LinuxDeviceCgroup{Type: "c", Major: i(136), Access: "rw"}, []string{"c 136:* rw"}, false},
		{specs.LinuxDeviceCgroup{Type: "a", Access: "m"}, []string{"c *:* m", "b *:* m"}, false},
		{specs.LinuxDeviceCgroup{Type: "x"}, nil, true},
		{specs.LinuxDeviceCgroup{Type: "c", Access: "rx"}, []string{"c *:* r"}, false},
		{specs.LinuxDeviceCgroup{Access: "rwa"}, []string{"c *:* rw", "b *:* rw"}, false},
		{specs.LinuxDeviceCgroup{Type: "c", Access: "x"}, nil, false},
	} {
		got, err := deviceRuleLines(tc.rule)
		if (err != nil) != tc.bad || len(got) != len(tc.want) {
			t.Errorf("deviceRuleLines(%+v) = %q, %v", tc.rule, got, err)
			continue
		}
		for k := range got {
			if got[k] != tc.want[k] {
				t.Errorf("deviceRuleLines(%+v) = %q, want %q", tc.rule, got, tc.want)
			}
		}
	}
}

func TestPidsMax(t *testing.T) {
	for limit, want := range map[int64]string{-1: "max", -5: "max", 0: "1", 32771: "32771"} {
		if got := pidsMax(limit); got != want {
			t.Errorf("pidsMax(%d) = %q, want %q", limit, got, want)
		}
	}
}
