#!/bin/bash
# Runs hull under dockerd (--add-runtime), then runc under the same
# scenarios, and prints PASS/FAIL for each side by side.
#
# Usage: integration/engines/docker.sh HULL_BINARY [RUNC_BINARY]
#
# A private dockerd (its own --data-root, --exec-root and managed
# containerd, an API on a unix socket only, --bridge=none, no iptables,
# vfs storage, cgroupfs with a cgroup parent of our own) knows both
# runtimes by name; it is stopped by pid at the end and the trap removes
# its shims, mounts, cgroups and dirs even when a scenario fails. The
# busybox image is built here from the host's static busybox and imported
# with `docker import`: no registry.
#
# Exit status: 1 if hull fails a scenario runc passes, else 0.
set -u
. "$(dirname "$0")/lib.sh"

HULL=$(readlink -f "${1:?usage: $0 HULL_BINARY [RUNC_BINARY]}")
RUNC=${2:-/usr/sbin/runc}
ENGINE_TIMEOUT=${ENGINE_TIMEOUT:-60}

[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$HULL" ] || die "hull binary $HULL not executable"
apt_install docker.io runc busybox-static
RUNC=$(readlink -f "$RUNC")
[ -x "$RUNC" ] || die "runc binary $RUNC not executable"

T=$(mktemp -d /tmp/hull-docker.XXXXXX)
CGP=hull-docker-$$
IMAGE=busybox:hull-engines
DOCKERD_PID=
# Made by dockerd (or its containerd) whatever the flags: removed at the end
# only if this run made them.
PREEXISTING=()
for d in /etc/docker /run/docker /run/containerd; do
	[ -e "$d" ] && PREEXISTING+=("$d")
done
made_here() { [[ " ${PREEXISTING[*]} " != *" $1 "* ]]; }

export DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/cli
dk() { timeout "$ENGINE_TIMEOUT" docker "$@"; }

cleanup() {
	set +e
	if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
		dk rm -f $(dk ps -aq) >/dev/null 2>&1
		kill "$DOCKERD_PID"
		for _ in $(seq 1 150); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$DOCKERD_PID" 2>/dev/null
		wait "$DOCKERD_PID" 2>/dev/null
	fi
	# dockerd's containerd and the shims name our exec root.
	for pid in $(pgrep -f -- "$T/exec" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	awk -v t="$T" '$2 ~ "^"t {print $2}' /proc/self/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	for d in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/"$CGP"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	made_here /etc/docker && rm -rf /etc/docker
	made_here /run/docker && rm -rf /run/docker
	made_here /run/containerd && rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_dockerd() {
	mkdir -p "$T/data" "$T/exec" "$T/cli"
	# The daemon's identity key, else /etc/docker/key.json (no flag for it).
	printf '{"deprecated-key-path": "%s"}\n' "$T/key.json" >"$T/daemon.json"
	dockerd --data-root "$T/data" --exec-root "$T/exec" --pidfile "$T/docker.pid" \
		-H "unix://$T/docker.sock" --config-file "$T/daemon.json" \
		--bridge=none --iptables=false --ip-masq=false --storage-driver vfs \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CGP" \
		--add-runtime "hull=$HULL" --add-runtime "runc-ref=$RUNC" >"$T/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	for _ in $(seq 1 300); do
		dk version >/dev/null 2>&1 && return 0
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$T/dockerd.log" >&2
	die "dockerd did not start"
}

# ---- scenarios ----
# docker's runtime names: hull, and runc-ref for the runc compared with
# (docker's own "runc" is whatever runc is on its PATH).
rt_name() { [ "$RT_NAME" = hull ] && echo hull || echo runc-ref; }
run_d() { dk run --runtime "$(rt_name)" --network none "$@"; }
start_detached() { # id cmd...: a running container
	local id=$1
	shift
	run_d -d --name "$id" "$IMAGE" "$@" >/dev/null 2>&1 || return 1
	[ "$(state "$id")" = running ]
}
state() { dk inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
remove() { dk rm -f "$1" >/dev/null 2>&1; }
host_cgroup_file() { # id controller file
	local pid cg
	pid=$(dk inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)
	cg=$(awk -F: -v c="$2" '$2 ~ "(^|,)"c"(,|$)" {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
	echo "/sys/fs/cgroup/$2$cg/$3"
}
docker_in_pty() { in_pty env DOCKER_HOST="$DOCKER_HOST" DOCKER_CONFIG="$DOCKER_CONFIG" docker "$@"; }

sc_run_rm_echo() {
	local out
	out=$(run_d --rm --name "$ID" "$IMAGE" echo hello-docker 2>&1)
	[ "$out" = hello-docker ] || echo "output: $out"
}
sc_exit_code() {
	local rc=0
	run_d --rm --name "$ID" "$IMAGE" sh -c 'exit 3' >/dev/null 2>&1 || rc=$?
	[ $rc = 3 ] || echo "exit code $rc, want 3"
}
sc_exec() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(dk exec "$ID" sh -c 'echo exec-$((40+2))' 2>&1)
	[ "$out" = exec-42 ] || echo "exec output: $out"
	remove "$ID"
}
sc_exec_it() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(docker_in_pty exec -it "$ID" sh -c "'tty; echo tty-exec-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q tty-exec-ok <<<"$out" || echo "output: $out"
	remove "$ID"
}
sc_run_it() {
	local out
	out=$(docker_in_pty run -it --rm --runtime "$(rt_name)" --network none --name "$ID" "$IMAGE" \
		sh -c "'tty; echo tty-run-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q tty-run-ok <<<"$out" || echo "output: $out"
}
sc_restart() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local p1 p2 out
	p1=$(dk inspect -f '{{.State.Pid}}' "$ID")
	dk restart -t 1 "$ID" >/dev/null 2>&1 || echo "restart failed"
	p2=$(dk inspect -f '{{.State.Pid}}' "$ID")
	[ "$(state "$ID")" = running ] && [ "$p1" != "$p2" ] || echo "after restart: $(state "$ID"), pid $p1 -> $p2"
	out=$(dk exec "$ID" echo restarted 2>&1)
	[ "$out" = restarted ] || echo "exec after restart: $out"
	remove "$ID"
}
sc_stop_timeout() {
	# PID 1 without a TERM handler ignores SIGTERM: stop -t 1 must SIGKILL.
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	dk stop -t 1 "$ID" >/dev/null 2>&1 || echo "stop failed"
	local c
	c=$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$ID")
	[ "$c" = "exited 137" ] || echo "after stop -t 1: $c (want exited 137)"
	remove "$ID"
}
sc_stop_graceful() {
	start_detached "$ID" sh -c 'trap "exit 7" TERM; while true; do sleep 0.2; done' ||
		{ echo "container did not start"; remove "$ID"; return; }
	dk stop -t 20 "$ID" >/dev/null 2>&1 || echo "stop failed"
	local c
	c=$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$ID")
	[ "$c" = "exited 7" ] || echo "after stop: $c (want exited 7)"
	remove "$ID"
}
sc_kill() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	dk kill "$ID" >/dev/null 2>&1 || echo "kill failed"
	local c
	c=$(dk wait "$ID" 2>&1)
	[ "$c" = 137 ] || echo "wait: $c, want 137"
	remove "$ID"
}
sc_pause_unpause() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	dk pause "$ID" >/dev/null 2>&1 || echo "pause failed"
	[ "$(state "$ID")" = paused ] || echo "after pause: $(state "$ID")"
	dk unpause "$ID" >/dev/null 2>&1 || echo "unpause failed"
	local out
	out=$(dk exec "$ID" echo thawed 2>&1)
	[ "$out" = thawed ] || echo "exec after unpause: $out"
	remove "$ID"
}
# Exit codes docker maps from the runtime's error text: 127 when it names
# the command and says "executable file not found" or "no such file or
# directory", 126 for "permission denied", else 125.
sc_exit_127_path() {
	local out rc=0
	out=$(run_d --rm --name "$ID" "$IMAGE" nosuchcmd 2>&1) || rc=$?
	[ $rc = 127 ] || echo "rc $rc (want 127): $out"
}
sc_exit_127_abs() {
	local out rc=0
	out=$(run_d --rm --name "$ID" "$IMAGE" /no/such/cmd 2>&1) || rc=$?
	[ $rc = 127 ] || echo "rc $rc (want 127): $out"
}
sc_exit_126() {
	local out rc=0
	out=$(run_d --rm --name "$ID" "$IMAGE" /bin/notexec 2>&1) || rc=$?
	[ $rc = 126 ] || echo "not executable: rc $rc (want 126): $out"
	rc=0
	out=$(run_d --rm --name "$ID-dir" "$IMAGE" /bin 2>&1) || rc=$?
	[ $rc = 126 ] || echo "a directory: rc $rc (want 126): $out"
}
sc_exit_125() {
	# An rlimit above the kernel's nr_open fails in the runtime whatever
	# its capabilities; the text maps to neither 126 nor 127.
	local out rc=0
	out=$(run_d --rm --name "$ID" --ulimit nofile=99999999:99999999 "$IMAGE" true 2>&1) || rc=$?
	[ $rc = 125 ] || echo "rc $rc (want 125): $out"
}
sc_exec_missing_cmd() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out rc=0
	out=$(dk exec "$ID" /no/such/cmd 2>&1) || rc=$?
	[ $rc = 126 ] || [ $rc = 127 ] || echo "rc $rc (want 126 or 127): $out"
	grep -qi 'no such file or directory' <<<"$out" || echo "error text: $out"
	out=$(dk exec "$ID" echo still-ok 2>&1)
	[ "$out" = still-ok ] || echo "exec after a failed exec: $out"
	remove "$ID"
}
sc_update() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	dk update --memory 128m --memory-swap 256m --pids-limit 40 --cpu-shares 512 "$ID" >/dev/null 2>&1 ||
		echo "update failed"
	local f v
	f=$(host_cgroup_file "$ID" memory memory.limit_in_bytes)
	v=$(cat "$f" 2>&1)
	[ "$v" = 134217728 ] || echo "$f: $v"
	f=$(host_cgroup_file "$ID" pids pids.max)
	v=$(cat "$f" 2>&1)
	[ "$v" = 40 ] || echo "$f: $v"
	f=$(host_cgroup_file "$ID" cpu cpu.shares)
	v=$(cat "$f" 2>&1)
	[ "$v" = 512 ] || echo "$f: $v"
	remove "$ID"
}
sc_top() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(dk top "$ID" 2>&1)
	grep -q 'sleep 300' <<<"$out" || echo "top: $out"
	remove "$ID"
}
sc_stats() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(dk stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' "$ID" 2>&1)
	grep -qE '^1 [0-9.]+[KMG]i?B / ' <<<"$out" || echo "stats: $out"
	remove "$ID"
}
sc_init() {
	local out
	out=$(run_d --rm --init --name "$ID" "$IMAGE" ps -o pid,args 2>&1)
	grep -qE '^ *1 .*docker-init' <<<"$out" || echo "ps: $out"
}
sc_read_only_tmpfs() {
	local out rc=0
	out=$(run_d --rm --read-only --tmpfs /run:size=1m --name "$ID" "$IMAGE" sh -c \
		'touch /x 2>&1; touch /run/y && echo tmpfs-writable; grep " /run " /proc/mounts' 2>&1) || rc=$?
	grep -q 'Read-only file system' <<<"$out" || echo "rootfs writable: $out"
	grep -q tmpfs-writable <<<"$out" || echo "tmpfs not writable: $out"
	grep -q '^tmpfs /run tmpfs rw,.*size=1024k' <<<"$out" || echo "tmpfs mount: $out"
}

SCENARIOS=(run_rm_echo exit_code exec exec_it run_it restart stop_timeout stop_graceful kill pause_unpause
	exit_127_path exit_127_abs exit_126 exit_125 exec_missing_cmd update top stats init read_only_tmpfs)
[ -n "${ENGINES_SCENARIOS:-}" ] && read -ra SCENARIOS <<<"$ENGINES_SCENARIOS"

start_dockerd
build_rootfs_tar "$T/image-rootfs" "$T/image.tar"
dk import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' "$T/image.tar" "$IMAGE" >/dev/null 2>&1 || {
	dk import "$T/image.tar" "$IMAGE"
	die "docker import failed"
}

echo "dockerd $(dk version --format '{{.Server.Version}}'), --add-runtime hull|runc-ref (vfs storage, cgroupfs, no network)"
echo "hull: $HULL"
echo "runc: $RUNC ($("$RUNC" --version | head -1))"
run_all hull "$HULL"
run_all runc "$RUNC"
report dockerd
