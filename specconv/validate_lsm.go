package specconv

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// validateLabels checks the security labels of a process: each is written
// whole into one kernel attribute (AppArmor's "exec NAME", an SELinux
// context), where a NUL would cut it short and a newline start another
// command. Whether the host can apply them is decided when the program is
// compiled.
func validateLabels(p *specs.Process) error {
	if err := checkLabel("process.apparmorProfile", p.ApparmorProfile); err != nil {
		return err
	}
	return checkLabel("process.selinuxLabel", p.SelinuxLabel)
}

// validateMountLabel checks linux.mountLabel, which also travels inside
// mount options.
func validateMountLabel(l *specs.Linux) error {
	if err := checkLabel("linux.mountLabel", l.MountLabel); err != nil {
		return err
	}
	if strings.Contains(l.MountLabel, `"`) {
		return fmt.Errorf("linux.mountLabel: %q must not contain a double quote", l.MountLabel)
	}
	return nil
}

func checkLabel(field, label string) error {
	if strings.ContainsAny(label, "\x00\n") {
		return fmt.Errorf("%s: %q must not contain a NUL or a newline", field, label)
	}
	if label != strings.TrimSpace(label) {
		return fmt.Errorf("%s: %q must not start or end with white space", field, label)
	}
	return nil
}
