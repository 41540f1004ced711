#!/bin/bash
# Runs hull under containerd (ctr + the runc shim v2, io.containerd.runc.v2,
# with the runtime binary set to hull), then runc under the same scenarios,
# and prints PASS/FAIL for each side by side.
#
# Usage: integration/engines/containerd.sh HULL_BINARY [RUNC_BINARY]
#
# A private containerd runs on a unix socket in a temp dir (its own root,
# state, opt dir and cgroup namespace name; no TCP, no CRI plugin) and is
# stopped by pid at the end; the trap removes its tasks, mounts, cgroups and
# dirs even when a scenario fails. The busybox image is built here from the
# host's static busybox and imported as an OCI layout tar: no registry.
#
# Exit status: 1 if hull fails a scenario runc passes, else 0.
set -u
. "$(dirname "$0")/lib.sh"

init_engine "${1:-}" "${2:-/usr/sbin/runc}" containerd runc busybox-static

T=$(mktemp -d /tmp/hull-engines.XXXXXX)
chmod 0711 "$T" # a user-namespaced container's root must reach its rootfs
SOCK=$T/c.sock
NS=hull-engines-$$
IMAGE=docker.io/library/busybox:hull-engines

ctr_() { timeout "$ENGINE_TIMEOUT" ctr --address "$SOCK" --namespace "$NS" "$@"; }

