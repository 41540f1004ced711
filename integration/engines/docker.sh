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
. "$(dirname "$0")/cli.sh"

init_engine "${1:-}" "${2:-/usr/sbin/runc}" docker.io runc busybox-static

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
	fi
	stop_pid "$DOCKERD_PID"
	# dockerd's containerd and the shims name our exec root.
	for pid in $(pgrep -f -- "$T/exec" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	umount_under "$T"
	rm_cgroup_trees "$CGP"
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

# ---- scenarios (cli.sh's and these) ----
# docker's runtime names: hull, and runc-ref for the runc compared with
# (docker's own "runc" is whatever runc is on its PATH).
rt_name() { [ "$RT_NAME" = hull ] && echo hull || echo runc-ref; }
cli() { dk "$@"; }
cli_run() { dk run --runtime "$(rt_name)" --network none "$@"; }
cli_tty() { in_pty env DOCKER_HOST="$DOCKER_HOST" DOCKER_CONFIG="$DOCKER_CONFIG" docker "$@"; }
cli_run_tty() { cli_tty run --runtime "$(rt_name)" --network none "$@"; }

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
# Exit codes docker maps from the runtime's error text: 127 when it names
# the command and says "executable file not found" or "no such file or
# directory", 126 for "permission denied", else 125.
sc_exit_127_path() {
	local out rc=0
	out=$(cli_run --rm --name "$ID" "$IMAGE" nosuchcmd 2>&1) || rc=$?
	[ $rc = 127 ] || echo "rc $rc (want 127): $out"
}
sc_exit_127_abs() {
	local out rc=0
	out=$(cli_run --rm --name "$ID" "$IMAGE" /no/such/cmd 2>&1) || rc=$?
	[ $rc = 127 ] || echo "rc $rc (want 127): $out"
}
sc_exit_126() {
	local out rc=0
	out=$(cli_run --rm --name "$ID" "$IMAGE" /bin/notexec 2>&1) || rc=$?
	[ $rc = 126 ] || echo "not executable: rc $rc (want 126): $out"
	rc=0
	out=$(cli_run --rm --name "$ID-dir" "$IMAGE" /bin 2>&1) || rc=$?
	[ $rc = 126 ] || echo "a directory: rc $rc (want 126): $out"
}
sc_exit_125() {
	# An rlimit above the kernel's nr_open fails in the runtime whatever
	# its capabilities; the text maps to neither 126 nor 127.
	local out rc=0
	out=$(cli_run --rm --name "$ID" --ulimit nofile=99999999:99999999 "$IMAGE" true 2>&1) || rc=$?
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
	cgroup_values "$ID" "memory memory.limit_in_bytes 134217728" "pids pids.max 40" "cpu cpu.shares 512"
	remove "$ID"
}
sc_init() {
	local out
	out=$(cli_run --rm --init --name "$ID" "$IMAGE" ps -o pid,args 2>&1)
	grep -qE '^ *1 .*docker-init' <<<"$out" || echo "ps: $out"
}
sc_read_only_tmpfs() {
	local out rc=0
	out=$(cli_run --rm --read-only --tmpfs /run:size=1m --name "$ID" "$IMAGE" sh -c \
		'touch /x 2>&1; touch /run/y && echo tmpfs-writable; grep " /run " /proc/mounts' 2>&1) || rc=$?
	grep -q 'Read-only file system' <<<"$out" || echo "rootfs writable: $out"
	grep -q tmpfs-writable <<<"$out" || echo "tmpfs not writable: $out"
	grep -q '^tmpfs /run tmpfs rw,.*size=1024k' <<<"$out" || echo "tmpfs mount: $out"
}

SCENARIOS=(run_rm_echo exit_code exec exec_tty run_tty restart stop_timeout stop_graceful kill pause_unpause
	exit_127_path exit_127_abs exit_126 exit_125 exec_missing_cmd update top stats init read_only_tmpfs exec_output)
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
