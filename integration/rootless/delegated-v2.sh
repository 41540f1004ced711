#!/bin/sh
# Run inside the cgroup-v2 VM (make test-rootless-v2): delegates the
# subtree /sys/fs/cgroup/deleg to nobody as systemd delegates a user's,
# moves itself into a child of it and, as nobody, runs the cgroups test
# of a rootless container there: limits applied, the process in the
# cgroup, freeze and thaw. $1 is the directory holding cgroups.test.
set -e
cd /sys/fs/cgroup
echo "+pids +memory +cpu" > cgroup.subtree_control
mkdir deleg
echo "+pids +memory +cpu" > deleg/cgroup.subtree_control
mkdir deleg/self
chown -R 65534:65534 deleg
echo $$ > deleg/self/cgroup.procs
cd "$1"
exec setpriv --reuid 65534 --regid 65534 --clear-groups \
	env HULL_TEST_DELEGATED_CGROUP=deleg ./cgroups.test -test.run TestRootlessDelegated -test.v
