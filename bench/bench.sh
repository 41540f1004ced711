#!/usr/bin/env bash
# $rt ("BIN --root DIR") is split into words on purpose throughout.
# shellcheck disable=SC2086
# Side-by-side benchmark of hull, runc and crun on the same bundle.
# Usage: bench/bench.sh [RUNS]     (as root; `make bench` builds hull first)
# Environment: HULL=path/to/hull (default ./hull), RUNTIMES="hull runc crun",
# HULL_BASE=path/to/another/hull adds a column "hull-base" (before/after);
# HULL_ONDEMAND=path/to/hull-ondemand (a `-tags noprefork` build, which
# `make bench` makes) adds a column "hull-ondemand": the executor started on
# demand, as for a library user that does not import nsenter/prefork.
# BENCH_LIST_N (default 1000): containers in the state directory for `list`;
# BENCH_PAR_N (default 50): containers run at once; BENCH_HYBRID=0 skips the
# -hybrid columns; BENCH_OUT (default bench/last.md): the Markdown table;
# BENCH_CONTAINERD=0 skips the containerd row; BENCH_ROUNDS (default 10):
# the most rounds a scenario's runs are split into; BENCH_RSS_RUNS (default
# 7): GNU time measurements per peak RSS cell.
#
# One row per scenario of issue 12's table, one column per runtime, and
# hull's ratio to crun and to runc: `run` of /bin/true, without and with
# the default seccomp profile (docker's), create+start+delete,
# `exec` of /bin/true into a running container, `state` and `delete` of a
# stopped container and `kill` of a running one (each alone; hyperfine's
# --prepare makes a fresh container per run), `list` with BENCH_LIST_N
# created containers, BENCH_PAR_N containers run at once (the makespan), peak
# RSS of `run`, `start` and `delete`, the cheap commands (`--version`,
# `state` of a created container, `list` with 5), and `ctr run --rm` of
# busybox true through a private containerd whose runc shim calls each
# runtime (the setup of integration/engines: lib.sh; skipped with a message
# when containerd is missing or does not start). The table is printed and
# written as Markdown to BENCH_OUT. Nothing here asserts a time: the numbers
# are for people to read.
#
# Interleaved: this 2-vCPU VM drifts by several ms over minutes, so a
# runtime measured in a time slot of its own carries the drift into every
# ratio (a paired check found a 0.4 ms gap where the one-after-the-other
# table said 2.4). Each scenario's runs are split into rounds; in every
# round each runtime (column) takes a turn of a few runs (one hyperfine
# call, a warm-up run first), the order rotated by one from round to round,
# and a cell is the median of all of its runs (hyperfine's per-run times,
# merged). Expensive setup (the running sleeper of exec, the stopped
# container of state, the created containers of list, containerd and its
# image) is made for every column before the rounds and removed after;
# per-run preparation stays hyperfine's --prepare.
#
# cgroups: crun 1.8 refuses the hybrid layout ("cgroups in hybrid mode not
# supported") while the v2 hierarchy has a controller. So the main columns
# run every runtime in a private mount namespace in which
# /sys/fs/cgroup/unified is unmounted: all three then see plain cgroup v1
# and do the same cgroup work. Extra columns ("-hybrid") run hull and runc on
# the machine's real layout, interleaved with the main ones.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
hull=${HULL:-$(pwd)/hull}
wanted=${RUNTIMES:-hull runc crun}
list_n=${BENCH_LIST_N:-1000}
par_n=${BENCH_PAR_N:-50}
out_md=${BENCH_OUT:-$(pwd)/bench/last.md}
rounds_max=${BENCH_ROUNDS:-10}
rss_runs=${BENCH_RSS_RUNS:-7}
for n in "$runs" "$rounds_max" "$rss_runs"; do
	[ "$n" -ge 1 ] 2>/dev/null || { echo "bench: RUNS, BENCH_ROUNDS and BENCH_RSS_RUNS must be numbers >= 1" >&2; exit 2; }
done
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# The slow scenarios (many containers per timed run) get fewer runs.
slow_runs=$((runs / 3 > 3 ? runs / 3 : 3))
work=$(mktemp -d /tmp/hull-bench.XXXXXX)
chmod 755 "$work"
tag=b$$

bin_of() {
	case $1 in
	hull) echo "$hull" ;;
	hull-base) echo "$HULL_BASE" ;;
	hull-ondemand) echo "$HULL_ONDEMAND" ;;
	*) command -v "$1" ;;
	esac
}

