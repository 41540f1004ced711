package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// This host's Linux security modules, read as the runtime reads them.
// Where one is enabled the error tests below do not apply: a real profile
// is tested by `make test-apparmor` (a VM whose kernel has AppArmor).
func appArmorEnabled() bool {
	data, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && strings.HasPrefix(string(data), "Y")
}

func seLinuxEnabled() bool {
	_, err := os.Stat("/sys/fs/selinux/enforce")
	return err == nil
}

func needNoAppArmor(t *testing.T) {
	t.Helper()
	if appArmorEnabled() {
		t.Skip("AppArmor is enabled on this host; `make test-apparmor` runs a real profile")
	}
}

func needNoSELinux(t *testing.T) {
	t.Helper()
	if seLinuxEnabled() {
		t.Skip("SELinux is enabled on this host: a label is applied, not refused")
	}
}

// A requested AppArmor profile on a host without AppArmor is an error
// naming the field, from create and run, and nothing is left behind:
// the container never runs unconfined.
func TestLSMAppArmorProfileWithoutAppArmor(t *testing.T) {
	needNoAppArmor(t)
	createFails(t, specWith(t, func(s *specs.Spec) { s.Process.ApparmorProfile = "hull-test-profile" }),
		nil, "process.apparmorProfile")
}

func TestLSMSELinuxLabelsWithoutSELinux(t *testing.T) {
	needNoSELinux(t)
	createFails(t, specWith(t, func(s *specs.Spec) {
		s.Process.SelinuxLabel = "system_u:system_r:container_t:s0:c1,c2"
	}), nil, "process.selinuxLabel")
	createFails(t, specWith(t, func(s *specs.Spec) {
		s.Linux.MountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
	}), nil, "linux.mountLabel")
}

// exec --apparmor, exec --process-label and a process.json with either
// fail the same way; the container keeps running and no exec'd process,
// pid file or state is left.
func TestLSMExecLabelsRefused(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	processFile := func(p specs.Process) string {
		p.Args = []string{"sleep", "7171"}
		p.Cwd = "/"
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "process.json")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	type execCase struct {
		name  string
		opts  []string
		field string
		skip  func() bool
	}
	cases := []execCase{
		{"--apparmor", []string{"--apparmor", "hull-test-profile"}, "process.apparmorProfile", appArmorEnabled},
		{"process.json apparmorProfile", []string{"--process", processFile(specs.Process{ApparmorProfile: "hull-test-profile"})},
			"process.apparmorProfile", appArmorEnabled},
		{"--process-label", []string{"--process-label", "system_u:system_r:container_t:s0"}, "process.selinuxLabel", seLinuxEnabled},
		{"process.json selinuxLabel", []string{"--process", processFile(specs.Process{SelinuxLabel: "system_u:system_r:container_t:s0"})},
			"process.selinuxLabel", seLinuxEnabled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip() {
				t.Skip("the host has this security module")
			}
			pidFile := filepath.Join(t.TempDir(), "exec.pid")
			opts := append([]string{"--pid-file", pidFile}, tc.opts...)
			args := []string{"sleep", "7171"}
			if strings.HasPrefix(tc.name, "process.json") {
				args = nil
			}
			expectOneLineError(t, c.exec(opts, args...), tc.field)
			if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
				t.Errorf("pid file written by a failed exec: %v", err)
			}
			if left := processesMentioning("sleep 7171"); len(left) != 0 {
				t.Errorf("exec'd process left: %v", left)
			}
			if st := c.state(); st.Status != specs.StateRunning {
				t.Errorf("container is %s after the failed exec, want running", st.Status)
			}
			entries, err := os.ReadDir(rt.root)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Name() != c.id {
				t.Errorf("--root holds %v, want only %s", entries, c.id)
			}
		})
	}
	// The container is unharmed: exec without a label still works.
	if out := mustSucceed(t, c.exec(nil, "echo", "still-here")).stdout; strings.TrimSpace(out) != "still-here" {
		t.Errorf("exec after the refused ones printed %q", out)
	}
}

// `features` says AppArmor and SELinux are supported by this build (as
// runc does); whether the host has them is checked at create.
func TestLSMFeatures(t *testing.T) {
	rt := newRuntime(t)
	var f struct {
		Linux struct {
			Apparmor struct{ Enabled *bool } `json:"apparmor"`
			Selinux  struct{ Enabled *bool } `json:"selinux"`
		} `json:"linux"`
	}
	out := mustSucceed(t, rt.run("features")).stdout
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("parse features: %v\n%s", err, out)
	}
	if f.Linux.Apparmor.Enabled == nil || !*f.Linux.Apparmor.Enabled {
		t.Errorf("features: linux.apparmor.enabled is not true:\n%s", out)
	}
	if f.Linux.Selinux.Enabled == nil || !*f.Linux.Selinux.Enabled {
		t.Errorf("features: linux.selinux.enabled is not true:\n%s", out)
	}
}
