package seccomp

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The translation of linux.seccomp to BPF on arbitrary JSON: it fails
// with a one-line error or yields a whole number of BPF instructions;
// libseccomp never sees a profile Validate refused, and nothing panics.
func FuzzSeccompTranslate(f *testing.F) {
	def, err := os.ReadFile("testdata/default.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	// The conformance program linux_seccomp's profile, and small ones.
	f.Add([]byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO"}]}`))
	f.Add([]byte(`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],` +
		`"flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",` +
		`"args":[{"index":0,"value":8,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}`))
	f.Add([]byte(`{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/run/agent.sock","syscalls":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Twice the default profile is room for any structure; bigger
		// inputs only make libseccomp's compile slower (and a worker's
		// input longer, which widened the window of Go's fuzztime race,
		// see mk/fuzz.mk).
		if len(data) > 16<<10 {
			return
		}
		var s specs.LinuxSeccomp
		if json.Unmarshal(data, &s) != nil {
			return
		}
		if err := Validate(&s); err != nil {
			oneLine(t, err)
			return
		}
		if disabled(&s) {
			return
		}
		if _, err := filterFlags(&s); err != nil {
			oneLine(t, err)
			return
		}
		bpf, err := buildBPF(&s)
		if err != nil {
			oneLine(t, err)
			return
		}
		if len(bpf) == 0 || len(bpf)%8 != 0 {
			t.Fatalf("BPF of %d bytes is not a whole number of instructions", len(bpf))
		}
	})
}

func oneLine(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
		t.Fatalf("error is not one line: %q", msg)
	}
}
