package libcontainer

import (
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Status is a container's lifecycle status as the OCI runtime spec names it.
type Status string

// Statuses a container can be in; "paused" is runc's addition.
const (
	Creating Status = "creating"
	Created  Status = "created"
	Running  Status = "running"
	Paused   Status = "paused"
	Stopped  Status = "stopped"
)

// State is what `hull state` prints and `list --format json` lists: the OCI
// state plus runc's rootfs, created and owner fields, in runc's field order.
type State struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      Status            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// record is hull's own on-disk record of a container (state.json in the
// container's directory). It is written once, when the container becomes
// "created"; the status is never stored but derived from the live system.
type record struct {
	ID     string `json:"id"`
	Bundle string `json:"bundle"`
	Rootfs string `json:"rootfs"`
	// InitPid and InitStartTime identify the init for good: a pid alone may
	// be reused by an unrelated process after the init exits.
	InitPid       int       `json:"initPid"`
	InitStartTime uint64    `json:"initStartTime"`
	Created       time.Time `json:"created"`
	// CgroupPaths are the manager's paths, to load it again without the config.
	CgroupPaths map[string]string `json:"cgroupPaths,omitempty"`
	Rootless    bool              `json:"rootless,omitempty"`
	// Spec is the config as created (hooks, annotations, namespaces).
	Spec *specs.Spec `json:"spec"`
}

// hookState is the OCI state given to hooks on stdin.
func (r *record) hookState(status Status, pid int) specs.State {
	s := specs.State{
		Version: specs.Version,
		ID:      r.ID,
		Status:  specs.ContainerState(status),
		Pid:     pid,
		Bundle:  r.Bundle,
	}
	if r.Spec != nil {
		s.Annotations = r.Spec.Annotations
	}
	return s
}
