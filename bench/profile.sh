#!/usr/bin/env bash
# The phase trace over a batch of runs: where each command of issue 12's
# table spends its time, as medians per phase, one block per command:
# `run` of /bin/true (runc's default spec, a busybox rootfs), `create`,
# `start`, `exec` of /bin/true into a running container, `state`, `kill`
# (KILL, of a running container), `delete` (of a stopped container) and
# `list` with PROFILE_LIST_N created containers.
# Usage: bench/profile.sh [RUNS]   (as root; `make profile` builds hull)
# Environment: HULL=path/to/hull (default ./hull), HULL_ARGS (extra global
# flags), PROFILE_LIST_N (default 1000, as the bench's `list` row; 0 skips
# the list block).
#
# Each block also gives the command's wall time from the shell and what
# lies outside the trace (wall - total: fork, the kernel's exec before the
# C constructor, the exit and the wait), and the time after the last mark.
# The commands with a C path (libcontainer/faststart: start, kill, and
# the others that have a ticket) run without HULL_TRACE in the bench:
# their C constructor does the command before the Go runtime, with no
# trace, and HULL_TRACE=1 makes it step aside. So their traced phases are
# Go's, and the block adds their untraced wall time: what the bench times.
# The last block is /bin/true from the same shell: the floor under every
# wall time (the shell's fork, exec, exit and wait of any program).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
hull=${HULL:-$(pwd)/hull}
list_n=${PROFILE_LIST_N:-1000}
work=$(mktemp -d /tmp/hull-profile.XXXXXX)
chmod 755 "$work"
state=$work/state
list_root=$work/list
tag=pf$$
mkdir -p "$state" "$list_root"

