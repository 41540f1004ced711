#!/bin/bash
# Rootless end-to-end scenarios, run by `make test-rootless` as root.
#
# It creates an unprivileged user with a subuid/subgid range, and as that
# user runs each scenario once with every runtime in RUNTIMES (hull and
# runc by default): plain rootless containers (`spec --rootless`), the
# runtime started by `unshare -Ur` with a config that has no user
# namespace and no --root (what rootless podman does), and rootless podman
# (fuse-overlayfs, a busybox image imported from the host's busybox, no
# network) with --runtime pointing at the runtime. It prints one PASS/FAIL
# table, runtimes side by side, and fails when hull fails a scenario that
# runc passes. Everything it made goes on exit: the containers, the user,
# its home (podman's storage) and its runtime directory.
#
# Environment: HULL and RUNC (paths of the binaries, required), BUSYBOX
# (default: busybox on PATH), PODMAN=0 to skip the podman scenarios,
# ONLY=regexp to run only the scenarios it matches, KEEP=1 to keep the work
# directory and user for debugging.
set -u

HULL=${HULL:?set HULL to the hull binary}
RUNC=${RUNC:?set RUNC to the runc binary}
BUSYBOX=${BUSYBOX:-$(command -v busybox)}
PODMAN=${PODMAN:-1}
ONLY=${ONLY:-.}
# One user per run (hull-rl-PID), so that two runs (make test-rootless and
# the rootless podman scenarios of make test-engines) can overlap.
RL_USER=hull-rl-$$
if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: run as root (it creates a user)" >&2
	exit 2
fi

W=$(mktemp -d /tmp/hull-rootless.XXXXXX)
chmod 755 "$W"
made_rundir=

cleanup() {
	set +e
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $W and user $RL_USER"
		return
	fi
	if id "$RL_USER" >/dev/null 2>&1; then
		if [ "$PODMAN" = 1 ] && command -v podman >/dev/null; then
			as_user podman rm -a -f -t 0 >/dev/null 2>&1
			as_user podman system reset -f >/dev/null 2>&1
		fi
		for rt in hull runc; do
			for id in $(as_user "$rt" list -q 2>/dev/null); do
				as_user "$rt" delete -f "$id" >/dev/null 2>&1
			done
		done
		# Whatever the user still runs (podman's pause process, a
		# container a failed scenario left) was started by this script.
		for pid in $(ps -o pid= -u "$RL_USER"); do kill -9 "$pid" 2>/dev/null; done
		sleep 0.2
		userdel -r "$RL_USER" >/dev/null 2>&1
	fi
	undelegate_cgroups
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	[ -n "$made_rundir" ] && rm -rf "$made_rundir"
	rm -rf "$W"
}

# ---- a cgroup delegated to the user --------------------------------------
# What systemd's Delegate=yes gives a user: DELEG in every hierarchy, owned
# by the user, with controllers handed down on cgroup2 and a leaf "shell"
# there where in_deleg starts the user's commands, so that moving a process
# into a container's cgroup below DELEG needs nothing above DELEG.
DELEG=hull-rootless-$$
cgroup_hierarchies() {
	local h
	for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[ -e "$h/cgroup.procs" ] && echo "$h"
	done
}
delegate_cgroups() {
	local h c
	for h in $(cgroup_hierarchies); do
		mkdir -p "$h/$DELEG" || return 1
		if [ -e "$h/cgroup.subtree_control" ]; then
			mkdir -p "$h/$DELEG/shell" || return 1
			for c in $(cat "$h/cgroup.subtree_control"); do
				echo "+$c" >"$h/$DELEG/cgroup.subtree_control" || return 1
			done
		fi
		chown -R "$RL_USER:" "$h/$DELEG" || return 1
	done
}
undelegate_cgroups() {
	local h
	for h in $(cgroup_hierarchies); do
		[ -d "$h/$DELEG" ] || continue
		find "$h/$DELEG" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null
		rmdir "$h/$DELEG"
	done
}
# in_deleg CMD...: CMD (run_as, say) from the delegated cgroup2 leaf on a
# pure cgroup2 host. On a hybrid one the user stays where it is: runc
# never joins the cgroup2 hierarchy there, and a runtime that does must
# go on without it when the host delegated only the v1 hierarchies.
in_deleg() {
	(
		if [ -e /sys/fs/cgroup/cgroup.subtree_control ]; then
			echo "$BASHPID" >"/sys/fs/cgroup/$DELEG/shell/cgroup.procs"
		fi
		"$@"
	)
	local rc=$?
	SOUT=$(cat "$SD/out")
	return $rc
}

trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the user -----------------------------------------------------------
# Users left by runs that were killed (their run.sh is gone; hull-rootless
# is the fixed name of older runs): start clean. The lock also keeps two
# runs from picking the same subordinate range.
exec 9>/run/hull-rootless.lock
flock 9
for stale in $(getent passwd | cut -d: -f1 | grep -E '^(hull-rootless|hull-rl-[0-9]+)$'); do
	case $stale in hull-rl-*) kill -0 "${stale#hull-rl-}" 2>/dev/null && continue ;; esac
	for pid in $(ps -o pid= -u "$stale"); do kill -9 "$pid" 2>/dev/null; done
	userdel -r "$stale" >/dev/null 2>&1
	sed -i "/^$stale:/d" /etc/subuid /etc/subgid
done
useradd -m -s /bin/sh "$RL_USER" || exit 1
RL_UID=$(id -u "$RL_USER")
RL_GID=$(id -g "$RL_USER")
RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
# A subordinate range no other user has.
SUB_START=$(awk -F: 'BEGIN{m=100000} {e=$2+$3; if (e>m) m=e} END{print m}' /etc/subuid /etc/subgid)
echo "$RL_USER:$SUB_START:65536" >>/etc/subuid
echo "$RL_USER:$SUB_START:65536" >>/etc/subgid
exec 9>&-
RUNDIR=/run/user/$RL_UID
if [ ! -d "$RUNDIR" ]; then
	mkdir -p "$RUNDIR"
	made_rundir=$RUNDIR
fi
chown "$RL_USER:" "$RUNDIR"
chmod 700 "$RUNDIR"
delegate_cgroups || exit 1

BIN=$W/bin
mkdir -p "$BIN"
cp "$HULL" "$BIN/hull"
cp "$RUNC" "$BIN/runc"

# as_user runs a command as the user, in a login-like environment.
as_user() {
	(cd "$W" && runuser -u "$RL_USER" -- env -i PATH="$BIN:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
		HOME="$RL_HOME" USER="$RL_USER" LOGNAME="$RL_USER" XDG_RUNTIME_DIR="$RUNDIR" "$@")
}

# ---- the root filesystem ------------------------------------------------
ROOTFS=$W/rootfs
mkdir -p "$ROOTFS"/{bin,etc,dev,proc,sys,tmp,root,run,var/tmp,data}
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
for app in $("$ROOTFS/bin/busybox" --list); do
	[ "$app" = busybox ] || ln -s busybox "$ROOTFS/bin/$app"
done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$ROOTFS/etc/group"
printf '#!/bin/sh\necho not executable\n' >"$ROOTFS/noexec"
chmod 644 "$ROOTFS/noexec"
chmod 1777 "$ROOTFS/tmp" "$ROOTFS/var/tmp"
chown -R "$RL_USER:" "$W"

# ---- helpers for scenarios ---------------------------------------------
# A scenario is a function s_NAME taking the runtime's name; it runs in a
# fresh directory $SD (owned by the user) and returns 0 for PASS. $SOUT
# holds what its last `run_as` printed, for the log.

# bundle RT [jq filter]: a bundle in $SD from RT's own `spec --rootless`
# (or `spec` with ROOTFUL=1), patched: no terminal, the shared rootfs.
bundle() {
	local rt=$1 filter=${2:-.} flag=--rootless
	[ "${ROOTFUL:-0}" = 1 ] && flag=
	as_user sh -c "cd '$SD' && $rt spec $flag" || return 1
	jq --arg root "$ROOTFS" '.process.terminal = false | .root.path = $root | .root.readonly = false | '"$filter" \
		"$SD/config.json" >"$SD/c.json" && mv "$SD/c.json" "$SD/config.json" && chown "$RL_USER:" "$SD/config.json"
}

# run_as CMD...: as the user in $SD; output (stdout and stderr) in $SOUT.
# A file, not a pipe: a detached container keeps its stdio open.
run_as() {
	timeout -k 5 120 runuser -u "$RL_USER" -- env -i PATH="$BIN:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
		HOME="$RL_HOME" USER="$RL_USER" LOGNAME="$RL_USER" XDG_RUNTIME_DIR="$RUNDIR" \
		sh -c 'cd "$0" && exec "$@"' "$SD" "$@" >"$SD/out" 2>&1
	local rc=$?
	SOUT=$(cat "$SD/out")
	printf '%s\n' "$SOUT" >>"$SD/log"
	return $rc
}