runtimes=
for r in $wanted; do
	if [ "$r" = hull ] || command -v "$r" >/dev/null; then runtimes="$runtimes $r"; fi
	if [ "$r" = hull ] && [ -n "${HULL_BASE:-}" ]; then runtimes="$runtimes hull-base"; fi
	if [ "$r" = hull ] && [ -n "${HULL_ONDEMAND:-}" ]; then runtimes="$runtimes hull-ondemand"; fi
done

# Every container this script may have made, in every state directory, is
# deleted on exit, also when a run failed halfway.
cleanup() {
	set +e
	for r in $runtimes; do
		b=$(bin_of "$r")
		for root in "$work"/state-"$r"*; do
			[ -d "$root" ] || continue
			for id in $("$b" --root "$root" list -q 2>/dev/null); do
				"$b" --root "$root" delete -f "$id" >/dev/null 2>&1
			done
		done
	done
	if [ -n "${CONTAINERD_PID:-}" ]; then
		for id in $(ctr_ containers ls -q 2>/dev/null); do
			ctr_ task delete -f "$id" >/dev/null 2>&1
			ctr_ containers delete "$id" >/dev/null 2>&1
		done
		stop_containerd "$work/ctr.sock"
		rm_cgroup_trees "$ctr_ns"
		rm -rf "/run/containerd/runc/$ctr_ns"
		rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in hyperfine /usr/bin/time python3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench-deps)" >&2; exit 1; }
done

bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
done
(cd "$bundle" && "$hull" spec)
# crun 1.8 knows spec versions up to 1.0.2 only; the others do not care.
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/; s/"ociVersion": *"[^"]*"/"ociVersion": "1.0.2"/' "$bundle/config.json"
# A second bundle on the same rootfs whose process sleeps: the running
# container of the exec and kill scenarios.
sleeper=$work/sleeper
mkdir -p "$sleeper"
sed 's|"path": "rootfs"|"path": "'"$bundle"'/rootfs"|; s/"true"$/"sleep", "1000000"/' \
	"$bundle/config.json" >"$sleeper/config.json"

# A third one whose config carries the default seccomp profile
# (docker's/containerd's, ~300 rules; the copy in seccomp/testdata).
seccomped=$work/seccomp
mkdir -p "$seccomped"
python3 - "$sleeper/config.json" seccomp/testdata/default.json "$seccomped/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["process"]["args"] = ["true"]
config["linux"]["seccomp"] = json.load(open(sys.argv[2]))
json.dump(config, open(sys.argv[3], "w"), indent=1)
PY

# Helpers for hyperfine's --prepare and the scenarios, one file each so that
# the quoting stays plain. Arguments: BIN ROOT ID.
cat >"$work/stopped.sh" <<SH
#!/bin/sh
# A fresh stopped container: /bin/true created, started and exited.
"\$1" --root "\$2" delete -f "\$3" >/dev/null 2>&1
"\$1" --root "\$2" create -b "$bundle" "\$3" && "\$1" --root "\$2" start "\$3" || exit 1
until "\$1" --root "\$2" state "\$3" | grep -q '"stopped"'; do :; done
SH
cat >"$work/running.sh" <<SH
#!/bin/sh
# A fresh running container (sleep), replacing the one of the previous run.
"\$1" --root "\$2" delete -f "\$3" >/dev/null 2>&1
"\$1" --root "\$2" create -b "$sleeper" "\$3" && "\$1" --root "\$2" start "\$3"
SH
cat >"$work/parallel.sh" <<SH
#!/bin/sh
# BIN ROOT PREFIX N: N containers of /bin/true run at once; fails if one did.
i=0
pids=
while [ "\$i" -lt "\$4" ]; do
	i=\$((i + 1))
	"\$1" --root "\$2" run -b "$bundle" "\$3-\$i" >/dev/null &
	pids="\$pids \$!"
