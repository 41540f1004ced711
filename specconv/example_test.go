package specconv

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The golden files are `runc spec` and `runc spec --rootless` (run as uid
// and gid 0) from runc 1.5.3, unedited (it writes ociVersion 1.3.0, the
// runtime-spec version hull is built against); hull must write them byte
// for byte. runc 1.1 also gave the template ambient capabilities; 1.5 has none.
func TestExampleMatchesRuncSpec(t *testing.T) {
	for _, tc := range []struct {
		rootless bool
		golden   string
	}{
		{false, "runc-spec.json"},
		{true, "runc-spec-rootless.json"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			got, err := json.MarshalIndent(example(tc.rootless, 0, 0), "", "\t")
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Example(%v) differs from %s:\n%s", tc.rootless, tc.golden, got)
			}
		})
	}
}

func TestExampleRootlessMapsCaller(t *testing.T) {
	spec := example(true, 1000, 1001)
	if got := spec.Linux.UIDMappings[0].HostID; got != 1000 {
		t.Errorf("uid mapping host id = %d, want 1000", got)
	}
	if got := spec.Linux.GIDMappings[0].HostID; got != 1001 {
		t.Errorf("gid mapping host id = %d, want 1001", got)
	}
}

func TestExampleIsValid(t *testing.T) {
	for _, rootless := range []bool{false, true} {
		bundle := t.TempDir()
		if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := FromSpec(Example(rootless), bundle); err != nil {
			t.Errorf("FromSpec(Example(%v)): %v", rootless, err)
		}
	}
}