expect() { # expect WORD: the last output contains WORD
	case $SOUT in *"$1"*) return 0 ;; esac
	echo "expected \"$1\" in: $SOUT" >>"$SD/log"
	return 1
}

newid() { echo "rl-$1-$RANDOM$RANDOM"; }

wait_status() { # wait_status RT ID STATUS
	local i
	for i in $(seq 50); do
		as_user "$1" state "$2" 2>/dev/null | grep -q "\"status\": \"$3\"" && return 0
		sleep 0.1
	done
	return 1
}

# ---- plain rootless ------------------------------------------------------
s_plain_run() {
	bundle "$1" '.process.args = ["echo", "hello rootless"]' || return 1
	run_as "$1" run "$(newid "$1")" && expect "hello rootless"
}

s_plain_no_warning() {
	bundle "$1" '.process.args = ["true"]' || return 1
	run_as "$1" run "$(newid "$1")" || return 1
	[ -z "$SOUT" ] || { echo "unexpected output: $SOUT" >>"$SD/log"; return 1; }
}

s_plain_lifecycle() {
	local rt=$1 id
	id=$(newid "$rt")
	bundle "$rt" '.process.args = ["sleep", "1000"]' || return 1
	run_as "$rt" create "$id" || return 1
	wait_status "$rt" "$id" created || return 1
	run_as "$rt" start "$id" || return 1
	wait_status "$rt" "$id" running || return 1
	run_as "$rt" exec "$id" sh -c 'echo exec in $(hostname)' && expect "exec in runc" || return 1
	run_as "$rt" kill "$id" KILL || return 1
	wait_status "$rt" "$id" stopped || return 1
	run_as "$rt" delete "$id" || return 1
	! as_user "$rt" state "$id" >/dev/null 2>&1
}

s_plain_bind_owned_dir() {
	local rt=$1
	mkdir "$SD/data" && chown "$RL_USER:" "$SD/data"
	bundle "$rt" '.process.args = ["sh", "-c", "echo written > /data/file"] |
		.mounts += [{"destination": "/data", "type": "bind", "source": "'"$SD/data"'", "options": ["rbind", "rw"]}]' || return 1
	run_as "$rt" run "$(newid "$rt")" || return 1
	[ "$(cat "$SD/data/file")" = written ] && [ "$(stat -c %u "$SD/data/file")" = "$RL_UID" ]
}

# subuid mapping: root is the user, 1..65536 the subordinate range, written
# by newuidmap/newgidmap; a process as uid 1000 writes a file the host sees
# as the subordinate uid, and an exec as uid 1000 joins the namespace.
SUBUID_FILTER='.linux.uidMappings = [{"containerID": 0, "hostID": $uid, "size": 1}, {"containerID": 1, "hostID": $sub, "size": 65536}] |
	.linux.gidMappings = [{"containerID": 0, "hostID": $gid, "size": 1}, {"containerID": 1, "hostID": $sub, "size": 65536}]'
s_plain_subuid() {
	local rt=$1 id f
	mkdir "$SD/data" && chmod 777 "$SD/data"
	f=$(printf '%s' "$SUBUID_FILTER" | sed "s/\$uid/$RL_UID/; s/\$gid/$RL_GID/; s/\$sub/$SUB_START/g")
	bundle "$rt" "$f"' | .process.user = {"uid": 1000, "gid": 1000} | .process.args = ["sh", "-c", "id -u > /data/id; touch /data/file; sleep 1000"] |
		.mounts += [{"destination": "/data", "type": "bind", "source": "'"$SD/data"'", "options": ["rbind", "rw"]}]' || return 1
	id=$(newid "$rt")
	run_as "$rt" run -d "$id" || return 1
	local i
	for i in $(seq 50); do [ -e "$SD/data/file" ] && break; sleep 0.1; done
	run_as "$rt" exec --user 1000:1000 "$id" sh -c 'echo exec uid $(id -u) gid $(id -g)'
	local exec_rc=$? exec_out=$SOUT
	as_user "$rt" delete -f "$id" >/dev/null 2>&1
	[ "$(cat "$SD/data/id" 2>/dev/null)" = 1000 ] || { echo "id inside: $(cat "$SD/data/id" 2>&1)" >>"$SD/log"; return 1; }
	[ "$(stat -c %u "$SD/data/file")" = $((SUB_START + 999)) ] || { echo "file owner $(stat -c %u "$SD/data/file")" >>"$SD/log"; return 1; }
	[ $exec_rc = 0 ] && SOUT=$exec_out expect "exec uid 1000 gid 1000"
}

