#!/bin/bash
# Runs hull under podman (with conmon), then runc under the same scenarios,
# and prints PASS/FAIL for each side by side.
#
# Usage: integration/engines/podman.sh HULL_BINARY [RUNC_BINARY]
#
# podman gets a private storage root, run root and tmp dir in a temp dir
# (vfs driver, no network, cgroupfs manager with a cgroup parent of our own)
# and a private containers.conf naming both runtimes, listed in
# runtime_supports_json so podman passes them --log-format=json. podman is
# not a daemon; the trap removes our containers, conmons, mounts, cgroups
# and dirs even when a scenario fails. The busybox image is built here from
# the host's static busybox and imported with `podman import`: no registry.
#
# Exit status: 1 if hull fails a scenario runc passes, else 0.
set -u
. "$(dirname "$0")/lib.sh"

HULL=$(readlink -f "${1:?usage: $0 HULL_BINARY [RUNC_BINARY]}")
RUNC=${2:-/usr/sbin/runc}
ENGINE_TIMEOUT=${ENGINE_TIMEOUT:-60}

[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$HULL" ] || die "hull binary $HULL not executable"
apt_install podman conmon runc busybox-static
RUNC=$(readlink -f "$RUNC")
[ -x "$RUNC" ] || die "runc binary $RUNC not executable"

T=$(mktemp -d /tmp/hull-podman.XXXXXX)
CGP=hull-podman-$$
IMAGE=localhost/busybox:hull-engines
# podman keeps its image-metadata cache under /var/lib/containers whatever
# its root: remove it at the end only if this run made it.
VLC_EXISTED=0
[ -e /var/lib/containers ] && VLC_EXISTED=1

export CONTAINERS_CONF=$T/containers.conf
export CONTAINERS_REGISTRIES_CONF=$T/registries.conf
pm() {
	timeout "$ENGINE_TIMEOUT" podman --root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file "$@"
}
# rt_pm: podman with the runtime under test, by its name in containers.conf.
rt_pm() { pm --runtime "$RT_NAME" "$@"; }
RUN_FLAGS=(--cgroup-parent "/$CGP")

cleanup() {
	set +e
	pm rm -af -t 0 >/dev/null 2>&1
	pm rmi -af >/dev/null 2>&1
	for pid in $(pgrep -f -- "conmon .*$T" 2>/dev/null); do
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
	if [ $VLC_EXISTED = 0 ]; then
		rm -rf /var/lib/containers
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The host cannot raise a hard rlimit (no CAP_SYS_RESOURCE on some hosts):
# podman's defaults (nofile 1048576, nproc 32768 or its own) would fail in
# any runtime, so the containers get at most the limits we run with.
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
cat >"$T/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime_supports_json = ["hull", "runc"]
[engine.runtimes]
hull = ["$HULL"]
runc = ["$RUNC"]
EOF
: >"$T/registries.conf"

# ---- scenarios ----
start_detached() { # id cmd...: a running container
	local id=$1
	shift
	rt_pm run -d "${RUN_FLAGS[@]}" --name "$id" "$IMAGE" "$@" >/dev/null 2>&1 || return 1
	[ "$(state "$id")" = running ]
}
state() { pm inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
exit_code_of() { pm inspect -f '{{.State.ExitCode}}' "$1" 2>/dev/null; }
remove() { pm rm -f -t 0 "$1" >/dev/null 2>&1; }
# host_cgroup_file id controller file: the host path of a container's v1 cgroup file.
host_cgroup_file() {
	local pid cg
	pid=$(pm inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)
	cg=$(awk -F: -v c="$2" '$2 ~ "(^|,)"c"(,|$)" {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
	echo "/sys/fs/cgroup/$2$cg/$3"
}

sc_run_rm_echo() {
	local out
	out=$(rt_pm run --rm "${RUN_FLAGS[@]}" --name "$ID" "$IMAGE" echo hello-podman 2>&1)
	[ "$out" = hello-podman ] || echo "output: $out"
}
sc_exit_code() {
	local rc=0
	rt_pm run --rm "${RUN_FLAGS[@]}" --name "$ID" "$IMAGE" sh -c 'exit 3' >/dev/null 2>&1 || rc=$?
	[ $rc = 3 ] || echo "exit code $rc, want 3"
}
sc_exec() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(pm exec "$ID" sh -c 'echo exec-$((40+2))' 2>&1)
	[ "$out" = exec-42 ] || echo "exec output: $out"
	remove "$ID"
}
sc_exec_tty() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(in_pty podman --root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file exec -it "$ID" sh -c "'tty; echo tty-exec-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q tty-exec-ok <<<"$out" || echo "output: $out"
	remove "$ID"
}
sc_tty_run() {
	local out
	out=$(in_pty podman --root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file --runtime "$RT_NAME" run -it --rm \
		--cgroup-parent "/$CGP" --name "$ID" "$IMAGE" sh -c "'tty; echo tty-run-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q tty-run-ok <<<"$out" || echo "output: $out"
}
sc_logs() {
	start_detached "$ID" sh -c 'echo to-stdout; echo to-stderr >&2; sleep 300' ||
		{ echo "container did not start"; remove "$ID"; return; }
	local out
	for _ in $(seq 1 50); do
		out=$(pm logs "$ID" 2>&1)
		grep -q to-stdout <<<"$out" && grep -q to-stderr <<<"$out" && break
		sleep 0.1
	done
	grep -q to-stdout <<<"$out" && grep -q to-stderr <<<"$out" || echo "logs: $out"
	remove "$ID"
}
sc_stop_graceful() {
	# A TERM handler that exits 7: stop delivers SIGTERM and reports its exit.
	start_detached "$ID" sh -c 'trap "exit 7" TERM; while true; do sleep 0.2; done' ||
		{ echo "container did not start"; remove "$ID"; return; }
	pm stop -t 20 "$ID" >/dev/null 2>&1 || echo "stop failed"
	local s c
	s=$(state "$ID") c=$(exit_code_of "$ID")
	[ "$s" = exited ] && [ "$c" = 7 ] || echo "after stop: $s, exit code $c (want exited, 7)"
	remove "$ID"
}
sc_stop_timeout() {
	# PID 1 without a TERM handler ignores SIGTERM: stop -t 1 must SIGKILL.
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	pm stop -t 1 "$ID" >/dev/null 2>&1 || echo "stop failed"
	local s c
	s=$(state "$ID") c=$(exit_code_of "$ID")
	[ "$s" = exited ] && [ "$c" = 137 ] || echo "after stop -t 1: $s, exit code $c (want exited, 137)"
	remove "$ID"
}
sc_kill() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	pm kill "$ID" >/dev/null 2>&1 || echo "kill failed"
	pm wait "$ID" >/dev/null 2>&1
	local c
	c=$(exit_code_of "$ID")
	[ "$c" = 137 ] || echo "exit code $c, want 137"
	remove "$ID"
}
sc_rm_force() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local full
	full=$(pm inspect -f '{{.ID}}' "$ID" 2>/dev/null)
	pm rm -f -t 0 "$ID" >/dev/null 2>&1 || echo "rm -f failed"
	pm container exists "$ID" && echo "container still listed"
	# podman leaves the runtime's state in its default root.
	"$RT" state "$full" >/dev/null 2>&1 && echo "runtime state of $full left behind"
}
sc_pause_unpause() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	pm pause "$ID" >/dev/null 2>&1 || echo "pause failed"
	local s f out
	s=$(state "$ID")
	[ "$s" = paused ] || echo "after pause: $s"
	f=$(host_cgroup_file "$ID" freezer freezer.state)
	[ "$(cat "$f" 2>&1)" = FROZEN ] || echo "$f: $(cat "$f" 2>&1)"
	pm unpause "$ID" >/dev/null 2>&1 || echo "unpause failed"
	s=$(state "$ID")
	[ "$s" = running ] || echo "after unpause: $s"
	out=$(pm exec "$ID" echo thawed 2>&1)
	[ "$out" = thawed ] || echo "exec after unpause: $out"
	remove "$ID"
}
sc_memory_pids() {
	local RUN_FLAGS=("${RUN_FLAGS[@]}" --memory 64m --pids-limit 50)
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local f v
	f=$(host_cgroup_file "$ID" memory memory.limit_in_bytes)
	v=$(cat "$f" 2>&1)
	[ "$v" = 67108864 ] || echo "$f: $v"
	f=$(host_cgroup_file "$ID" pids pids.max)
	v=$(cat "$f" 2>&1)
	[ "$v" = 50 ] || echo "$f: $v"
	remove "$ID"
}
sc_health_exec() {
	# A healthcheck is an exec whose exit status is the verdict (podman's
	# timer-driven healthchecks need systemd; the exec is the runtime's part).
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local rc
	rc=0
	pm exec "$ID" sh -c 'test -d /proc/1' >/dev/null 2>&1 || rc=$?
	[ $rc = 0 ] || echo "healthy check: rc $rc"
	rc=0
	pm exec "$ID" sh -c 'exit 1' >/dev/null 2>&1 || rc=$?
	[ $rc = 1 ] || echo "unhealthy check: rc $rc, want 1"
	for i in 1 2 3 4 5; do
		rc=0
		pm exec "$ID" true >/dev/null 2>&1 || rc=$?
		[ $rc = 0 ] || echo "check $i: rc $rc"
	done
	[ "$(state "$ID")" = running ] || echo "not running after the checks"
	remove "$ID"
}
sc_top() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(pm top "$ID" 2>&1)
	grep -q 'sleep 300' <<<"$out" || echo "top: $out"
	out=$(pm top "$ID" pid comm 2>&1)
	grep -qE '^ *1 +sleep' <<<"$out" || echo "top pid comm: $out"
	remove "$ID"
}
sc_stats() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(pm stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' "$ID" 2>&1)
	grep -qE '^1 [0-9.]+[kMG]?B / ' <<<"$out" || echo "stats: $out"
	remove "$ID"
}
sc_read_only() {
	local out rc=0
	out=$(rt_pm run --rm --read-only "${RUN_FLAGS[@]}" --name "$ID" "$IMAGE" sh -c 'touch /x && echo wrote' 2>&1) || rc=$?
	[ $rc != 0 ] && grep -q 'Read-only file system' <<<"$out" || echo "write to read-only rootfs: rc $rc, $out"
}
# Error paths: podman maps the runtime's error text (read as JSON from
# --log) to 127 (not found) and 126 (cannot execute).
sc_run_missing_cmd() {
	local out rc=0
	out=$(rt_pm run --rm "${RUN_FLAGS[@]}" --name "$ID" "$IMAGE" /no/such/cmd 2>&1) || rc=$?
	[ $rc = 127 ] && grep -q '/no/such/cmd' <<<"$out" || echo "rc $rc (want 127): $out"
	remove "$ID"
}
sc_run_not_executable() {
	local out rc=0
	out=$(rt_pm run --rm "${RUN_FLAGS[@]}" --name "$ID" "$IMAGE" /bin/notexec 2>&1) || rc=$?
	[ $rc = 126 ] || echo "rc $rc (want 126): $out"
	remove "$ID"
}
sc_exec_missing_cmd() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out rc=0
	out=$(pm exec "$ID" /no/such/cmd 2>&1) || rc=$?
	[ $rc = 127 ] || echo "rc $rc (want 127): $out"
	rc=0
	out=$(pm exec "$ID" /bin/notexec 2>&1) || rc=$?
	[ $rc = 126 ] || echo "not executable: rc $rc (want 126): $out"
	out=$(pm exec "$ID" echo still-ok 2>&1)
	[ "$out" = still-ok ] || echo "exec after a failed exec: $out"
	remove "$ID"
}

SCENARIOS=(run_rm_echo exit_code exec exec_tty tty_run logs stop_graceful stop_timeout kill rm_force
	pause_unpause memory_pids health_exec top stats read_only run_missing_cmd run_not_executable
	exec_missing_cmd)
[ -n "${ENGINES_SCENARIOS:-}" ] && read -ra SCENARIOS <<<"$ENGINES_SCENARIOS"

build_rootfs_tar "$T/image-rootfs" "$T/image.tar"
pm import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' "$T/image.tar" "$IMAGE" >/dev/null 2>&1 || {
	pm import "$T/image.tar" "$IMAGE"
	die "podman import failed"
}

echo "podman $(podman --version | awk '{print $3}'), conmon $(conmon --version | awk 'NR==1 {print $3}'), --runtime hull|runc (vfs storage, cgroupfs)"
echo "hull: $HULL"
echo "runc: $RUNC ($("$RUNC" --version | head -1))"
run_all hull "$HULL"
run_all runc "$RUNC"
report podman
