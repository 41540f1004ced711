#!/bin/bash
# Run the OCI runtime-tools validation programs against a runtime, print a
# table and the closing line `conformance: N passed, N failed`, and compare
# with the expectation file.
#
# usage: conformance/run.sh [PROGRAM...]     (default: every program)
# environment:
#   CONFORMANCE_RUNTIME   absolute path of the runtime under test (required)
#   CONFORMANCE_CACHE     build/work/log directory (default .cache/conformance)
#   CONFORMANCE_EXPECTED  expectation file (default conformance/expected.txt)
#   CONFORMANCE_TIMEOUT   seconds per program (default 60)
#   CONFORMANCE_PREBUILT  set: do not build, the programs are in the cache
#
# A program is clean when its TAP has at least one `ok`, no `not ok`, and it
# exits 0. Exit status 1 when a program expected clean is not, when one
# expected not clean is clean (NEWLY CLEAN: update the expectation file in
# the same commit), or when a program is missing from the expectation file
# or listed there but not built (STALE).
#
# Everything runs from main, called on the last line, so that editing this
# file during a run cannot change the run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
runtime=${CONFORMANCE_RUNTIME:-}
cache=${CONFORMANCE_CACHE:-$top/.cache/conformance}
expected_file=${CONFORMANCE_EXPECTED:-$here/expected.txt}
limit=${CONFORMANCE_TIMEOUT:-60}
lock=/run/lock/hull-conformance.lock

# expected[name] = "clean" | "not-clean"
declare -A expected=()

read_expected() {
	local name verdict
	[[ -f $expected_file ]] || return 0
	while read -r name verdict _; do
		[[ -z $name || $name == \#* ]] && continue
		expected[$name]=$verdict
	done <"$expected_file"
}

# reap_group PGID: waits up to 5 s for the processes a program left in its
# process group (runtime calls still running), then kills them.
reap_group() {
	local i
	for i in {1..50}; do
		pgrep -g "$1" >/dev/null || return 0
		sleep 0.1
	done
	echo "cleanup: processes outlived the program:"
	ps -o pid=,args= -g "$1" | sed 's/^/    /'
	kill -KILL -- "-$1" 2>/dev/null || true
}

# run_one NAME: runs the program, writes logs/NAME.log, prints
# "ok notok skip exit leftovers".
run_one() {
	local name=$1 tmp=$cache/tmp/$1 root=$cache/root/$1
	local out=$logs/$name.out err=$logs/$name.err trace=$logs/$name.trace
	local rc=0 ok notok skip left=no pid
	rm -rf "$tmp" "$root"
	mkdir -p "$tmp" "$root"
	: >"$trace"
	# timeout makes itself a process group leader: $pid is the group.
	(
		cd "$work"
		export TMPDIR=$tmp RUNTIME=$here/runtime-wrapper.sh
		export CONFORMANCE_RUNTIME=$runtime CONFORMANCE_ROOT=$root CONFORMANCE_TRACE=$trace
		exec timeout -k 5 "$limit" "$bin/$name" 9>&-
	) >"$out" 2>"$err" </dev/null &
	pid=$!
	wait "$pid" || rc=$?
	reap_group "$pid" >"$logs/$name.cleanup" 2>&1
	"$here/cleanup.sh" "$runtime" "$root" "$tmp" >>"$logs/$name.cleanup" 2>&1 || true
	[[ -s $logs/$name.cleanup ]] && left=yes
	ok=$(grep -c '^ok ' "$out" || true)
	notok=$(grep -c '^not ok ' "$out" || true)
	skip=$(grep -ci '^ok [0-9]* *# *skip' "$out" || true)
	{
		echo "== $name: exit $rc$( ((rc == 124)) && echo " (timeout ${limit}s)")"
		echo "== stdout"; cat "$out"
		echo "== stderr"; cat "$err"
		echo "== runtime calls"; cat "$trace"
		echo "== cleanup"; cat "$logs/$name.cleanup"
	} >"$logs/$name.log"
	rm -f "$out" "$err" "$trace" "$logs/$name.cleanup"
	echo "$ok $notok $skip $rc $left"
}

main() {
	local name ok notok skip rc left clean want note
	local passed=0 failed=0 mismatch=0 notes=() leftovers=() programs=()
	local row='%-40s %4s %7s %5s %5s %6s  %s\n'

	[[ $(id -u) == 0 ]] || { echo "conformance: must run as root" >&2; exit 2; }
	[[ $runtime == /* && -x $runtime ]] || {
		echo "conformance: CONFORMANCE_RUNTIME=$runtime is not an executable absolute path" >&2
		exit 2
	}

	# Programs use fixed cgroup paths (/cgrouptest): one run at a time per machine.
	exec 9>"$lock"
	if ! flock -w 1 9; then
		echo "conformance: waiting for another run to finish" >&2
		flock -w 1800 9 || { echo "conformance: another run holds the lock" >&2; exit 2; }
	fi

	# CONFORMANCE_PREBUILT=1: the programs are in $cache already (the v2
	# VM runs what the host built, without Go's build cache).
	[[ -n ${CONFORMANCE_PREBUILT:-} ]] || "$here/build.sh" "$cache"
	cache=$(cd "$cache" && pwd)
	bin=$cache/bin
	work=$cache/work
	logs=$cache/logs
	rm -rf "$logs"
	mkdir -p "$logs"
	read_expected

	if (($#)); then
		programs=("$@")
	else
		mapfile -t programs < <(find "$bin" -mindepth 1 -maxdepth 1 -type f -executable -printf '%f\n' | sort)
	fi

	printf "$row" program ok "not ok" skip exit clean expected
	for name in "${programs[@]}"; do
		[[ -x $bin/$name ]] || { echo "conformance: no program $name" >&2; exit 2; }
		read -r ok notok skip rc left < <(run_one "$name")
		clean=no
		((ok > 0 && notok == 0 && rc == 0)) && clean=yes
		[[ $clean == yes ]] && passed=$((passed + 1)) || failed=$((failed + 1))
		[[ $left == yes ]] && leftovers+=("$name")
		want=${expected[$name]:-unlisted}
		printf "$row" "$name" "$ok" "$notok" "$skip" "$rc" "$clean" "$want"
		case "$want/$clean" in
		clean/yes | not-clean/no) ;;
		clean/no) notes+=("REGRESSION: $name is not clean (expected clean) — see ${logs#"$top"/}/$name.log") ;;
		not-clean/yes) notes+=("NEWLY CLEAN: $name — update ${expected_file#"$top"/}") ;;
		*) notes+=("UNLISTED: $name is not in ${expected_file#"$top"/}") ;;
		esac
	done

	# A listed program that is not built (renamed or gone upstream) is stale.
	if ((!$#)); then
		for name in "${!expected[@]}"; do
			[[ -x $bin/$name ]] || notes+=("STALE: $name is in ${expected_file#"$top"/} but is not a program")
		done
	fi

	if ((${#leftovers[@]})); then
		echo "left behind (removed; see the cleanup section of the log): ${leftovers[*]}"
	fi
	for note in "${notes[@]}"; do
		echo "$note"
		mismatch=1
	done
	echo "conformance: $passed passed, $failed failed"
	exit "$mismatch"
}

main "$@"
