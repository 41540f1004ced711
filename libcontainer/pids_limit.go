package libcontainer

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// pidsAtFork is the number of tasks the container's cgroup holds while
// the executor forks the init: stage 1 and the init.
const pidsAtFork = 2

// resourcesAtJoin returns the resources the cgroup gets before the
// executor joins it: r itself, unless linux.resources.pids.limit is below
// pidsAtFork (0 means 1, as in runc), in which case a copy with that much
// room, lowered by lowerPidsLimit once the init is forked. runc sets the
// limits once its init is the only process; a limit of 1 must let the
// init run there too.
func resourcesAtJoin(r *specs.LinuxResources) *specs.LinuxResources {
	if !pidsLimitBelowFork(r) {
		return r
	}
	copied := *r
	limit := int64(pidsAtFork)
	copied.Pids = &specs.LinuxPids{Limit: &limit}
	return &copied
}

func pidsLimitBelowFork(r *specs.LinuxResources) bool {
	return r != nil && r.Pids != nil && r.Pids.Limit != nil && *r.Pids.Limit >= 0 && *r.Pids.Limit < pidsAtFork
}

// lowerPidsLimit sets the configured pids limit that resourcesAtJoin
// raised, now that the init exists (stage 1 is leaving).
func (cr *creation) lowerPidsLimit() error {
	if cr.mgr == nil || cr.spec == nil || cr.spec.Linux == nil || !pidsLimitBelowFork(cr.spec.Linux.Resources) {
		return nil
	}
	return cr.mgr.Set(&specs.LinuxResources{Pids: cr.spec.Linux.Resources.Pids})
}
