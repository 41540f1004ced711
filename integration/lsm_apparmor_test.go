package integration

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// needAppArmor skips a test that needs a kernel with AppArmor and
// apparmor_parser; under HULL_TEST_APPARMOR=1 (set by `make
// test-apparmor`, which boots such a kernel) their absence is a failure.
func needAppArmor(t *testing.T) {
	t.Helper()
	var missing string
	if !appArmorEnabled() {
		missing = "AppArmor is not enabled in this kernel (/sys/module/apparmor/parameters/enabled)"
	} else if _, err := exec.LookPath("apparmor_parser"); err != nil {
		missing = "apparmor_parser is not installed (Debian package apparmor)"
	}
	if missing == "" {
		return
	}
	if os.Getenv("HULL_TEST_APPARMOR") == "1" {
		t.Fatal(missing)
	}
	t.Skip(missing + "; `make test-apparmor` runs this test in a VM")
}

// loadProfile loads an AppArmor profile named name-RANDOM with rules and
// unloads it when the test ends; it returns the profile's name.
func loadProfile(t *testing.T, name, rules string) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name += "-" + hex.EncodeToString(b)
	// attach_disconnected: paths of a process whose root was pivoted are
	// resolved from the container's root, as for Docker's profiles.
	text := fmt.Sprintf("profile %s flags=(attach_disconnected,mediate_deleted) {\n%s\n}\n", name, rules)
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("apparmor_parser", "--skip-cache", "-r", file).CombinedOutput(); err != nil {
		t.Fatalf("load profile %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("apparmor_parser", "--skip-cache", "-R", file).CombinedOutput(); err != nil {
			t.Errorf("unload profile %s: %v\n%s", name, err, out)
		}
	})
	return name
}

// Everything allowed but writing /tmp/forbidden.
const denyOneWrite = `  file,
  capability,
  network,
  signal,
  unix,
  deny /tmp/forbidden w,`

// The probe: the confinement of the init (pid 1) and of the probe itself,
// a denied write and an allowed one.
const appArmorProbe = `echo "init: $(cat /proc/1/attr/current)"
echo "self: $(cat /proc/self/attr/current)"
if echo x > /tmp/forbidden; then echo forbidden-written; else echo forbidden-denied; fi
if echo y > /tmp/allowed; then echo allowed-written; else echo allowed-denied; fi`

func withTmp(s *specs.Spec) {
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs"})
}

// A container started with process.apparmorProfile runs confined from its
// first instruction: its init reports the profile in enforce mode, and
// the write the profile denies fails while an allowed one works. The same
// container without the profile writes both (the denial is the
// profile's).
func TestLSMAppArmorEnforced(t *testing.T) {
	needAppArmor(t)
	profile := loadProfile(t, "hull-test-deny", denyOneWrite)

	out := outputOf(t, appArmorProbe, func(s *specs.Spec) {
		withTmp(s)
		s.Process.ApparmorProfile = profile
	})
	t.Logf("confined by %s:\n%s", profile, out)
	for _, want := range []string{
		"init: " + profile + " (enforce)", "self: " + profile + " (enforce)",
		"forbidden-denied", "allowed-written",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("confined container: output lacks %q:\n%s", want, out)
		}
	}

	out = outputOf(t, appArmorProbe, withTmp)
	t.Logf("without a profile:\n%s", out)
	for _, want := range []string{"init: unconfined", "forbidden-written", "allowed-written"} {
		if !strings.Contains(out, want) {
			t.Errorf("unconfined container: output lacks %q:\n%s", want, out)
		}
	}
}

// An exec'd process gets the container's profile unless it names one:
// exec --apparmor and a process.json apparmorProfile choose another.
func TestLSMAppArmorExec(t *testing.T) {
	needAppArmor(t)
	profile := loadProfile(t, "hull-test-deny", denyOneWrite)
	other := loadProfile(t, "hull-test-other", "  file,\n  capability,\n  signal,")
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		withTmp(s)
		s.Process.ApparmorProfile = profile
	})

	out := mustSucceed(t, c.exec(nil, sh(appArmorProbe)...)).stdout
	for _, want := range []string{"self: " + profile + " (enforce)", "forbidden-denied", "allowed-written"} {
		if !strings.Contains(out, want) {
			t.Errorf("exec without --apparmor: output lacks %q:\n%s", want, out)
		}
	}
	out = mustSucceed(t, c.exec([]string{"--apparmor", other}, "cat", "/proc/self/attr/current")).stdout
	if strings.TrimSpace(out) != other+" (enforce)" {
		t.Errorf("exec --apparmor %s: the process runs under %q", other, out)
	}
}

