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

HULL=$(readlink -f "${1:?usage: $0 HULL_BINARY [RUNC_BINARY]}")
RUNC=${2:-/usr/sbin/runc} # Debian's runc, the reference installed below
BUSYBOX=${BUSYBOX:-/bin/busybox}
CTR_TIMEOUT=${CTR_TIMEOUT:-60}

. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$HULL" ] || die "hull binary $HULL not executable"

apt_install containerd runc busybox-static
RUNC=$(readlink -f "$RUNC")
[ -x "$RUNC" ] || die "runc binary $RUNC not executable"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "no static busybox at $BUSYBOX"

T=$(mktemp -d /tmp/hull-engines.XXXXXX)
chmod 0711 "$T" # a user-namespaced container's root must reach its rootfs
SOCK=$T/c.sock
NS=hull-engines-$$
IMAGE=docker.io/library/busybox:hull-engines
CONTAINERD_PID=

ctr_() { timeout "$CTR_TIMEOUT" ctr --address "$SOCK" --namespace "$NS" "$@"; }

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
		kill "$CONTAINERD_PID"
		for _ in $(seq 1 50); do kill -0 "$CONTAINERD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$CONTAINERD_PID" 2>/dev/null
		wait "$CONTAINERD_PID" 2>/dev/null
	fi
	# Shims outlive containerd by design: stop ours (they name our socket).
	for pid in $(pgrep -f -- "-address $SOCK" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	# Mounts under our temp dir (rootfs overlays, shm), deepest first.
	awk -v t="$T" '$2 ~ "^"t {print $2}' /proc/self/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	# containerd's cgroups are /<namespace>/<id>; the runtime removes <id>.
	for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	# The shim makes these whatever its options say (socket and fifo dirs,
	# a runc root per namespace): remove ours, and the parents if now empty.
	rm -rf "/run/containerd/runc/$NS"
	rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the image: busybox as an OCI image layout, imported by ctr ----
build_image() {
	local r=$T/image/rootfs l=$T/image/layout
	mkdir -p "$r"/{bin,dev,proc,sys,tmp,etc,mnt,root} "$l/blobs/sha256"
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in sh echo cat sleep touch ls id true false test mkdir grep tty; do
		ln -s busybox "$r/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$r" -cf "$T/image/layer.tar" .
	blob() { # file -> prints "digest size", stores it in blobs
		local h s
		h=$(sha256sum "$1" | cut -d' ' -f1)
		s=$(stat -c %s "$1")
		cp "$1" "$l/blobs/sha256/$h"
		echo "sha256:$h $s"
	}
	local layer config manifest
	read -r ld ls_ < <(blob "$T/image/layer.tar")
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
		"$ld" >"$T/image/config.json"
	read -r cd cs < <(blob "$T/image/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
		"$cd" "$cs" "$ld" "$ls_" >"$T/image/manifest.json"
	read -r md ms < <(blob "$T/image/manifest.json")
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"hull-engines"}}]}' \
		"$md" "$ms" "$IMAGE" >"$l/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$l/oci-layout"
	tar -C "$l" -cf "$T/image.tar" oci-layout index.json blobs
}

# ---- a private containerd ----
start_containerd() {
	mkdir -p "$T/root" "$T/state" "$T/opt"
	cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$T/opt"
EOF
	containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
	CONTAINERD_PID=$!
	for _ in $(seq 1 100); do
		ctr --address "$SOCK" version >/dev/null 2>&1 && return 0
		kill -0 "$CONTAINERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$T/containerd.log" >&2
	die "containerd did not start"
}

