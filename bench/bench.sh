#!/usr/bin/env bash
# Side-by-side start-up benchmark of hull, runc and crun on the same bundle.
# Usage: bench/bench.sh [RUNS]     (as root; `make bench` builds hull first)
# Environment: HULL=path/to/hull (default ./hull), RUNTIMES="hull runc crun",
# HULL_BASE=path/to/another/hull adds a row "hull-base" (before/after);
# HULL_ONDEMAND=path/to/hull-ondemand (a `-tags noprefork` build, which
# `make bench` makes) adds a row "hull-ondemand": the executor started on
# demand, as for a library user that does not import nsenter/prefork.
#
# Per runtime, in one table: `run` of /bin/true, create+start+delete, peak
# RSS of the runtime during `run`, and the cost of the cheap commands
# (`--version`, `state`, `list` with 5 containers). Nothing here asserts a
# time: the numbers are for people to read.
#
# cgroups: crun 1.8 refuses the hybrid layout ("cgroups in hybrid mode not
# supported") while the v2 hierarchy has a controller. So the main rows run
# every runtime in a private mount namespace in which /sys/fs/cgroup/unified
# is unmounted: all three then see plain cgroup v1 and do
# the same cgroup work. Extra rows ("hybrid") run hull and runc on the
# machine's real layout.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
hull=${HULL:-$(pwd)/hull}
wanted=${RUNTIMES:-hull runc crun}
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

# in_v1 runs a command in a mount namespace where the v2 hierarchy of a
# hybrid host is hidden, so that the runtimes see cgroup v1 only.
in_v1() {
	if [ -d /sys/fs/cgroup/unified ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
		unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# median_ms FILE prints the median of a hyperfine JSON export, in ms.
median_ms() { python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"; }

# bench_one NAME WRAP BIN ROOT measures one runtime; WRAP is in_v1 or env.
bench_one() {
	local name=$1 wrap=$2 b=$3 root=$4 id=$tag-$1 out=$work/$1
	mkdir -p "$root"
	local rt="$b --root $root"
	"$wrap" hyperfine -N --warmup 3 --runs "$runs" --export-json "$out-run.json" \
		"$rt run -b $bundle $id-run" >"$out-run.log" 2>&1 || { cat "$out-run.log" >&2; return 1; }
	"$wrap" hyperfine -N --warmup 3 --runs "$runs" --export-json "$out-cs.json" \
		"sh -c '$rt create -b $bundle $id-cs && $rt start $id-cs && $rt delete -f $id-cs'" >"$out-cs.log" 2>&1 || { cat "$out-cs.log" >&2; return 1; }
	local rss
	rss=$( { "$wrap" /usr/bin/time -f '%M' $rt run -b "$bundle" "$id-rss" >/dev/null; } 2>&1 | tail -1)
	# Cheap commands, with five created containers for state and list.
	for i in 1 2 3 4 5; do "$wrap" $rt create -b "$bundle" "$id-c$i"; done
	"$wrap" hyperfine -N --warmup 5 --runs $((runs * 3)) --export-json "$out-cheap.json" \
		"$b --version" "$rt state $id-c1" "$rt list" >"$out-cheap.log" 2>&1 || { cat "$out-cheap.log" >&2; return 1; }
	for i in 1 2 3 4 5; do "$wrap" $rt delete -f "$id-c$i"; done
	python3 - "$name" "$out-run.json" "$out-cs.json" "$rss" "$out-cheap.json" <<'PY'
import json, sys
name, run, cs, rss, cheap = sys.argv[1:]
med = lambda f, i=0: json.load(open(f))["results"][i]["median"] * 1000
r = json.load(open(run))["results"][0]
c = [med(cheap, i) for i in range(3)]
print(f"{name:<16} {r['median']*1000:8.2f} {r['stddev']*1000:7.2f} {med(cs):10.2f} {rss:>9} {c[0]:9.2f} {c[1]:7.2f} {c[2]:7.2f}")
PY
}

# A shell's own start-up, included in create+start+delete.
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/sh.json" "sh -c true" >/dev/null 2>&1

echo "runtime start-up, medians over $runs runs (cheap commands: $((runs * 3))), times in ms"
printf '%-16s %8s %7s %10s %9s %9s %7s %7s\n' runtime run "±sd" "c+s+d" "RSS(KiB)" --version state list
for r in $runtimes; do
	bench_one "$r" in_v1 "$(bin_of "$r")" "$work/state-$r"
done
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	for r in $runtimes; do
		[ "$r" = crun ] && continue
		bench_one "$r-hybrid" env "$(bin_of "$r")" "$work/state-$r-hybrid"
	done
	echo "rows without a suffix: cgroup v1 only (the v2 hierarchy hidden in a private mount"
	echo "namespace; crun 1.8 refuses this machine's hybrid layout); -hybrid: the real layout"
fi
echo "c+s+d: create, start, delete -f from one 'sh -c' (sh alone: $(median_ms "$work/sh.json") ms);"
echo "RSS: peak of the runtime and its children during run (GNU time); list: 5 containers"
for r in $runtimes; do printf '%s: ' "$r"; "$(bin_of "$r")" --version | sed -n 1p; done
