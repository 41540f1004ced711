package libcontainer

import (
	"path/filepath"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/specconv"
)

// In a user namespace, the parent opens the rootfs, the root of the mount
// holding it and the bind sources outside the rootfs; the ops name them
// by slot. A bind source inside the rootfs stays a path.
func TestHostOpenedMountSources(t *testing.T) {
	bundle := testBundle(t)
	spec := specconv.Example(false)
	spec.Process.Terminal = false
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/data", Type: "bind", Source: "data", Options: []string{"rbind"}},
		specs.Mount{Destination: "/inner", Type: "bind", Source: "rootfs", Options: []string{"bind"}})
	plan, err := specconv.FromSpec(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(plan, CompileOptions{HostOpensMountSources: true})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	i := slices.IndexFunc(prog.Ops, func(op program.Op) bool { return op.Code == program.OpMountSources })
	if i < 0 {
		t.Fatal("no mount-sources op")
	}
	fork := slices.IndexFunc(prog.Ops, func(op program.Op) bool { return op.Code == program.OpFork })
	if i > fork {
		t.Errorf("mount-sources (op %d) after the fork (op %d)", i, fork)
	}
	rootfs := filepath.Join(bundle, "rootfs")
	mroot, err := mountRootOf(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	// Device nodes are host binds in a user namespace: they follow.
	want := []string{rootfs, mroot, filepath.Join(bundle, "data")}
	if got := prog.Ops[i].Strs; len(got) < 3 || !slices.Equal(got[:3], want) || !slices.Contains(got, "/dev/null") {
		t.Errorf("mount sources %q, want %q", prog.Ops[i].Strs, want)
	}
	for _, op := range prog.Ops {
		switch {
		case op.Code == program.OpRootOpen:
			if len(op.Ints) != 3 || op.Ints[1] != 1 || op.Ints[2] != 2 {
				t.Errorf("root-open ints %v, want slots 1 and 2", op.Ints)
			}
		case op.Code == program.OpMountBind && op.Strs[1] == "/data":
			if len(op.Ints) != 10 || op.Ints[9] != 3 {
				t.Errorf("bind of /data ints %v, want slot 3", op.Ints)
			}
		case op.Code == program.OpMountBind && op.Strs[1] == "/inner":
			if len(op.Ints) > 9 {
				t.Errorf("bind of a source inside the rootfs has a slot: %v", op.Ints)
			}
		}
	}

	// Without a user namespace the executor is the host's root: no op.
	spec.Linux.Namespaces = spec.Linux.Namespaces[:len(spec.Linux.Namespaces)-1]
	spec.Linux.UIDMappings, spec.Linux.GIDMappings = nil, nil
	if plan, err = specconv.FromSpec(spec, bundle); err != nil {
		t.Fatal(err)
	}
	prog2, err := Compile(plan, CompileOptions{HostOpensMountSources: true})
	if err != nil {
		t.Fatal(err)
	}
	defer prog2.Close()
	if slices.ContainsFunc(prog2.Ops, func(op program.Op) bool { return op.Code == program.OpMountSources }) {
		t.Error("mount-sources without a user namespace")
	}
}