s_plain_netns() {
	bundle "$1" '.linux.namespaces += [{"type": "network"}] | .process.args = ["sh", "-c", "grep -c : /proc/net/dev; ip link"]' || return 1
	run_as "$1" run "$(newid "$1")" && [ "$(printf '%s\n' "$SOUT" | head -n 1)" = 1 ] && expect "lo:"
}

# Rootless with the host's pid namespace: no procfs may be mounted (the
# user owns no pid namespace), /proc is a bind of the host's (runc's
# "shared pidns + rootless"); the process sees itself there.
s_plain_host_pidns_proc() {
	bundle "$1" '.linux.namespaces -= [{"type": "pid"}]
		| .mounts |= map((select(.type == "proc") | .type = "none" | .source = "/proc"
			| .options = ["rbind", "nosuid", "nodev", "noexec"]) // .)
		| .process.args = ["sh", "-c", "[ $$ != 1 ] && [ $(cut -d\\  -f1 /proc/self/stat) != 1 ] && echo host-pidns-proc"]' || return 1
	run_as "$1" run "$(newid "$1")" && expect "host-pidns-proc"
}

# A new time namespace with offsets in the rootless user namespace.
s_plain_timens() {
	bundle "$1" '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 7881, "nanosecs": 2718281}}
		| .process.args = ["cat", "/proc/self/timens_offsets"]' || return 1
	run_as "$1" run "$(newid "$1")" && expect "7881"
}

s_plain_readonly_rootfs() {
	bundle "$1" '.root.readonly = true | .process.args = ["sh", "-c", "touch /newfile 2>/dev/null && echo writable || echo read-only"]' || return 1
	run_as "$1" run "$(newid "$1")" && expect "read-only" && [ ! -e "$ROOTFS/newfile" ]
}

# In a cgroup the host delegated to the user (linux.cgroupsPath below it),
# the container gets its own cgroups: `ps` lists its processes and a pids
# limit lands in its pids.max. Without a delegated cgroup neither runtime
# has a cgroup to list.
s_plain_delegated_cgroup() {
	local rt=$1 id rc max
	id=$(newid "$rt")
	bundle "$rt" '.process.args = ["sleep", "1000"] | .linux.cgroupsPath = "/'"$DELEG/$id"'"
		| .linux.resources.pids.limit = 7' || return 1
	in_deleg run_as "$rt" run -d "$id" || return 1
	run_as "$rt" ps "$id"
	rc=$?
	max=$(cat "/sys/fs/cgroup/pids/$DELEG/$id/pids.max" "/sys/fs/cgroup/$DELEG/$id/pids.max" 2>/dev/null)
	echo "pids.max: $max"
	as_user "$rt" delete -f "$id" >/dev/null 2>&1
	local left
	left=$(ls -d /sys/fs/cgroup/$DELEG/$id /sys/fs/cgroup/*/$DELEG/$id 2>/dev/null)
	[ -z "$left" ] || echo "left after delete: $left"
	[ $rc = 0 ] && expect "sleep 1000" && [ "$max" = 7 ] && [ -z "$left" ]
}

s_plain_list() {
	local rt=$1 id rc
	id=$(newid "$rt")
	bundle "$rt" '.process.args = ["sleep", "1000"]' || return 1
	run_as "$rt" run -d "$id" || return 1
	run_as "$rt" list
	rc=$?
	as_user "$rt" delete -f "$id" >/dev/null 2>&1
	[ $rc = 0 ] && expect "$id" && expect running
}

# The container's /sys/fs/cgroup shows cgroups (the caller's, where the
# runtime could not make one), read-only: with a cgroup namespace (the
# template's) and without one (bound from the host).
CGROUPFS_CHECK='.process.args = ["sh", "-c", "ls /sys/fs/cgroup | wc -l; test -e /sys/fs/cgroup/cgroup.procs -o -e /sys/fs/cgroup/memory/cgroup.procs && echo has-procs; touch /sys/fs/cgroup/x /sys/fs/cgroup/memory/x 2>&1"]'
s_plain_cgroupfs() {
	bundle "$1" "$CGROUPFS_CHECK" || return 1
	run_as "$1" run "$(newid "$1")"
	expect "Read-only file system" && expect has-procs && [ "$(printf '%s\n' "$SOUT" | head -n 1)" != 0 ]
}

s_plain_cgroupfs_no_cgroupns() {
	bundle "$1" "$CGROUPFS_CHECK"' | .linux.namespaces -= [{"type": "cgroup"}]' || return 1
	run_as "$1" run "$(newid "$1")"
	expect "Read-only file system" && expect has-procs && [ "$(printf '%s\n' "$SOUT" | head -n 1)" != 0 ]
}

# ---- the runtime in someone else's user namespace (podman's case) --------
# `unshare -Ur` makes the runtime uid 0 in a user namespace; the config
# (the rootful template) has no user namespace, and no --root is given:
# state under $XDG_RUNTIME_DIR, devices bound from the host, cgroups
# skipped.
s_unshare_no_userns() {
	local rt=$1 id
	id=$(newid "$rt")
	ROOTFUL=1 bundle "$rt" '.process.args = ["sh", "-c", "echo in userns $(id -u); ls -l /dev/null"] |
		.mounts |= map(if .destination == "/dev/pts" then .options -= ["gid=5"] else . end)' || return 1
	run_as unshare -Ur "$rt" run "$id" || return 1
	expect "in userns 0" && expect "crw-rw-rw-" && ! expect "level=warning" && [ ! -e "$RUNDIR/$rt/$id" ]
}

s_unshare_detached_state_root() {
	local rt=$1 id rc
	id=$(newid "$rt")
	ROOTFUL=1 bundle "$rt" '.process.args = ["sleep", "1000"] | .mounts |= map(if .destination == "/dev/pts" then .options -= ["gid=5"] else . end)' || return 1
	# One user namespace for create, state, list and delete, as under podman's pause process.
	run_as unshare -Ur sh -c "$rt run -d $id && test -d '$RUNDIR/$rt/$id' && echo state-in-xdg; $rt list -q; $rt delete -f $id"
	rc=$?
	[ $rc = 0 ] && expect state-in-xdg && expect "$id" && [ ! -e "$RUNDIR/$rt/$id" ]
}

# ---- rootless podman -----------------------------------------------------
IMG=localhost/hull-busybox
podman_setup() {
	mkdir -p "$RL_HOME/.config/containers"
	cat >"$RL_HOME/.config/containers/containers.conf" <<-EOF
		[containers]
		netns = "none"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
	EOF
	# fuse-overlayfs needs /dev/fuse open to the user (0666 on a stock
	# Debian); where it is not, the kernel's overlayfs (unprivileged in a
	# user namespace since Linux 5.11) does the same job.
	if [ -r /dev/fuse ] && [ -w /dev/fuse ] && [ "$(stat -c %a /dev/fuse)" = 666 ]; then
		cat >"$RL_HOME/.config/containers/storage.conf" <<-EOF
			[storage]
			driver = "overlay"
			[storage.options.overlay]
			mount_program = "/usr/bin/fuse-overlayfs"
		EOF
	else
		printf '[storage]\ndriver = "overlay"\n' >"$RL_HOME/.config/containers/storage.conf"
	fi
	chown -R "$RL_USER:" "$RL_HOME/.config"
	tar -C "$ROOTFS" -cf "$W/rootfs.tar" . && chown "$RL_USER:" "$W/rootfs.tar"
	as_user podman import -q "$W/rootfs.tar" "$IMG" >"$W/podman-import.log" 2>&1
}

pm() { run_as podman --runtime "$BIN/$PM_RT" "$@"; }

s_podman_run_rm() { PM_RT=$1 pm run --rm "$IMG" true; }
s_podman_echo() { PM_RT=$1 pm run --rm "$IMG" echo hello podman && expect "hello podman"; }
s_podman_detach_exec_stop_rm() {
	local name
	name=$(newid "$1")
	PM_RT=$1 pm run -d --name "$name" "$IMG" sleep 1000 || return 1
	PM_RT=$1 pm exec "$name" echo exec ok && expect "exec ok" || { PM_RT=$1 pm rm -f -t 0 "$name"; return 1; }
	PM_RT=$1 pm stop -t 1 "$name" || { PM_RT=$1 pm rm -f -t 0 "$name"; return 1; }
	PM_RT=$1 pm rm "$name"
}
s_podman_network_none() { PM_RT=$1 pm run --rm --network none "$IMG" grep -c : /proc/net/dev && [ "$SOUT" = 1 ]; }
s_podman_network_host() {
	local host
	host=$(grep -c : /proc/net/dev)
	PM_RT=$1 pm run --rm --network host "$IMG" grep -c : /proc/net/dev && expect "$host"
}
s_podman_volume() {
	mkdir "$SD/vol" && chown "$RL_USER:" "$SD/vol"
	PM_RT=$1 pm run --rm -v "$SD/vol:/vol" "$IMG" sh -c 'echo from-inside > /vol/f' || return 1
	[ "$(cat "$SD/vol/f")" = from-inside ]
}
s_podman_user_1000() { PM_RT=$1 pm run --rm --user 1000 "$IMG" id -u && expect 1000; }
s_podman_read_only() {
	PM_RT=$1 pm run --rm --read-only "$IMG" sh -c 'touch /x 2>/dev/null && echo writable || echo read-only; touch /tmp/y && echo tmp-ok' &&
		expect read-only && expect tmp-ok
}
s_podman_top() {
	local name rc
	name=$(newid "$1")
	PM_RT=$1 pm run -d --name "$name" "$IMG" sleep 1000 || return 1
	PM_RT=$1 pm top "$name"
	rc=$?
	as_user podman rm -f -t 0 "$name" >/dev/null 2>&1
	[ $rc = 0 ] && expect "sleep 1000"
}
s_podman_exit_3() {
	PM_RT=$1 pm run --rm "$IMG" sh -c 'exit 3'
	[ $? = 3 ]
}
s_podman_missing_command() {
	PM_RT=$1 pm run --rm "$IMG" /no/such/command
	[ $? = 127 ] && expect "no such file or directory"
}
s_podman_not_executable() {
	PM_RT=$1 pm run --rm "$IMG" /noexec
	[ $? = 126 ] && expect "permission denied"
}
s_podman_tty() { PM_RT=$1 pm run --rm -t "$IMG" sh -c 'test -t 0 && test -t 1 && echo has-tty' && expect has-tty; }

# ---- driver --------------------------------------------------------------
PLAIN="plain_run plain_no_warning plain_lifecycle plain_bind_owned_dir plain_subuid plain_netns
	plain_readonly_rootfs plain_host_pidns_proc plain_timens plain_delegated_cgroup plain_list plain_cgroupfs plain_cgroupfs_no_cgroupns unshare_no_userns unshare_detached_state_root"
PODMAN_SCENARIOS="podman_run_rm podman_echo podman_detach_exec_stop_rm podman_network_none
	podman_network_host podman_volume podman_user_1000 podman_read_only podman_top podman_exit_3
	podman_missing_command podman_not_executable podman_tty"
SCENARIOS=$PLAIN
if [ "$PODMAN" = 1 ]; then
	if podman_setup; then
		SCENARIOS="$SCENARIOS $PODMAN_SCENARIOS"
	else
		echo "podman setup failed:"
		cat "$W/podman-import.log"
		exit 1
	fi
fi

start=$(date +%s)
declare -A result
printf '%-32s %-6s %-6s\n' scenario hull runc
regressions=0
for s in $SCENARIOS; do
	[[ $s =~ $ONLY ]] || continue
	for rt in hull runc; do
		SD=$W/s-$s-$rt
		mkdir -p "$SD" && chown "$RL_USER:" "$SD"
		if "s_$s" "$rt" >>"$SD/log" 2>&1; then result[$s-$rt]=PASS; else result[$s-$rt]=FAIL; fi
	done
	printf '%-32s %-6s %-6s\n' "$s" "${result[$s-hull]}" "${result[$s-runc]}"
	if [ "${result[$s-hull]}" = FAIL ]; then
		sed 's/^/    hull| /' "$W/s-$s-hull/log" | tail -n 15
		[ "${result[$s-runc]}" = PASS ] && regressions=$((regressions + 1))
	fi
done
echo "scenarios took $(($(date +%s) - start)) s"
if [ $regressions -gt 0 ]; then
	echo "FAIL: hull fails $regressions scenario(s) that runc passes"
	exit 1
fi
echo "PASS: hull passes every scenario runc passes"
