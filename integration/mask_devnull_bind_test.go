package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// hostSysctlBait is a writable host procfs file, harmless to change and
// put back, that stands in for /proc/sys/kernel/core_pattern: were the
// container to get a writable bind of it, it could change the host's.
const hostSysctlBait = "/proc/sys/vm/stat_interval"

// CVE-2025-31133, the bind-mount form: the container's /dev/null is not
// the null device but a bind mount of another file (a host file, or a
// writable procfs file standing in for core_pattern) when the runtime
// binds /dev/null over the masked files. A runtime that takes whatever
// /dev/null is would mount that file over /proc/kcore and
// /proc/timer_list, readable and writable. Each shape plants the bind
// before the masking (the static form of a racing volume): by a config
// mount onto /dev/null after /dev's tmpfs, or inside a host directory the
// config binds (rbind) as /dev. Defence: OP_MASK binds the fd it opened
// of /dev/null once, without following symlinks, and only after checking
// through that fd that it is the char device 1:3 (ops_protect.c
// verified_devnull); a config mount on /dev/null is caught before, where
// the runtime makes the device. The container does not start, or its
// masked files read nothing; the host file keeps its content either way.
func TestAttackDevNullBindMountedBeforeMaskingIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		source string // the file bound where /dev/null should be; "" for a host file
		volume bool   // planted in a host directory bound as /dev
		// refusal is the error of a container that does not start: the
		// config's bind is caught where the runtime makes its /dev/null
		// device (runc: "container's /dev/null is invalid"), the planted
		// one in the volume (whose devices the runtime leaves alone) by
		// the masking.
		refusal string
	}{
		{name: "config-bind-of-host-file", refusal: "default device (/dev/null)"},
		{name: "config-bind-of-procfs-file", source: hostSysctlBait, refusal: "default device (/dev/null)"},
		{name: "volume-with-bind-of-host-file", volume: true, refusal: "/dev/null in root is not the null device"},
		{name: "volume-with-bind-of-procfs-file", source: hostSysctlBait, volume: true, refusal: "/dev/null in root is not the null device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			source := tc.source
			if source == "" {
				source = filepath.Join(t.TempDir(), "bait")
				writeFile(t, source, "host bait\n")
			}
			before := readFile(t, source)
			if source == hostSysctlBait {
				t.Cleanup(func() { os.WriteFile(hostSysctlBait, []byte(before), 0o644) })
			}
			rt := newRuntime(t)
			spec := testSpec(t, rt, sh(`for f in /proc/kcore /proc/timer_list; do
				echo "read $f: [$(head -c 64 $f 2>/dev/null | tr -d '\0')]"
				echo 17 > $f 2>/dev/null && echo "wrote $f"
			done; echo end`)...)
			if tc.volume {
				spec.Mounts = devVolumeWithBoundNull(t, spec.Mounts, source)
			} else {
				spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/dev/null", Type: "bind", Source: source, Options: []string{"bind", "rw"}})
			}
			res := newContainer(t, rt, spec).runForeground()
			t.Logf("run: %v", res)
			if after := readFile(t, source); after != before {
				t.Errorf("the file bound on /dev/null changed from %q to %q", before, after)
			}
			if res.code != 0 {
				if lines := strings.Split(strings.TrimSpace(res.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tc.refusal) {
					t.Errorf("the container failed without the one line %q: %v", tc.refusal, res)
				}
				return
			}
			if !strings.Contains(res.stdout, "end") {
				t.Fatalf("the container's script did not finish: %v", res)
			}
			for _, f := range []string{"/proc/kcore", "/proc/timer_list"} {
				if !strings.Contains(res.stdout, "read "+f+": []") {
					t.Errorf("the masked %s shows content:\n%s", f, res.stdout)
				}
			}
		})
	}
}

// devVolumeWithBoundNull returns mounts with /dev replaced by a bind of a
// host directory whose "null" has source bind-mounted on it, in the
// host's mount namespace (unmounted when the test ends).
func devVolumeWithBoundNull(t *testing.T, mounts []specs.Mount, source string) []specs.Mount {
	t.Helper()
	volume := t.TempDir()
	null := filepath.Join(volume, "null")
	writeFile(t, null, "")
	if err := unix.Mount(source, null, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind %s on %s: %v", source, null, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(null, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", null, err)
		}
	})
	kept := []specs.Mount{{Destination: "/dev", Type: "bind", Source: volume, Options: []string{"rbind", "rw"}}}
	for _, m := range mounts {
		if m.Destination != "/dev" {
			kept = append(kept, m)
		}
	}
	return kept
}
