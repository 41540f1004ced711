package passwd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHomeIn(t *testing.T) {
	const file = "# comment\nroot:x:0:0:root:/root:/bin/sh\n\ntempuser:x:1000:1000::/home/tempuser:/bin/sh\nshort:x:7\n"
	for uid, want := range map[uint32]string{0: "/root", 1000: "/home/tempuser", 7: "/", 4242: "/"} {
		if got := homeIn(strings.NewReader(file), uid); got != want {
			t.Errorf("uid %d: home %q, want %q", uid, got, want)
		}
	}
}

// A symlinked /etc/passwd pointing at an absolute path is resolved inside
// the root, never on the host.
func TestHomeOfStaysInTheRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "real", "passwd"), []byte("root:x:0:0::/inside:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/real/passwd", filepath.Join(root, "etc", "passwd")); err != nil {
		t.Fatal(err)
	}
	home, err := HomeOf(root, 0)
	if err != nil || home != "/inside" {
		t.Errorf("HomeOf = %q, %v; want /inside", home, err)
	}
	if home, err := HomeOf(t.TempDir(), 0); err == nil || home != DefaultHome {
		t.Errorf("HomeOf without passwd = %q, %v; want / and an error", home, err)
	}
}
