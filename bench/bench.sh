#!/usr/bin/env bash
# Side-by-side start-up benchmark of hull, runc and crun on the same bundle.
# Usage: bench/bench.sh [RUNS]   (run as root; `make bench` builds hull first)
# It measures, per runtime: `run` of /bin/true, create+start+delete, and the
# peak RSS of the runtime process during `run`. Numbers go to stdout as a
# table; nothing here asserts a time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
hull=$(pwd)/hull
work=$(mktemp -d)
trap 'for r in $runtimes; do "$(command -v "$r" || echo "$hull")" --root "$work/state-$r" delete -f bench-cs >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
done
(cd "$bundle" && "$hull" spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$bundle/config.json"

runtimes="hull"
for r in runc crun; do command -v "$r" >/dev/null && runtimes="$runtimes $r"; done

bin_of() { if [ "$1" = hull ]; then echo "$hull"; else command -v "$1"; fi; }

printf '%-6s %12s %12s %22s %14s\n' runtime "run(ms)" "stddev" "create+start+delete" "peak RSS(KiB)"
for r in $runtimes; do
	b=$(bin_of "$r")
	root="$work/state-$r"
	run_json=$work/run-$r.json
	cs_json=$work/cs-$r.json
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$run_json" \
		"$b --root $root run -b $bundle bench-run" >/dev/null 2>&1
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$cs_json" \
		"sh -c '$b --root $root create -b $bundle bench-cs && $b --root $root start bench-cs && $b --root $root delete -f bench-cs'" >/dev/null 2>&1
	rss=$( { /usr/bin/time -f '%M' "$b" --root "$root" run -b "$bundle" bench-rss >/dev/null; } 2>&1 | tail -1)
	python3 - "$r" "$run_json" "$cs_json" "$rss" <<'PY'
import json, sys
name, run, cs, rss = sys.argv[1:]
r = json.load(open(run))["results"][0]
c = json.load(open(cs))["results"][0]
print(f"{name:<6} {r['median']*1000:12.2f} {r['stddev']*1000:12.2f} {c['median']*1000:22.2f} {rss:>14}")
PY
done
echo "(medians over $runs runs; hyperfine -N; create+start+delete includes one sh)"
