#!/bin/bash
# Remove whatever a validation program left behind: containers in the
# dedicated state root (and their processes), the cgroups the suite names
# (/cgrouptest and the relative testdir/cgrouptest/container), mounts under
# the program's temporary directory, then that directory and the root.
# Prints one line per leftover it had to remove; exits 1 if something
# could not be removed.
#
# usage: conformance/cleanup.sh RUNTIME STATE_ROOT TMP_DIR
set -euo pipefail

runtime=${1:?usage: cleanup.sh RUNTIME STATE_ROOT TMP_DIR}
root=${2:?}
tmp=${3:?}
cgroup_mnt=/sys/fs/cgroup
status=0

say() { echo "cleanup: $*"; }

container_ids() {
	{
		"$runtime" --root "$root" list -q 2>/dev/null || true
		if [[ -d $root ]]; then
			find "$root" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'
		fi
	} | sort -u
}

state_pid() {
	"$runtime" --root "$root" state "$1" 2>/dev/null |
		sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p' | head -n1
}

remove_containers() {
	local id pid
	for id in $(container_ids); do
		say "container $id left behind"
		pid=$(state_pid "$id")
		"$runtime" --root "$root" kill "$id" KILL >/dev/null 2>&1 || true
		"$runtime" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
		if [[ -n $pid && $pid != 0 ]] && kill -0 "$pid" 2>/dev/null; then
			say "killing pid $pid of container $id"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}

# The suite's cgroups: <mount>/cgrouptest and <mount>/<any>/testdir/...
suite_cgroups() {
	find "$cgroup_mnt" -mindepth 2 -maxdepth 8 -type d \
		\( -name cgrouptest -o -path '*/testdir' \) -print 2>/dev/null |
		awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
		while read -r dir; do
			find "$dir" -depth -type d -print 2>/dev/null || true
		done | awk '!seen[$0]++'
}

remove_cgroups() {
	local dir tries removed
	for dir in $(suite_cgroups); do
		removed=no
		for tries in 1 2 3 4 5; do
			[[ -d $dir ]] || break
			kill_procs "$dir/cgroup.procs"
			if rmdir "$dir" 2>/dev/null; then
				removed=yes
				break
			fi
			# A frozen cgroup must be thawed for its processes to die.
			{ echo THAWED >"$dir/freezer.state"; } 2>/dev/null || true
			sleep 0.2
		done
		if [[ -d $dir ]]; then
			say "could not remove cgroup $dir"
			status=1
		elif [[ $removed == yes ]]; then
			say "removed cgroup $dir"
		fi
	done
}

kill_procs() {
	local pid
	cat "$1" 2>/dev/null | while read -r pid; do
		kill -KILL "$pid" 2>/dev/null || true
	done || true
}

# Mount points at or under $1, deepest first.
mounts_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo |
		awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-
}

remove_dir() {
	local dir=$1 m
	[[ -e $dir ]] || return 0
	dir=$(realpath "$dir")
	for m in $(mounts_under "$dir"); do
		say "unmounting $m"
		umount -l "$m" || status=1
	done
	rm -rf --one-file-system "$dir" || status=1
}

remove_containers
remove_cgroups
remove_dir "$tmp"
remove_dir "$root"
exit "$status"