# ---- scenarios: each prints nothing on success, a reason on failure ----
# $RT is the runtime binary, $RT_ROOT its state root, $ID a fresh id.
run_() { ctr_ run --runc-binary "$RT" --runc-root "$RT_ROOT" "$@"; }
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
sc_exec() {
	start_detached "$ID" sleep 300 || { echo "detached task did not start"; return; }
	local out
	out=$(ctr_ task exec --exec-id e1 "$ID" sh -c 'echo exec-$((40+2))' 2>&1)
	[ "$out" = exec-42 ] || echo "exec output: $out"
	cleanup_task "$ID"
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

# ctr wants its own stdin to be a terminal for -t: script(1) gives it one.
in_pty() { timeout "$CTR_TIMEOUT" script -qec "$*" /dev/null </dev/null | tr -d '\r'; }
sc_tty_run() {
	local out
	out=$(in_pty ctr --address "$SOCK" --namespace "$NS" run -t --rm --runc-binary "$RT" \
		--runc-root "$RT_ROOT" "$IMAGE" "$ID" sh -c "'tty; echo tty-run-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q 'tty-run-ok' <<<"$out" || echo "output: $out"
}
sc_tty_exec() {
	start_detached "$ID" sleep 300 || { echo "detached task did not start"; return; }
	local out
	out=$(in_pty ctr --address "$SOCK" --namespace "$NS" task exec -t --exec-id t1 "$ID" \
		sh -c "'tty; echo tty-exec-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q 'tty-exec-ok' <<<"$out" || echo "output: $out"
	cleanup_task "$ID"
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

SCENARIOS=(run_rm_echo exit_code exec kill_exit kill_all_shared_pid pause_resume metrics read_only bind_mount memory_limit
	tty_run tty_exec cpu_quota userns run_missing_cmd exec_missing_cmd)
# ENGINES_SCENARIOS="exec userns" runs only those.
[ -n "${ENGINES_SCENARIOS:-}" ] && read -ra SCENARIOS <<<"$ENGINES_SCENARIOS"
declare -A RESULT REASON

run_all() { # name binary
	local name=$1 s why
	RT=$2
	RT_ROOT=$T/runtime-root-$name
	mkdir -p "$RT_ROOT"
	for s in "${SCENARIOS[@]}"; do
		ID=$name-${s//_/-}-$RANDOM
		why=$("sc_$s" 2>&1)
		if [ -z "$why" ]; then
			RESULT[$name,$s]=PASS
		else
			RESULT[$name,$s]=FAIL
			REASON[$name,$s]=$why
		fi
		echo "  $name $s: ${RESULT[$name,$s]}${why:+ ($why)}" >&2
	done
}

build_image
start_containerd
ctr_ images import "$T/image.tar" >/dev/null 2>&1 || {
	ctr_ images import "$T/image.tar"
	die "image import failed"
}
ctr_ images ls -q | grep -qx "$IMAGE" || die "imported image $IMAGE not listed"

echo "containerd $(containerd --version | awk '{print $3}'), ctr run --runc-binary, shim io.containerd.runc.v2"
echo "hull: $HULL"
echo "runc: $RUNC ($("$RUNC" --version | head -1))"
run_all hull "$HULL"
run_all runc "$RUNC"

passed=0 failed=0 regressions=0 rpassed=0 rfailed=0
printf '\n%-18s %-6s %-6s\n' scenario hull runc
for s in "${SCENARIOS[@]}"; do
	h=${RESULT[hull,$s]} r=${RESULT[runc,$s]}
	printf '%-18s %-6s %-6s\n' "$s" "$h" "$r"
	[ "$h" = PASS ] && passed=$((passed + 1)) || failed=$((failed + 1))
	[ "$r" = PASS ] && rpassed=$((rpassed + 1)) || rfailed=$((rfailed + 1))
	if [ "$h" = FAIL ] && [ "$r" = PASS ]; then
		regressions=$((regressions + 1))
		echo "  hull: ${REASON[hull,$s]}"
	fi
done
echo "containerd: hull $passed passed, $failed failed (runc $rpassed passed, $rfailed failed; hull fails $regressions that runc passes)"
[ $regressions = 0 ]