# Every container made here is deleted on exit, also after a failure.
cleanup() {
	set +e
	for root in "$state" "$list_root"; do
		"$hull" --root "$root" list -q 2>/dev/null | xargs -r -P 4 -n 1 "$hull" --root "$root" delete -f >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go run ./internal/testbundle/cmd/mkbundle "$work/bundle" >/dev/null
(cd "$work/bundle" && "$hull" spec)
cp -a "$work/bundle" "$work/sleeper"
go run ./internal/testbundle/cmd/setargs "$work/bundle" true >/dev/null
go run ./internal/testbundle/cmd/setargs "$work/sleeper" sleep 1000000 >/dev/null

trace=$work/trace
# h ARGS... runs hull on the profile's state directory, untraced.
# shellcheck disable=SC2086
h() { "$hull" --root "$state" ${HULL_ARGS:-} "$@"; }
# traced [--root DIR] COMMAND ARGS... runs hull with the trace on: its
# trace line and its wall time from the shell go to $trace.
traced() {
	local root=$state t0 t1
	if [ "$1" = --root ]; then
		root=$2
		shift 2
	fi
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2086
	HULL_TRACE=1 "$hull" --root "$root" ${HULL_ARGS:-} "$@" >/dev/null 2>>"$trace"
	t1=$EPOCHREALTIME
	echo "wall $1 $t0 $t1" >>"$trace"
}
# untraced COMMAND ARGS... runs hull as the bench does, without the trace
# (so through the command's C path where it has one): its wall time from
# the shell goes to $trace as COMMAND-untraced.
untraced() {
	local t0 t1
	t0=$EPOCHREALTIME
	h "$@" >/dev/null
	t1=$EPOCHREALTIME
	echo "wall $1-untraced $t0 $t1" >>"$trace"
}
# wait_stopped ID waits for a started /bin/true to exit.
wait_stopped() { until h state "$1" | grep -q '"stopped"'; do :; done; }

if [ "$list_n" -gt 0 ]; then
	echo "profile: creating $list_n containers for list" >&2
	# shellcheck disable=SC2086
	seq "$list_n" | xargs -P 4 -I'{}' "$hull" --root "$list_root" ${HULL_ARGS:-} create -b "$work/bundle" "$tag-l{}"
fi
h create -b "$work/sleeper" "$tag-x"
h start "$tag-x"
echo "profile: $runs runs of each command" >&2
for i in $(seq "$runs"); do
	traced run -b "$work/bundle" "$tag-r$i"
	traced create -b "$work/bundle" "$tag-c$i"
	traced start "$tag-c$i"
	wait_stopped "$tag-c$i"
	traced state "$tag-c$i"
	traced delete "$tag-c$i"
	# The same commands untraced, as the bench runs them (through their
	# C paths where they have one): their wall time only.
	h create -b "$work/bundle" "$tag-f$i"
	untraced start "$tag-f$i"
	wait_stopped "$tag-f$i"
	untraced state "$tag-f$i"
	untraced delete "$tag-f$i"
	traced exec "$tag-x" /bin/true
	h create -b "$work/sleeper" "$tag-k$i"
	h start "$tag-k$i"
	traced kill "$tag-k$i" KILL
	h delete -f "$tag-k$i"
	h create -b "$work/sleeper" "$tag-u$i"
	h start "$tag-u$i"
	untraced kill "$tag-u$i" KILL
	h delete -f "$tag-u$i"
	# The floor of any command from this shell: fork, exec, exit and
	# wait of the smallest program.
	t0=$EPOCHREALTIME
	/bin/true
	t1=$EPOCHREALTIME
	echo "wall true $t0 $t1" >>"$trace"
	if [ "$list_n" -gt 0 ]; then traced --root "$list_root" list; fi
done

python3 - "$trace" "$runs" "$list_n" <<'PY'
import statistics, sys

path, runs, list_n = sys.argv[1], sys.argv[2], int(sys.argv[3])
titles = {
    "run": "`hull run` of /bin/true (runc's default spec, a busybox rootfs)",
    "create": "`hull create` of the same bundle",
    "start": "`hull start` of that created container",
    "exec": "`hull exec` of /bin/true into a running container",
    "state": "`hull state` of a stopped container",
    "kill": "`hull kill KILL` of a running container",
    "delete": "`hull delete` of a stopped container",
    "list": f"`hull list` with {list_n} created containers",
}
phases = {}  # command -> {phase: [ms]}, phases in order of appearance
rest = {}  # command -> [total - sum of phases]
totals = {}  # command -> [total]
walls = {}  # command -> [wall ms]
for line in open(path):
    if line.startswith("phase trace "):
        head, fields = line.split(":", 1)
        cmd = head.split()[2]
        ph = phases.setdefault(cmd, {})
        took = {}
        for field in fields.split():
            if "=" in field:
                name, value = field.split("=", 1)
                took[name] = float(value)
        total = took.pop("total")
        for name, value in took.items():
            ph.setdefault(name, []).append(value)
        totals.setdefault(cmd, []).append(total)
        rest.setdefault(cmd, []).append(total - sum(took.values()))
    elif line.startswith("wall "):
        _, cmd, t0, t1 = line.split()
        ms = (float(t1.replace(",", ".")) - float(t0.replace(",", "."))) * 1000
        walls.setdefault(cmd, []).append(ms)


def row(name, vals, note=""):
    print(f"  {name:<16} {statistics.median(vals):8.3f}   (min {min(vals):.3f}, max {max(vals):.3f}){note}")


print(f"phase trace (HULL_TRACE=1), medians over {runs} runs of each command, ms")
for cmd, title in titles.items():
    if cmd not in phases:
        continue
    print()
    print(title)
    for name, vals in phases[cmd].items():
        row(name, vals)
    row("after-last-mark", rest[cmd], "   total - the phases: returning, output, the executor released")
    row("total", totals[cmd], "   the C constructor to the report")
    if cmd in walls:
        outside = [w - t for w, t in zip(walls[cmd], totals[cmd])]
        row("wall", walls[cmd], "   from the shell")
        row("outside-trace", outside, "   wall - total: fork, exec before the constructor, exit, wait")
    if cmd + "-untraced" in walls:
        row("untraced wall", walls[cmd + "-untraced"], "   without HULL_TRACE, as the bench runs it (its C path, if any)")
print()
print("`/bin/true` from the same shell: the floor of every wall time above")
row("wall", walls["true"], "   fork, exec, exit and wait of the smallest program")
print()
print("start, kill and delete have C paths (libcontainer/faststart): when the")
print("container's directory holds the command's ticket, a C constructor does the command")
print("before the Go runtime starts, with no trace. HULL_TRACE=1 makes those paths step")
print("aside, so their phases above are Go's; their untraced wall is what the bench times.")
print()
print("Phases: go-start: the C constructor's clock reading to the first package init (the Go")
print("runtime's start-up); init: the package inits; cli: main until the command runs")
print("(urfave/cli, logging); load: the bundle read and validated (run, create) or the state")
print("record read (the others); create:*, start:*, exec:*, delete:*, run:*: the crash points")
print("(internal/crashpoint) each phase ends at; state:status, kill:status: the liveness")
print("check; list:dir, list:read, list:print: the directory read, each entry's state, the")
print("table written.")
PY
