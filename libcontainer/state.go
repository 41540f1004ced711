package libcontainer

import (
	"encoding/json"
	"fmt"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/specjson"
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
	// CgroupCreated are the shallowest cgroup directories create made
	// (cgroups.Manager.Created), which delete removes too once empty.
	CgroupCreated map[string]string `json:"cgroupCreated,omitempty"`
	Rootless      bool              `json:"rootless,omitempty"`
	// NoNewKeyring: created with --no-new-keyring; an exec then keeps the
	// caller's session keyring too, else joins the init's (_ses.ID).
	NoNewKeyring bool `json:"noNewKeyring,omitempty"`
	// ExecutorPid and ExecutorStartTime name the executor of a create in
	// progress; only the intent record (intent.json) has them.
	ExecutorPid       int    `json:"executorPid,omitempty"`
	ExecutorStartTime uint64 `json:"executorStartTime,omitempty"`
	// Spec is the config as created. In a record read back from disk it is
	// only the summary the lifecycle commands need (version, annotations,
	// hooks, process, namespaces; see specSummary): decoding the whole runtime-spec
	// type tree would cost every state, list entry, start, kill and delete
	// about 3 ms. fullSpec decodes the rest from RawSpec when needed.
	Spec *specs.Spec `json:"-"`
	// RawSpec is the config's JSON as stored, written from Spec.
	RawSpec json.RawMessage `json:"spec"`
	// partial says Spec is only the summary of RawSpec.
	partial bool
	// raw is state.json as read (nil for a record not read from disk), so
	// that a re-read finding the same bytes can keep this record and the
	// config already decoded from it (Container.refresh).
	raw []byte
	// intent says the record is the intent of a create that has not
	// finished (intent.json, no state.json): in progress while its creator
	// holds the directory's lock, abandoned after.
	intent bool
}

// specSummary decodes the part of a stored config that the lifecycle
// commands read, skipping the rest unparsed.
func specSummary(raw json.RawMessage) (*specs.Spec, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	return specjson.UnmarshalSummary(raw)
}

// fullSpec returns the whole config, decoding it from RawSpec the first
// time a loaded record needs more than its summary.
func (r *record) fullSpec() (*specs.Spec, error) {
	if !r.partial {
		return r.Spec, nil
	}
	var spec *specs.Spec
	if err := specjson.UnmarshalPtr(r.RawSpec, &spec); err != nil {
		return nil, fmt.Errorf("decode config of %q: %w", r.ID, err)
	}
	r.Spec, r.partial = spec, false
	return spec, nil
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