done
fail=0
for pid in \$pids; do wait "\$pid" || fail=1; done
exit \$fail
SH
chmod +x "$work"/*.sh

# in_v1 runs a command in a mount namespace where the v2 hierarchy of a
# hybrid host is hidden, so that the runtimes see cgroup v1 only.
in_v1() {
	if [ -d /sys/fs/cgroup/unified ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
		unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# results holds one line per measurement: scenario, runtime, value.
results=$work/results.tsv
: >"$results"
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"; }

# median_ms FILE prints the median of a hyperfine JSON export, in ms.
median_ms() { python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"; }

# ---- columns and rounds ----
# A column is a runtime in a cgroup view: its name, the wrapper its
# commands run under (in_v1 or env), its binary and its state directory.
col_name=() col_wrap=() col_bin=() col_root=()
add_column() {
	col_name+=("$1") col_wrap+=("$2") col_bin+=("$3") col_root+=("$4")
	mkdir -p "$4"
}
for r in $runtimes; do
	add_column "$r" in_v1 "$(bin_of "$r")" "$work/state-$r"
done
main_cols=$(seq -s ' ' 0 $((${#col_name[@]} - 1)))
hybrid=
hybrid_cols=
if [ "${BENCH_HYBRID:-1}" = 1 ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	hybrid=1
	for r in $runtimes; do
		[ "$r" = crun ] && continue
		hybrid_cols="$hybrid_cols ${#col_name[@]}"
		add_column "$r-hybrid" env "$(bin_of "$r")" "$work/state-$r-hybrid"
	done
fi
# cols: the columns the scenarios act on (indexes), all but for `list`.
all_cols="$main_cols$hybrid_cols"
cols=$all_cols

# use_column I selects column I for the scenario functions: $name, $wrap,
# $b (the binary), $root and $rt (both: "BIN --root DIR"); $id prefixes
# the column's container ids and $out its files.
use_column() {
	name=${col_name[$1]} wrap=${col_wrap[$1]} b=${col_bin[$1]} root=${col_root[$1]}
	rt="$b --root $root" id=$tag-$name out=$work/$name
}

# each FN [ARGS...] calls FN once for every column of $cols, selected.
each() {
	local i
	for i in $cols; do
		use_column "$i"
		"$@"
	done
}

# rotate N FN [ARGS...]: N rounds; in each, every column of $cols takes its
# turn (FN ARGS... ROUND, the column selected), the order rotated by one
# from one round to the next, so that no column keeps its place in time.
rotate() {
	local n=$1 k j c
	shift
	read -ra c <<<"$cols"
	for ((k = 0; k < n; k++)); do
		for ((j = 0; j < ${#c[@]}; j++)); do
			use_column "${c[(j + k) % ${#c[@]}]}"
			"$@" "$k"
		done
	done
}

# file_of SCENARIO prints the prefix of the selected column's files for it.
file_of() { echo "$out-$(echo "$1" | tr -c 'a-zA-Z0-9\n' _)"; }

# rounds SCENARIO RUNS WARMUP FN measures SCENARIO in RUNS timed runs per
# column, interleaved: min(RUNS, rounds_max) rounds of about the same
# number of runs, each turn one call of FN SCENARIO N WARMUPS (which calls
# timed). WARMUP is "FIRST,LATER": the warm-up runs of a column's turn in
# the first round and in the later ones. Each column's cell is the median
# of all its runs; a column whose turn failed (only FNs that tolerate it:
# containerd) gets none.
rounds() {
	local n=$2 nr
	nr=$((n < rounds_max ? n : rounds_max))
	echo "bench: $1: $nr rounds" >&2
	rotate "$nr" turn "$@" "$nr"
	each record_median "$1"
}

# turn SCENARIO RUNS WARMUP FN NROUNDS ROUND: the selected column's share.
turn() {
	local scenario=$1 n=$2 fn=$4 nr=$5 k=$6 warm=${3%,*}
	[ -e "$(file_of "$scenario").failed" ] && return 0
	[ "$k" -eq 0 ] || warm=${3#*,}
	"$fn" "$scenario" $((n / nr + (k < n % nr ? 1 : 0))) "$warm"
}

# timed SCENARIO RUNS WARMUP [HYPERFINE OPTIONS...] COMMAND: one turn of
# the selected column, its hyperfine export kept for record_median.
turns=0
timed() {
	local scenario=$1 n=$2 warm=$3 f
	shift 3
	f=$(file_of "$scenario")
	turns=$((turns + 1))
	"$wrap" hyperfine -N --warmup "$warm" --runs "$n" --export-json "$f.$turns.json" "$@" >"$f.log" 2>&1 ||
		{ echo "bench: $name: $scenario failed:" >&2; cat "$f.log" >&2; return 1; }
}

# record_median SCENARIO records the median of every run of the selected
# column's turns (none: no cell).
record_median() {
	local f
	f=$(file_of "$1")
	compgen -G "$f.*.json" >/dev/null || return 0
	record "$1" "$name" "$(python3 - "$f".*.json <<'PY'
import json, statistics, sys
times = [t for path in sys.argv[1:] for t in json.load(open(path))["results"][0]["times"]]
print("%.2f" % (statistics.median(times) * 1000))
PY
)"
}

# peak_rss SCENARIO COMMAND... adds the peak RSS (KiB) of the runtime and
# its children during COMMAND (GNU time) to the selected column's list.
peak_rss() {
	local f
	f=$(file_of "$1")
	shift
	{ "$wrap" /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -1 >>"$f.rss"
}

# record_rss SCENARIO records the median of the column's peak RSSs, in MiB.
record_rss() {
	record "$1" "$name" "$(sort -n "$(file_of "$1").rss" |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1024 }')"
}

# ---- the scenarios ----
# A turn function runs one turn of the selected column: timed SCENARIO N
# WARMUP with its command line.
turn_run() { timed "$@" "$rt run -b $bundle $id-run"; }
turn_run_seccomp() { timed "$@" "$rt run -b $seccomped $id-sec"; }
turn_create_start_delete() {
	timed "$@" "sh -c '$rt create -b $bundle $id-cs && $rt start $id-cs && $rt delete -f $id-cs'"
}
turn_exec() { timed "$@" "$rt exec $id-x /bin/true"; }
turn_state_stopped() { timed "$@" "$rt state $id-s"; }
turn_delete() { timed "$@" --prepare "$work/stopped.sh $b $root $id-d" "$rt delete $id-d"; }
turn_kill() { timed "$@" --prepare "$work/running.sh $b $root $id-k" "$rt kill $id-k KILL"; }
turn_list_many() { timed "$@" "$b --root $root-list list"; }
turn_parallel() { timed "$@" "$work/parallel.sh $b $root $id-p $par_n"; }
turn_version() { timed "$@" "$b --version"; }
turn_state_created() { timed "$@" "$rt state $id-c1"; }
turn_list_few() { timed "$@" "$rt list"; }

# One turn of the peak RSS scenarios: `run`, then `start` of a created
# container and `delete` of it stopped.
turn_rss() {
	peak_rss "peak RSS of run (MiB)" $rt run -b "$bundle" "$id-rss"
	"$wrap" $rt create -b "$bundle" "$id-rs"
	peak_rss "peak RSS of start (MiB)" $rt start "$id-rs"
	until $rt state "$id-rs" | grep -q '"stopped"'; do :; done
	peak_rss "peak RSS of delete (MiB)" $rt delete "$id-rs"
}

# Set-up and removal, once per column around a scenario's rounds.
delete_own() {
	local s
	for s in "$@"; do "$wrap" $rt delete -f "$id-$s"; done
}
make_running() { "$wrap" "$work/running.sh" "$b" "$root" "$id-x"; }
make_stopped() { "$wrap" "$work/stopped.sh" "$b" "$root" "$id-s"; }
make_created() {
	local i
	for i in 1 2 3 4 5; do "$wrap" $rt create -b "$bundle" "$id-c$i"; done
}
# list_n created containers in a state directory of their own (the
# cleanup on exit covers it: state-NAME-list).
make_list() {
	mkdir -p "$root-list"
	seq "$list_n" | "$wrap" xargs -P 4 -I'{}' "$b" --root "$root-list" create -b "$bundle" "$id-l{}"
}
delete_list() { "$b" --root "$root-list" list -q | "$wrap" xargs -P 4 -n 1 "$b" --root "$root-list" delete -f; }

# A shell's own start-up, included in create+start+delete.
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/sh.json" "sh -c true" >/dev/null 2>&1

echo "bench: columns: ${col_name[*]}" >&2
rounds "run /bin/true (ms)" "$runs" 2,1 turn_run
rounds "run /bin/true, default seccomp profile (ms)" "$runs" 2,1 turn_run_seccomp
rounds "create+start+delete (ms)" "$runs" 2,1 turn_create_start_delete
each make_running
rounds "exec /bin/true, running container (ms)" "$runs" 2,1 turn_exec
each delete_own x
# state and delete of a stopped container; kill of a running one, since
# all three refuse to kill a stopped container ("container not running").
each make_stopped
rounds "state, stopped container (ms)" "$runs" 2,1 turn_state_stopped
each delete_own s
rounds "delete, stopped container (ms)" "$runs" 2,1 turn_delete
rounds "kill KILL, running container (ms)" "$runs" 2,1 turn_kill
each delete_own k
# list: one cgroup layout's columns at a time, so that at most one set of
# created containers per runtime exists (a created runc container's
# `runc init` keeps ~2.6 MiB of private memory); every ratio the table
# prints is between columns of one layout.
for group in "$main_cols" "$hybrid_cols"; do
	[ -n "$group" ] || continue
	cols=$group
	each make_list
	rounds "list, $list_n containers (ms)" "$slow_runs" 1,0 turn_list_many
	each delete_list
done
cols=$all_cols
rounds "$par_n containers run at once, makespan (ms)" "$slow_runs" 1,0 turn_parallel
echo "bench: peak RSS: $rss_runs rounds" >&2
rotate "$rss_runs" turn_rss
for s in run start delete; do each record_rss "peak RSS of $s (MiB)"; done
# The cheap commands, with five created containers for state and list.
each make_created
rounds "--version (ms)" $((runs * 3)) 2,1 turn_version
rounds "state, created container (ms)" $((runs * 3)) 2,1 turn_state_created
rounds "list, 5 containers (ms)" $((runs * 3)) 2,1 turn_list_few
each delete_own c1 c2 c3 c4 c5

# ---- through containerd ----
# A private containerd (its own root, state and unix socket under $work, no
# CRI plugin; integration/engines/lib.sh's setup) started in the cgroup v1
# view like the main columns, a busybox image built from the host's static
# busybox and imported (no registry), then `ctr run --rm IMAGE ID true` with
# the runc shim v2 calling each runtime (--runc-binary).
ctr_ns=hull-bench-$$
ctr_image=docker.io/library/busybox:hull-bench
ctr_() { timeout 60 ctr --address "$work/ctr.sock" --namespace "$ctr_ns" "$@"; }

# start_bench_containerd prints why it could not, and fails, when containerd
# is missing or does not start.
start_bench_containerd() {
	local d=$work/containerd
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		echo "containerd or ctr is not installed (apt-get install containerd)"
		return 1
	fi
	# lib.sh's die exits; here a failure only skips the row.
	# shellcheck source=integration/engines/lib.sh
	. integration/engines/lib.sh
	die() { echo "$*"; return 1; }
	mkdir -p "$d"
	if ! build_rootfs_tar "$d/rootfs" "$d/layer.tar" ||
		! oci_image_tar "$d/layer.tar" "$d/image.tar" "$ctr_image" '"sh"'; then
		echo "could not build the busybox image"
		return 1
	fi
	containerd_config "$d" "$work/ctr.sock" 'disabled_plugins = ["io.containerd.grpc.v1.cri"]' >"$d/config.toml"
	# Not through in_v1: a function in the background is a subshell, and
	# CONTAINERD_PID must be containerd's own pid for stop_containerd.
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh \
			containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 &
	else
		containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 &
	fi
	CONTAINERD_PID=$!
	for _ in $(seq 1 150); do
		ctr_ version >/dev/null 2>&1 && break
		kill -0 "$CONTAINERD_PID" 2>/dev/null || { echo "containerd exited: $(tail -1 "$d/containerd.log")"; return 1; }
		sleep 0.1
	done
	ctr_ version >/dev/null 2>&1 || { echo "containerd did not answer in 15 s"; return 1; }
	ctr_ images import "$d/image.tar" >"$d/import.log" 2>&1 ||
		{ echo "image import failed: $(tail -1 "$d/import.log")"; return 1; }
}

# One turn through containerd: not under $wrap (containerd itself runs in
# the cgroup v1 view); a failed turn leaves the column without a cell.
turn_containerd() {
	local wrap=env
	mkdir -p "$work/ctr-root-$name"
	timed "$@" "ctr --address $work/ctr.sock --namespace $ctr_ns run --rm --runc-binary $b --runc-root $work/ctr-root-$name $ctr_image $tag-ctr-$name true" ||
		{ echo "bench: $name: ctr run failed, no containerd cell" >&2; touch "$(file_of "$1").failed"; }
}

scenario_containerd() {
	if ! start_bench_containerd >"$work/ctr-why" 2>&1; then
		ctr_skipped=$(tail -1 "$work/ctr-why")
		echo "bench: skipping the containerd row: $ctr_skipped" >&2
		return 0
	fi
	cols=$main_cols
	rounds "ctr run --rm busybox true, containerd (ms)" "$slow_runs" 2,0 turn_containerd
	cols=$all_cols
}
ctr_skipped=
if [ "${BENCH_CONTAINERD:-1}" = 1 ]; then
	scenario_containerd
else
	ctr_skipped="BENCH_CONTAINERD=0"
fi

# nrounds N prints the number of rounds N runs are split into.
nrounds() { echo $(($1 < rounds_max ? $1 : rounds_max)); }

# notes prints the legend of the table.
notes() {
	echo "Medians over $runs runs (list of $list_n and $par_n at once: $slow_runs runs;"
	echo "cheap commands: $((runs * 3)) runs); hull/X: hull's value over X's."
	echo "Interleaved: each scenario in rounds ($(nrounds "$runs"); $(nrounds "$slow_runs") for list of $list_n, $par_n at once"
	echo "and containerd; $(nrounds $((runs * 3))) for the cheap commands), in every round each column a turn of"
	echo "runs/rounds runs after warm-up runs that do not count (2 in the first round, then 1;"
	echo "the slow ones: in the first round only), the order of the columns rotated by one each"
	echo "round; a cell is the median of all its runs."
	echo "Set-up (sleeper, stopped and created containers, containerd) once per column, before"
	echo "the rounds; the list of $list_n one cgroup layout's columns at a time."
	if [ -n "$hybrid" ]; then
		echo "Columns without a suffix: cgroup v1 only (the v2 hierarchy hidden in a private mount"
		echo "namespace; crun 1.8 refuses this machine's hybrid layout); -hybrid: the real layout."
	fi
	echo "create+start+delete runs from one 'sh -c' (sh alone: $(median_ms "$work/sh.json") ms)."
	echo "Peak RSS: median of $rss_runs interleaved GNU time measurements of the largest of the"
	echo "runtime's process and its children (%M is the rusage maxrss of the tree: a maximum"
	echo "over processes, not a sum)."
	if [ -n "$ctr_skipped" ]; then
		echo "containerd row skipped: $ctr_skipped."
	else
		echo "containerd row: ctr run --rm of busybox true, the runc shim v2 calling each runtime"
		echo "($slow_runs runs; containerd in the cgroup v1 view)."
	fi
	echo "Load average (1, 5, 15 min) at the start: $load_start; at the end: $load_end."
}

# table FORMAT prints the results as text or as Markdown.
table() {
	python3 - "$1" "$results" <<'PY'
import sys
fmt, path = sys.argv[1:]
rows, cols, val = [], [], {}
for line in open(path):
    s, r, v = line.rstrip("\n").split("\t")
    if s not in rows:
        rows.append(s)
    if r not in cols:
        cols.append(r)
    val[s, r] = float(v)
# (hull's column, the reference's): to crun and runc, and on the hybrid
# layout to runc there.
pairs = [(h, c) for h, c in (("hull", "crun"), ("hull", "runc"), ("hull-hybrid", "runc-hybrid"))
         if h in cols and c in cols]

def cell(s, r):
    return "%.2f" % val[s, r] if (s, r) in val else "-"

def ratio(s, h, ref):
    if (s, h) in val and val.get((s, ref)):
        return "%.2fx" % (val[s, h] / val[s, ref])
    return "-"

head = ["scenario"] + cols + [h + "/" + c.replace("-hybrid", "") for h, c in pairs]
body = [[s] + [cell(s, c) for c in cols] + [ratio(s, h, c) for h, c in pairs] for s in rows]
if fmt == "md":
    print("| " + " | ".join(head) + " |")
    print("|---" + "|---:" * (len(head) - 1) + "|")
    for line in body:
        print("| " + " | ".join(line) + " |")
else:
    w = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    for line in [head] + body:
        print("  ".join(x.ljust(w[i]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(line)))
PY
}

versions() { for r in $runtimes; do printf '%s: %s\n' "$r" "$("$(bin_of "$r")" --version | sed -n 1p)"; done; }

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
echo
table text
notes
versions
{
	echo "# hull benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)," \
		"kernel $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p))"
	echo
	table md
	echo
	notes | sed 's/$/  /'
	echo
	versions | sed 's/^/- /'
} >"$out_md"
echo "Markdown table: $out_md"
