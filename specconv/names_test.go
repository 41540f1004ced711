package specconv

import "testing"

func TestCapabilityNamesAreKnown(t *testing.T) {
	names := CapabilityNames()
	if len(names) != 41 || names[0] != "CAP_AUDIT_CONTROL" {
		t.Fatalf("CapabilityNames() = %q", names)
	}
	for _, name := range names {
		if _, ok := CapabilityNumber(name); !ok {
			t.Errorf("%s listed but unknown", name)
		}
	}
}

func TestRlimitNumbers(t *testing.T) {
	for name, want := range map[string]int{"RLIMIT_CPU": 0, "RLIMIT_NOFILE": 7, "RLIMIT_RTTIME": 15} {
		if got, ok := RlimitNumber(name); !ok || got != want {
			t.Errorf("RlimitNumber(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	if _, ok := RlimitNumber("RLIMIT_nofile"); ok {
		t.Errorf("lowercase rlimit name accepted")
	}
}