cleanup() {
	set +e
	if [ -n "$CONTAINERD_PID" ] && kill -0 "$CONTAINERD_PID" 2>/dev/null; then
		for id in $(ctr_ task ls -q 2>/dev/null); do
			ctr_ task kill -s SIGKILL "$id" >/dev/null 2>&1
			ctr_ task delete -f "$id" >/dev/null 2>&1
		done
		for id in $(ctr_ containers ls -q 2>/dev/null); do
			ctr_ containers delete "$id" >/dev/null 2>&1
		done
		ctr_ images rm "$IMAGE" >/dev/null 2>&1
	fi
	stop_containerd "$SOCK"
	umount_under "$T"
	# containerd's cgroups are /<namespace>/<id>; the runtime removes <id>.
	rm_cgroup_trees "$NS"
	# The shim makes these whatever its options say (socket and fifo dirs,
	# a runc root per namespace): remove ours, and the parents if now empty.
	rm -rf "/run/containerd/runc/$NS"
	rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# taskupdate: containerd's Tasks.Update from the command line (ctr 1.6 has
# no `task update`), built from integration/engines/taskupdate (its own
# module; the Go module proxy the first time).
TASKUPDATE=$T/taskupdate
(cd "$(dirname "$0")/taskupdate" && go build -o "$TASKUPDATE" .) >"$T/taskupdate.log" 2>&1 || {
	cat "$T/taskupdate.log" >&2
	die "building integration/engines/taskupdate failed"
}

# ---- scenarios: each prints nothing on success, a reason on failure ----
# $RT is the runtime binary, $RT_NAME its name, $ID a fresh id; each
# runtime keeps its state in a root of its own.
rt_root() { echo "$T/runtime-root-$RT_NAME"; }
run_() { ctr_ run --runc-binary "$RT" --runc-root "$(rt_root)" "$@"; }
cleanup_task() {
	ctr_ task kill -s SIGKILL "$1" >/dev/null 2>&1
	for _ in $(seq 1 50); do
		ctr_ task ls 2>/dev/null | awk -v id="$1" '$1==id {print $3}' | grep -q RUNNING || break
		sleep 0.1
	done
	ctr_ task delete -f "$1" >/dev/null 2>&1
	ctr_ containers delete "$1" >/dev/null 2>&1
}
task_status() { ctr_ task ls 2>/dev/null | awk -v id="$1" '$1==id {print $3}'; }
DETACH_FLAGS=()
start_detached() { # id cmd... ; ctr run flags in DETACH_FLAGS; waits until RUNNING
	local id=$1
	shift
	run_ -d "${DETACH_FLAGS[@]}" "$IMAGE" "$id" "$@" >/dev/null 2>&1 || return 1
	for _ in $(seq 1 50); do
		[ "$(task_status "$id")" = RUNNING ] && return 0
		sleep 0.1
	done
	return 1
}

# The hooks lib.sh's shared scenarios call.
remove() { cleanup_task "$1"; }
exec_plain() { # id cmd...
	local id=$1
	shift
	ctr_ task exec --exec-id "e$RANDOM" "$id" "$@"
}
exec_tty() { # id 'cmd': ctr wants its own stdin to be a terminal for -t
	in_pty ctr --address "$SOCK" --namespace "$NS" task exec -t --exec-id "t$RANDOM" "$1" sh -c "'$2'"
}

sc_run_rm_echo() {
	local out
	out=$(run_ --rm "$IMAGE" "$ID" echo hello-engines 2>&1)
	[ "$out" = hello-engines ] || echo "output: $out"
}
sc_exit_code() {
	local rc=0
	run_ --rm "$IMAGE" "$ID" sh -c 'exit 3' >/dev/null 2>&1 || rc=$?
	[ $rc = 3 ] || echo "exit code $rc, want 3"
}
sc_kill_exit() {
	local rc=0 pid
	run_ --rm "$IMAGE" "$ID" sleep 300 >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 50); do
		[ "$(task_status "$ID")" = RUNNING ] && break
		sleep 0.1
	done
	ctr_ task kill -s SIGKILL "$ID" >/dev/null 2>&1 || echo "task kill failed"
	wait $pid || rc=$?
	[ $rc = 137 ] || [ $rc = 143 ] || echo "exit code $rc, want 137"
	cleanup_task "$ID"
}
sc_kill_all_shared_pid() {
	# No own pid namespace (a pod's shared one, here another task's): when
	# the init exits, the shim runs `kill --all`, which must reach the
	# child the init left behind.
	local marker=$((31000 + RANDOM % 1000)) st="" holder pid
	holder=$ID-holder
	start_detached "$holder" sleep 300 || { echo "pid namespace holder did not start"; return; }
	pid=$(ctr_ task ls 2>/dev/null | awk -v id="$holder" '$1==id {print $2}')
	run_ -d --with-ns "pid:/proc/$pid/ns/pid" "$IMAGE" "$ID" sh -c "sleep $marker & sleep 0.5" >"$T/kill-all.out" 2>&1 ||
		{ echo "task did not start: $(tail -1 "$T/kill-all.out")"; cleanup_task "$holder"; return; }
	for _ in $(seq 1 100); do
		st=$(task_status "$ID")
		[ "$st" = STOPPED ] && break
		sleep 0.1
	done
	[ "$st" = STOPPED ] || echo "task status $st, want STOPPED"
	for _ in $(seq 1 30); do
		pgrep -x -f "sleep $marker" >/dev/null || break
		sleep 0.1
	done
	if pgrep -x -f "sleep $marker" >/dev/null; then
		echo "the init's child survived its exit (kill --all did not reach it)"
		kill -9 $(pgrep -x -f "sleep $marker")
	fi
	cleanup_task "$ID"
	cleanup_task "$holder"
}
sc_pause_resume() {
	start_detached "$ID" sleep 300 || { echo "detached task did not start"; return; }
	ctr_ task pause "$ID" >/dev/null 2>&1 || echo "pause failed"
	local s
	s=$(task_status "$ID")
	[ "$s" = PAUSED ] || echo "after pause: $s"
	ctr_ task resume "$ID" >/dev/null 2>&1 || echo "resume failed"
	s=$(task_status "$ID")
	[ "$s" = RUNNING ] || echo "after resume: $s"
	cleanup_task "$ID"
}
sc_metrics() {
	start_detached "$ID" sleep 300 || { echo "detached task did not start"; return; }
	local out
	if ! out=$(ctr_ task metrics "$ID" 2>&1); then
		echo "metrics failed: $out"
	elif ! grep -qi 'memory' <<<"$out"; then
		echo "no memory in metrics: $out"
	fi
	cleanup_task "$ID"
}
sc_read_only() {
	local out rc=0
	out=$(run_ --rm --read-only "$IMAGE" "$ID" sh -c 'touch /x && echo wrote' 2>&1) || rc=$?
	if [ $rc = 0 ] || ! grep -q 'Read-only file system' <<<"$out"; then
		echo "write to read-only rootfs: rc $rc, $out"
	fi
	out=$(run_ --rm --read-only "$IMAGE" "$ID-2" cat /etc/passwd 2>&1)
	grep -q '^root:' <<<"$out" || echo "read from read-only rootfs: $out"
}
sc_bind_mount() {
	local d=$T/bind-$ID out
	mkdir -p "$d" && echo "bound-$ID" >"$d/f"
	out=$(run_ --rm --mount "type=bind,src=$d,dst=/mnt/b,options=rbind:rw" "$IMAGE" "$ID" \
		sh -c 'cat /mnt/b/f && echo back >/mnt/b/g' 2>&1)
	[ "$out" = "bound-$ID" ] || echo "in container: $out"
	[ "$(cat "$d/g" 2>/dev/null)" = back ] || echo "write through bind mount not seen on host"
}
sc_memory_limit() {
	# Checked from the host (the task's memory cgroup, v1 or v2) and, where
	# the container has the memory controller mounted, from inside too.
	local DETACH_FLAGS=(--memory-limit 67108864)
	start_detached "$ID" sleep 300 ||
		{ echo "detached task did not start"; return; }
	local pid cg f v out
	pid=$(ctr_ task ls 2>/dev/null | awk -v id="$ID" '$1==id {print $2}')
	cg=$(awk -F: '$2=="memory" {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
	if [ -n "$cg" ]; then
		f=/sys/fs/cgroup/memory$cg/memory.limit_in_bytes
	else
		cg=$(awk -F: '$1=="0" {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
		f=/sys/fs/cgroup/unified$cg/memory.max
		[ -e "$f" ] || f=/sys/fs/cgroup$cg/memory.max
	fi
	v=$(cat "$f" 2>&1)
	[ "$v" = 67108864 ] || echo "host $f: $v"
	out=$(ctr_ task exec --exec-id m1 "$ID" sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max 2>/dev/null || echo absent' 2>&1)
	[ "$out" = 67108864 ] || [ "$out" = absent ] || echo "in container: $out"
	cleanup_task "$ID"
}

sc_tty_run() {
	local out
	out=$(in_pty ctr --address "$SOCK" --namespace "$NS" run -t --rm --runc-binary "$RT" \
		--runc-root "$(rt_root)" "$IMAGE" "$ID" sh -c "'tty; echo tty-run-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q 'tty-run-ok' <<<"$out" || echo "output: $out"
}
# task_cgroup_file id controller file: the host path of a task's cgroup file (v1).
task_cgroup_file() {
	local pid cg
	pid=$(ctr_ task ls 2>/dev/null | awk -v id="$1" '$1==id {print $2}')
	cg=$(awk -F: -v c="$2" '$2 ~ "(^|,)"c"(,|$)" {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
	echo "/sys/fs/cgroup/$2$cg/$3"
}
sc_cpu_quota() {
	local DETACH_FLAGS=(--cpu-quota 50000 --cpu-period 100000)
	start_detached "$ID" sleep 300 || { echo "detached task did not start"; return; }
	local f q p
	f=$(task_cgroup_file "$ID" cpu cpu.cfs_quota_us)
	q=$(cat "$f" 2>&1)
	p=$(cat "${f%/*}/cpu.cfs_period_us" 2>&1)
	[ "$q" = 50000 ] && [ "$p" = 100000 ] || echo "$f: quota $q period $p"
	cleanup_task "$ID"
}
sc_userns() {
	local out
	out=$(run_ --rm --uidmap 0:200000:65536 --gidmap 0:200000:65536 "$IMAGE" "$ID" \
		sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u' 2>&1)
	local want
	want=$(printf '%10s %10s %10s\n%10s %10s %10s\n0' 0 200000 65536 0 200000 65536)
	[ "$(tr -s ' ' <<<"$out" | sed 's/^ //')" = "$(tr -s ' ' <<<"$want" | sed 's/^ //')" ] || echo "output: $out"
}

# Error paths: engines map the runtime's error text (docker: 126/127).
sc_run_missing_cmd() {
	local out rc=0
	out=$(run_ --rm "$IMAGE" "$ID" /no/such/cmd 2>&1) || rc=$?
	[ $rc != 0 ] && grep -qi 'no such file or directory\|not found' <<<"$out" || echo "rc $rc: $out"
	ctr_ containers ls -q 2>/dev/null | grep -qx "$ID" && echo "container left behind"
	ctr_ containers delete "$ID" >/dev/null 2>&1
}
sc_exec_missing_cmd() {
	start_detached "$ID" sleep 300 || { echo "detached task did not start"; return; }
	local out rc=0
	out=$(ctr_ task exec --exec-id x1 "$ID" /no/such/cmd 2>&1) || rc=$?
	[ $rc != 0 ] && grep -qi 'no such file or directory\|not found' <<<"$out" || echo "rc $rc: $out"
	[ "$(task_status "$ID")" = RUNNING ] || echo "task not running after a failed exec"
	rc=0
	out=$(ctr_ task exec --exec-id x2 "$ID" echo still-ok 2>&1) || rc=$?
	[ "$out" = still-ok ] || echo "exec after a failed exec: rc $rc, output '$out'"
	cleanup_task "$ID"
}

# task update: new memory, cpu and pids limits through containerd's
# Tasks.Update (the shim runs the runtime's `update --resources -`), seen in
# the task's cgroups; the pids limit then stops a fork in the container.
sc_task_update() {
	start_detached "$ID" sleep 300 || { echo "detached task did not start"; return; }
	echo '{"memory":{"limit":100663296},"cpu":{"shares":512},"pids":{"limit":8}}' |
		timeout "$ENGINE_TIMEOUT" "$TASKUPDATE" -address "$SOCK" -namespace "$NS" "$ID" 2>&1 ||
		{ echo "task update failed"; cleanup_task "$ID"; return; }
	local f v
	for f in "memory memory.limit_in_bytes 100663296" "cpu cpu.shares 512" "pids pids.max 8"; do
		set -- $f
		v=$(cat "$(task_cgroup_file "$ID" "$1" "$2")" 2>&1)
		[ "$v" = "$3" ] || echo "$1/$2: $v, want $3"
	done
	# sleep 300 and the exec's sh are 2 of the 8: the 7th background sleep fails.
	v=$(ctr_ task exec --exec-id p1 "$ID" sh -c 'i=0; while [ $i -lt 8 ]; do sleep 30 & i=$((i+1)); done' 2>&1)
	grep -q "can't fork" <<<"$v" || echo "8 forks under pids.max 8: $v"
	cleanup_task "$ID"
}

# rootless: not here; containerd's rootless mode (rootlesskit) is not
# packaged in Debian 12.

SCENARIOS=(run_rm_echo exit_code exec kill_exit kill_all_shared_pid pause_resume metrics read_only bind_mount memory_limit
	tty_run exec_tty cpu_quota task_update userns run_missing_cmd exec_missing_cmd exec_output)
# ENGINES_SCENARIOS="exec userns" runs only those.
[ -n "${ENGINES_SCENARIOS:-}" ] && read -ra SCENARIOS <<<"$ENGINES_SCENARIOS"

build_rootfs_tar "$T/image-rootfs" "$T/layer.tar"
oci_image_tar "$T/layer.tar" "$T/image.tar" "$IMAGE" '"sh"'
containerd_config "$T" "$SOCK" 'disabled_plugins = ["io.containerd.grpc.v1.cri"]' >"$T/config.toml"
start_containerd_from "$T/config.toml" "$T/containerd.log" ctr --address "$SOCK" version
ctr_ images import "$T/image.tar" >/dev/null 2>&1 || {
	ctr_ images import "$T/image.tar"
	die "image import failed"
}
ctr_ images ls -q | grep -qx "$IMAGE" || die "imported image $IMAGE not listed"
mkdir -p "$T/runtime-root-hull" "$T/runtime-root-runc"

echo "containerd $(containerd --version | awk '{print $3}'), ctr run --runc-binary, shim io.containerd.runc.v2"
echo "hull: $HULL"
echo "runc: $RUNC ($("$RUNC" --version | head -1))"
run_all hull "$HULL"
run_all runc "$RUNC"
report containerd
