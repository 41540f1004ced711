#!/bin/sh
# Delegates /sys/fs/cgroup/deleg to nobody and runs a cgroups test binary as
# nobody inside it, for TestRootlessDelegated. Run it as root on a pure
# cgroup v2 machine (the v2 test VM): rootless-v2.sh ./cg.test -test.run Rootless
set -e
cg=/sys/fs/cgroup
mkdir -p $cg/deleg/init
for c in pids memory cpu; do echo "+$c" > $cg/cgroup.subtree_control || true; done
chown 65534:65534 $cg/deleg $cg/deleg/cgroup.procs $cg/deleg/cgroup.subtree_control $cg/deleg/cgroup.threads
for c in pids memory cpu; do echo "+$c" > $cg/deleg/cgroup.subtree_control; done
echo $$ > $cg/deleg/init/cgroup.procs
export HULL_TEST_DELEGATED_CGROUP=/deleg
exec setpriv --reuid 65534 --regid 65534 --clear-groups "$@"
