package specconv

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A label is written whole into one kernel attribute: nothing in it may
// end it early or start a second command.
func TestLabelsValidated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(s *specs.Spec)
		want   string
	}{
		{"apparmor newline", func(s *specs.Spec) { s.Process.ApparmorProfile = "p\nchangeprofile q" },
			`process.apparmorProfile: "p\nchangeprofile q" must not contain a NUL or a newline`},
		{"apparmor NUL", func(s *specs.Spec) { s.Process.ApparmorProfile = "p\x00q" },
			`process.apparmorProfile: "p\x00q" must not contain a NUL or a newline`},
		{"apparmor space", func(s *specs.Spec) { s.Process.ApparmorProfile = " p" },
			`process.apparmorProfile: " p" must not start or end with white space`},
		{"selinux NUL", func(s *specs.Spec) { s.Process.SelinuxLabel = "u:r:t:s0\x00" },
			`process.selinuxLabel: "u:r:t:s0\x00" must not contain a NUL or a newline`},
		{"mount label quote", func(s *specs.Spec) { s.Linux.MountLabel = `u:r:t:s0",size=1` },
			`linux.mountLabel: "u:r:t:s0\",size=1" must not contain a double quote`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := Example(false)
			tc.mutate(spec)
			_, err := FromSpec(spec, newBundle(t))
			if err == nil || err.Error() != tc.want {
				t.Errorf("FromSpec error = %v\nwant %s", err, tc.want)
			}
		})
	}
	spec := Example(false)
	spec.Process.ApparmorProfile = "docker-default"
	spec.Process.SelinuxLabel = "system_u:system_r:container_t:s0:c1,c2"
	spec.Linux.MountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
	if _, err := FromSpec(spec, newBundle(t)); err != nil {
		t.Errorf("valid labels refused: %v", err)
	}
}
