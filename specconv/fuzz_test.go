package specconv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/generate"
	"github.com/opencontainers/runtime-tools/generate/seccomp"
)

// conformanceSeeds are configs made the way the OCI conformance programs
// (runtime-tools validation/*) make theirs: runtime-tools' default
// generator, root "." (rootfs), then the settings each program tests.
func conformanceSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	variants := []func(g *generate.Generator){
		func(g *generate.Generator) {},
		func(g *generate.Generator) { g.SetHostname("hostname-specific") },
		func(g *generate.Generator) { g.AddProcessRlimits("RLIMIT_NOFILE", 1024, 1024) },
		func(g *generate.Generator) { g.SetProcessOOMScoreAdj(500) },
		func(g *generate.Generator) { g.SetRootReadonly(true) },
		func(g *generate.Generator) { g.SetProcessUID(10); g.SetProcessGID(10) },
		func(g *generate.Generator) { g.AddLinuxMaskedPaths("/masktest") },
		func(g *generate.Generator) { g.AddLinuxReadonlyPaths("/readonlytest") },
		func(g *generate.Generator) { g.AddLinuxSysctl("net.ipv4.ip_forward", "1") },
		func(g *generate.Generator) { g.SetLinuxRootPropagation("shared") },
		func(g *generate.Generator) {
			g.AddLinuxUIDMapping(1000, 0, 3200)
			g.AddLinuxGIDMapping(1000, 0, 3200)
			g.AddOrReplaceLinuxNamespace("user", "")
		},
		func(g *generate.Generator) {
			g.SetLinuxCgroupsPath("/cgrouptest")
			g.SetLinuxResourcesMemoryLimit(50593792)
			g.SetLinuxResourcesMemorySwap(50593792)
			g.SetLinuxResourcesCPUShares(1024)
			g.SetLinuxResourcesCPUQuota(20000)
			g.SetLinuxResourcesCPUPeriod(100000)
			g.SetLinuxResourcesCPUCpus("0")
			g.SetLinuxResourcesPidsLimit(1000)
			g.SetLinuxResourcesBlockIOWeight(500)
			g.AddLinuxResourcesHugepageLimit("2MB", 56623104)
			g.SetLinuxResourcesNetworkClassID(0x100001)
			g.AddLinuxResourcesNetworkPriorities("lo", 1)
		},
		func(g *generate.Generator) {
			major, minor := int64(1), int64(3)
			g.AddDevice(specs.LinuxDevice{Path: "/dev/test1", Type: "c", Major: 1, Minor: 3})
			g.AddLinuxResourcesDevice(true, "c", &major, &minor, "rwm")
		},
		func(g *generate.Generator) {
			g.AddMount(specs.Mount{Destination: "/tmp/bind", Type: "bind", Source: "/tmp", Options: []string{"rbind", "ro"}})
		},
		func(g *generate.Generator) {
			g.AddOrReplaceLinuxNamespace("network", "/proc/self/ns/net")
		},
		func(g *generate.Generator) {
			g.SetDefaultSeccompAction("allow")
			g.SetSyscallAction(seccomp.SyscallOpts{Action: "errno", Syscall: "getcwd"})
		},
		func(g *generate.Generator) {
			g.AddPreStartHook(specs.Hook{Path: "/bin/true", Args: []string{"true"}, Timeout: new(int)})
			g.AddPostStopHook(specs.Hook{Path: "/bin/true"})
		},
		func(g *generate.Generator) {
			g.AddProcessCapabilityBounding("CAP_KILL")
			g.AddProcessCapabilityAmbient("CAP_KILL")
		},
	}
	var seeds [][]byte
	for _, v := range variants {
		g, err := generate.New("linux")
		if err != nil {
			tb.Fatal(err)
		}
		g.SetRootPath("rootfs")
		g.SetProcessArgs([]string{"/runtimetest", "--path=/"})
		v(&g)
		data, err := json.Marshal(g.Config)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	for _, name := range []string{"runc-spec.json", "runc-spec-rootless.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return seeds
}

// LoadBundle on arbitrary config.json bytes: an error is one line (it is
// what the user sees), and an accepted config's paths inside the root are
// absolute and clean, so no ".." reaches the executor.
func FuzzLoadBundle(f *testing.F) {
	for _, s := range conformanceSeeds(f) {
		f.Add(s)
	}
	bundle := f.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		f.Fatal(err)
	}
	config := filepath.Join(bundle, "config.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(config, data, 0o644); err != nil {
			t.Fatal(err)
		}
		plan, err := LoadBundle(bundle)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			return
		}
		checkInRootPaths(t, plan)
	})
}

func checkInRootPaths(t *testing.T, plan *Plan) {
	t.Helper()
	clean := func(field, p string) {
		if !filepath.IsAbs(p) || filepath.Clean(p) != p {
			t.Fatalf("%s %q accepted but not absolute and clean", field, p)
		}
	}
	clean("root.path", plan.Rootfs)
	for _, m := range plan.Spec.Mounts {
		clean("mounts[].destination", m.Destination)
	}
	if plan.Spec.Process != nil {
		clean("process.cwd", plan.Spec.Process.Cwd)
	}
	if l := plan.Spec.Linux; l != nil {
		for _, p := range l.MaskedPaths {
			clean("linux.maskedPaths[]", p)
		}
		for _, p := range l.ReadonlyPaths {
			clean("linux.readonlyPaths[]", p)
		}
		for _, d := range l.Devices {
			clean("linux.devices[].path", d.Path)
		}
	}
}

// An id ValidateID accepts is exactly one path component under the state
// root: never empty, ".", "..", or holding a separator or NUL.
func FuzzValidateID(f *testing.F) {
	for _, s := range []string{"c1", "a-b_c+d.e", ".", "..", "../x", "a/b", "", "x\x00y", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if ValidateID(id) != nil {
			return
		}
		const root = "/run/hull"
		p := filepath.Join(root, id)
		if filepath.Dir(p) != root || filepath.Base(p) != id || strings.ContainsAny(id, "/\x00") {
			t.Fatalf("id %q accepted but %q is not one component under %s", id, p, root)
		}
	})
}
