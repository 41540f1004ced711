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
. "$(dirname "$0")/cli.sh"

init_engine "${1:-}" "${2:-/usr/sbin/runc}" podman conmon runc busybox-static

T=$(mktemp -d /tmp/hull-podman.XXXXXX)
CGP=hull-podman-$$
IMAGE=localhost/busybox:hull-engines
# podman keeps its image-metadata cache under /var/lib/containers whatever
# its root: remove it at the end only if this run made it.
VLC_EXISTED=0
[ -e /var/lib/containers ] && VLC_EXISTED=1

export CONTAINERS_CONF=$T/containers.conf
export CONTAINERS_REGISTRIES_CONF=$T/registries.conf
PM_FLAGS=(--root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" --storage-driver vfs
	--cgroup-manager cgroupfs --events-backend file)
pm() { timeout "$ENGINE_TIMEOUT" podman "${PM_FLAGS[@]}" "$@"; }
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
	umount_under "$T"
	rm_cgroup_trees "$CGP"
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

# ---- scenarios (cli.sh's and these) ----
cli() { pm "$@"; }
cli_run() { rt_pm run "${RUN_FLAGS[@]}" "$@"; }
cli_tty() { in_pty podman "${PM_FLAGS[*]}" "$@"; }
cli_run_tty() { cli_tty --runtime "$RT_NAME" run "${RUN_FLAGS[@]}" "$@"; }
# podman's rm -f waits the stop timeout (10 s) before SIGKILL.
REMOVE_FLAGS=(-f -t 0)
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
sc_rm_force() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local full
	full=$(pm inspect -f '{{.ID}}' "$ID" 2>/dev/null)
	pm rm -f -t 0 "$ID" >/dev/null 2>&1 || echo "rm -f failed"
	pm container exists "$ID" && echo "container still listed"
	# podman leaves the runtime's state in its default root.
	"$RT" state "$full" >/dev/null 2>&1 && echo "runtime state of $full left behind"
}
sc_memory_pids() {
	local RUN_FLAGS=("${RUN_FLAGS[@]}" --memory 64m --pids-limit 50)
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	cgroup_values "$ID" "memory memory.limit_in_bytes 67108864" "pids pids.max 50"
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
sc_top_fields() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(pm top "$ID" pid comm 2>&1)
	grep -qE '^ *1 +sleep' <<<"$out" || echo "top pid comm: $out"
	remove "$ID"
}
sc_read_only() {
	local out rc=0
	out=$(cli_run --rm --read-only --name "$ID" "$IMAGE" sh -c 'touch /x && echo wrote' 2>&1) || rc=$?
	[ $rc != 0 ] && grep -q 'Read-only file system' <<<"$out" || echo "write to read-only rootfs: rc $rc, $out"
}
# Error paths: podman maps the runtime's error text (read as JSON from
# --log) to 127 (not found) and 126 (cannot execute).
sc_run_missing_cmd() {
	local out rc=0
	out=$(cli_run --rm --name "$ID" "$IMAGE" /no/such/cmd 2>&1) || rc=$?
	[ $rc = 127 ] && grep -q '/no/such/cmd' <<<"$out" || echo "rc $rc (want 127): $out"
	remove "$ID"
}
sc_run_not_executable() {
	local out rc=0
	out=$(cli_run --rm --name "$ID" "$IMAGE" /bin/notexec 2>&1) || rc=$?
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
# Rootless podman: the podman scenarios of integration/rootless/run.sh (a
# user made for it with a subuid/subgid range, podman as that user with
# --runtime pointing at each runtime), run once for both runtimes; each
# runtime's column is its result. SKIP with the reason where this host
# cannot run rootless podman (no newuidmap, no user namespaces).
ROOTLESS_ONLY='^podman_(echo|detach_exec_stop_rm|exit_3|tty|read_only)$'
sc_rootless() {
	if [ ! -e "$T/rootless.out" ]; then
		local why=
		command -v newuidmap >/dev/null || why="no newuidmap (package uidmap)"
		[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)" != 0 ] || why="user namespaces disabled (user.max_user_namespaces=0)"
		if [ -n "$why" ]; then
			echo "SKIP: $why" >"$T/rootless.out"
		else
			HULL=$HULL RUNC=$RUNC ONLY=$ROOTLESS_ONLY timeout 300 "$(dirname "$0")/../rootless/run.sh" >"$T/rootless.out" 2>&1
		fi
	fi
	if grep -q '^SKIP: ' "$T/rootless.out"; then
		cat "$T/rootless.out"
		return
	fi
	# run.sh's table: scenario, hull, runc.
	local col=2 failed
	[ "$RT_NAME" = hull ] || col=3
	failed=$(awk -v c=$col '$1 ~ /^podman_/ && NF == 3 && $c != "PASS" {print $1}' "$T/rootless.out")
	grep -qE '^podman_[a-z_0-9]+ +(PASS|FAIL) +(PASS|FAIL)' "$T/rootless.out" ||
		{ echo "rootless run: $(tail -5 "$T/rootless.out")"; return; }
	[ -z "$failed" ] || echo "rootless podman failed: $failed"
}

SCENARIOS=(run_rm_echo exit_code exec exec_tty run_tty logs stop_graceful stop_timeout kill rm_force
	pause_unpause memory_pids health_exec top top_fields stats read_only run_missing_cmd run_not_executable
	exec_missing_cmd exec_output rootless)
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
