package libcontainer

import (
	"path/filepath"
	"slices"
	"strings"
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
	spec := userNamespaceSpec()
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

// An id-mapped bind in a user namespace is not cloned at compile time:
// its source slot carries the request (the parent clones the tree in the
// container's mount namespace, where the kernel's locks stay), the bind
// op takes its tree from that slot, and the user namespace stays with
// the parent.
func TestIDMappedSourceClonedByTheParent(t *testing.T) {
	bundle := testBundle(t)
	spec := userNamespaceSpec()
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "data", Options: []string{"rbind", "idmap", "ro"}})
	plan, err := specconv.FromSpec(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(plan, CompileOptions{HostOpensMountSources: true})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	defer prog.CloseHostFiles()
	i := slices.IndexFunc(prog.Ops, func(op program.Op) bool { return op.Code == program.OpMountSources })
	if i < 0 {
		t.Fatal("no mount-sources op")
	}
	reqs, err := idmapRequests(prog, prog.Ops[i])
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 1 || len(prog.HostFiles) != 1 {
		t.Fatalf("%d id-mapped requests and %d host files, want 1 and 1", len(reqs), len(prog.HostFiles))
	}
	for slot, req := range reqs {
		if req.bind.Source != filepath.Join(bundle, "data") || !req.bind.Recursive || req.bind.AttrSet == 0 {
			t.Errorf("slot %d: request %+v, want the recursive, read-only bind of data", slot, req.bind)
		}
		b := slices.IndexFunc(prog.Ops, func(op program.Op) bool { return op.Code == program.OpMountBind && op.Strs[1] == "/data" })
		if b < 0 {
			t.Fatal("no bind of /data")
		}
		ints := prog.Ops[b].Ints
		if len(ints) != 10 || ints[7]&program.BindTreeGiven == 0 || ints[8] != 0 || ints[9] != uint64(slot+1) {
			t.Errorf("bind of /data ints %v, want its tree given by slot %d", ints, slot+1)
		}
	}
	for _, name := range prog.FileNames {
		if strings.Contains(name, "id-map") {
			t.Errorf("the executor is sent %q", name)
		}
	}
}

// userNamespaceSpec is runc's template with a new user namespace mapping
// the container's root to host uid and gid 100000.
func userNamespaceSpec() *specs.Spec {
	spec := specconv.Example(false)
	spec.Process.Terminal = false
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	return spec
}
