package cgroups

import (
	"math"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func propMap(t *testing.T, r *specs.LinuxResources, v2 bool) map[string]any {
	t.Helper()
	props, err := resourceProperties(r, v2)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	for _, p := range props {
		m[p.Name] = p.Value.Value()
	}
	return m
}

func TestResourcePropertiesV2(t *testing.T) {
	limit, swap, low := int64(64<<20), int64(96<<20), int64(32<<20)
	shares, period, quota := uint64(1024), uint64(100000), int64(50001)
	weight := uint16(500)
	got := propMap(t, &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: &limit, Swap: &swap, Reservation: &low},
		CPU:     &specs.LinuxCPU{Shares: &shares, Period: &period, Quota: &quota, Cpus: "0-2,9", Mems: "0"},
		Pids:    &specs.LinuxPids{Limit: ptr(int64(-1))},
		BlockIO: &specs.LinuxBlockIO{Weight: &weight},
	}, true)
	want := map[string]any{
		"MemoryMax": uint64(64 << 20), "MemorySwapMax": uint64(32 << 20), "MemoryLow": uint64(32 << 20),
		"CPUWeight": cpuSharesToWeight(1024), "CPUQuotaPeriodUSec": uint64(100000),
		// 500010 µs per second, rounded up to systemd's 10 ms steps.
		"CPUQuotaPerSecUSec": uint64(510000),
		"AllowedCPUs":        []byte{0x07, 0x02}, "AllowedMemoryNodes": []byte{0x01},
		"TasksMax": uint64(math.MaxUint64), "IOWeight": blkioWeightToIOWeight(500),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestResourcePropertiesV1(t *testing.T) {
	limit := int64(-1)
	shares := uint64(512)
	got := propMap(t, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit}, CPU: &specs.LinuxCPU{Shares: &shares}}, false)
	want := map[string]any{"MemoryLimit": uint64(math.MaxUint64), "CPUShares": uint64(512)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestSwapBelowLimitIsRefused(t *testing.T) {
	limit, swap := int64(64<<20), int64(32<<20)
	if _, err := resourceProperties(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit, Swap: &swap}}, true); err == nil {
		t.Fatal("swap below the limit accepted")
	}
}

func TestDevicePropertiesOnlyWhenSystemdCanSayIt(t *testing.T) {
	major, minor := int64(1), int64(3)
	rules := []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: &major, Minor: &minor, Access: "rwm"},
		{Allow: true, Type: "b", Access: "r"},
	}
	props := deviceProperties(rules)
	if len(props) != 2 || props[0].Value.Value() != "strict" {
		t.Fatalf("got %v", props)
	}
	if got := props[1].Value.String(); got != `[("/dev/char/1:3", "rwm",), ("block-*", "r",)]` {
		t.Fatalf("DeviceAllow = %s", got)
	}
	// A deny after an allow cannot be said as an allow list: no policy,
	// hull's own filter decides alone.
	deny := append(rules, specs.LinuxDeviceCgroup{Allow: false, Type: "c", Major: &major, Minor: &minor, Access: "w"})
	if props := deviceProperties(deny); props != nil {
		t.Fatalf("got %v for a rule list with a late deny", props)
	}
}

func TestAnnotationProperties(t *testing.T) {
	props, err := annotationProperties(map[string]string{
		"org.systemd.property.TimeoutStopUSec": "uint64 123000000",
		"org.systemd.property.CollectMode":     "'inactive-or-failed'",
		"org.systemd.property.RuntimeMaxSec":   "60",
		"other.annotation":                     "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, p := range props {
		got[p.Name] = p.Value.Value()
	}
	want := map[string]any{"TimeoutStopUSec": uint64(123000000), "CollectMode": "inactive-or-failed", "RuntimeMaxSec": uint64(60)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, bad := range []map[string]string{
		{"org.systemd.property.": "1"},
		{"org.systemd.property.X": "not a variant ("},
		{"org.systemd.property.TimeoutStopUSec": "'text'"},
	} {
		if _, err := annotationProperties(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