// A profile the kernel does not know is an error naming the field, and
// nothing is left behind (runc: "apparmor failed to apply profile").
func TestLSMAppArmorUnknownProfile(t *testing.T) {
	needAppArmor(t)
	createFails(t, specWith(t, func(s *specs.Spec) { s.Process.ApparmorProfile = "hull-no-such-profile" }),
		nil, "process.apparmorProfile")
}

// CVE-2019-16884: an image whose /data is a symlink to /proc turns a
// volume at /data into a mount over /proc; files there named like the
// LSM attributes made runc write the profile into the image's file and
// run the container unconfined. hull writes through a procfs of its own:
// the container is confined and the decoys stay empty.
func TestLSMAppArmorFakeProcAttack(t *testing.T) {
	needAppArmor(t)
	profile := loadProfile(t, "hull-test-deny", denyOneWrite)
	fake := t.TempDir()
	var decoys []string
	for _, dir := range []string{"self/attr/apparmor", "thread-self/attr/apparmor", "1/attr/apparmor"} {
		if err := os.MkdirAll(filepath.Join(fake, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{dir + "/exec", filepath.Dir(dir) + "/exec", filepath.Dir(dir) + "/current"} {
			decoys = append(decoys, filepath.Join(fake, f))
			if err := os.WriteFile(filepath.Join(fake, f), nil, 0o666); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(fake, "HULL-FAKE-PROC"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(`test -e /proc/HULL-FAKE-PROC && echo proc-is-fake
if echo x > /tmp/forbidden; then echo forbidden-written; else echo forbidden-denied; fi
echo y > /tmp/allowed && echo allowed-written`)...)
	withTmp(spec)
	spec.Process.ApparmorProfile = profile
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: fake, Options: []string{"rbind", "rw"}})
	c := newContainer(t, rt, spec)
	if err := os.Symlink("/proc", filepath.Join(c.bundle, "rootfs", "data")); err != nil {
		t.Fatal(err)
	}
	res := c.runForeground()
	t.Logf("fake /proc: %v", res)
	if res.code != 0 && strings.Contains(res.stderr, "process.apparmorProfile") {
		t.Fatalf("the fake /proc broke the profile's write: %v", res)
	}
	out := mustSucceed(t, res).stdout
	if !strings.Contains(out, "proc-is-fake") {
		t.Fatalf("the attack did not take: /proc in the container is not the fake one:\n%s", out)
	}
	if !strings.Contains(out, "forbidden-denied") || !strings.Contains(out, "allowed-written") {
		t.Errorf("with a fake /proc the container is not confined:\n%s", out)
	}
	for _, f := range decoys {
		if data, err := os.ReadFile(f); err != nil || len(data) != 0 {
			t.Errorf("decoy %s: %q, %v (the profile was written into the image's file)", f, data, err)
		}
	}
}

// In a user namespace a fresh procfs may be refused (its /proc has masked
// paths); the profile then goes through the container's verified /proc.
func TestLSMAppArmorUserNamespace(t *testing.T) {
	needAppArmor(t)
	profile := loadProfile(t, "hull-test-deny", denyOneWrite)
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(appArmorProbe)...)
	withTmp(spec)
	spec.Process.ApparmorProfile = profile
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	c := newContainer(t, rt, spec)
	allowUnmappedRootToTraverse(t, c.bundle)
	out := mustSucceed(t, c.runForeground()).stdout
	for _, want := range []string{"init: " + profile + " (enforce)", "forbidden-denied", "allowed-written"} {
		if !strings.Contains(out, want) {
			t.Errorf("user namespace: output lacks %q:\n%s", want, out)
		}
	}
}
