# shellcheck shell=bash
# Shared by docker.sh and podman.sh (sourced after lib.sh): the helpers and
# scenarios of a docker-style CLI, written once. The engine script defines
#   cli ARGS...          the client with its daemon or storage flags
#   cli_run ARGS...      `cli run` with the runtime under test ($RT_NAME)
#                        and the engine's run flags
#   cli_tty ARGS...      cli with a terminal as its stdin (in_pty; the
#                        arguments are joined into one shell string)
#   cli_run_tty ARGS...  cli_run likewise
# and IMAGE, the imported busybox image; REMOVE_FLAGS, what `rm` needs to
# remove a running container at once.
REMOVE_FLAGS=(-f)

start_detached() { # id cmd...: a running container
	local id=$1
	shift
	cli_run -d --name "$id" "$IMAGE" "$@" >/dev/null 2>&1 || return 1
	[ "$(state "$id")" = running ]
}
state() { cli inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
status_exit() { cli inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>/dev/null; }
remove() { cli rm "${REMOVE_FLAGS[@]}" "$1" >/dev/null 2>&1; }
exec_plain() { cli exec "$@"; }
exec_tty() { cli_tty exec -it "$1" sh -c "'$2'"; }
# host_cgroup_file id controller file: the host path of a container's v1 cgroup file.
host_cgroup_file() {
	local pid cg
	pid=$(cli inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)
	cg=$(awk -F: -v c="$2" '$2 ~ "(^|,)"c"(,|$)" {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
	echo "/sys/fs/cgroup/$2$cg/$3"
}
# cgroup_values id "controller file want"...: prints each file that differs.
cgroup_values() {
	local id=$1 f v
	shift
	for f in "$@"; do
		set -- $f
		v=$(cat "$(host_cgroup_file "$id" "$1" "$2")" 2>&1)
		[ "$v" = "$3" ] || echo "$1/$2: $v, want $3"
	done
}

sc_run_rm_echo() {
	local out
	out=$(cli_run --rm --name "$ID" "$IMAGE" echo hello-engine 2>&1)
	[ "$out" = hello-engine ] || echo "output: $out"
}
sc_exit_code() {
	local rc=0
	cli_run --rm --name "$ID" "$IMAGE" sh -c 'exit 3' >/dev/null 2>&1 || rc=$?
	[ $rc = 3 ] || echo "exit code $rc, want 3"
}
sc_run_tty() {
	local out
	out=$(cli_run_tty -it --rm --name "$ID" "$IMAGE" sh -c "'tty; echo tty-run-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q tty-run-ok <<<"$out" || echo "output: $out"
}
# stop_expect ID SECONDS WANT: `stop -t SECONDS` ends the container with
# WANT ("exited CODE"); then it is removed.
stop_expect() {
	cli stop -t "$2" "$1" >/dev/null 2>&1 || echo "stop failed"
	local c
	c=$(status_exit "$1")
	[ "$c" = "$3" ] || echo "after stop -t $2: $c (want $3)"
	remove "$1"
}
sc_stop_graceful() {
	# A TERM handler that exits 7: stop delivers SIGTERM and reports its exit.
	start_detached "$ID" sh -c 'trap "exit 7" TERM; while true; do sleep 0.2; done' ||
		{ echo "container did not start"; remove "$ID"; return; }
	stop_expect "$ID" 20 "exited 7"
}
sc_stop_timeout() {
	# PID 1 without a TERM handler ignores SIGTERM: stop -t 1 must SIGKILL.
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	stop_expect "$ID" 1 "exited 137"
}
sc_kill() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	cli kill "$ID" >/dev/null 2>&1 || echo "kill failed"
	local c
	c=$(cli wait "$ID" 2>&1)
	[ "$c" = 137 ] || echo "wait: $c, want 137"
	remove "$ID"
}
sc_pause_unpause() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	cli pause "$ID" >/dev/null 2>&1 || echo "pause failed"
	local s f out
	s=$(state "$ID")
	[ "$s" = paused ] || echo "after pause: $s"
	f=$(host_cgroup_file "$ID" freezer freezer.state)
	[ "$(cat "$f" 2>&1)" = FROZEN ] || echo "$f: $(cat "$f" 2>&1)"
	cli unpause "$ID" >/dev/null 2>&1 || echo "unpause failed"
	s=$(state "$ID")
	[ "$s" = running ] || echo "after unpause: $s"
	out=$(cli exec "$ID" echo thawed 2>&1)
	[ "$out" = thawed ] || echo "exec after unpause: $out"
	remove "$ID"
}
sc_top() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(cli top "$ID" 2>&1)
	grep -q 'sleep 300' <<<"$out" || echo "top: $out"
	remove "$ID"
}
sc_stats() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(cli stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' "$ID" 2>&1)
	grep -qE '^1 [0-9.]+[kKMG]?i?B / ' <<<"$out" || echo "stats: $out"
	remove "$ID"
}
