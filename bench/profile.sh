#!/usr/bin/env bash
# The phase trace over a batch of runs: where a `run` of /bin/true (runc's
# default spec, a busybox rootfs) spends its time, as medians per phase.
# Usage: bench/profile.sh [RUNS]   (as root; `make profile` builds hull)
# Environment: HULL=path/to/hull (default ./hull), HULL_ARGS (extra global
# flags).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
hull=${HULL:-$(pwd)/hull}
work=$(mktemp -d /tmp/hull-profile.XXXXXX)
trap 'rm -rf "$work"' EXIT
go run ./internal/testbundle/cmd/mkbundle "$work/bundle" >/dev/null
(cd "$work/bundle" && "$hull" spec)
go run ./internal/testbundle/cmd/setargs "$work/bundle" true >/dev/null
for i in $(seq "$runs"); do
	# shellcheck disable=SC2086
	HULL_TRACE=1 "$hull" --root "$work/state" ${HULL_ARGS:-} run --bundle "$work/bundle" "profile-$$-$i" 2>>"$work/trace" >/dev/null
done
python3 - "$work/trace" "$runs" <<'PY'
import sys, statistics
phases, order = {}, []
for line in open(sys.argv[1]):
    if not line.startswith("phase trace"):
        continue
    for field in line.split(":", 1)[1].split():
        if "=" not in field:
            continue
        name, value = field.split("=", 1)
        if name not in phases:
            phases[name] = []
            order.append(name)
        phases[name].append(float(value))
print(f"phase trace of `hull run` (/bin/true), medians over {sys.argv[2]} runs, ms")
for name in order:
    vals = phases[name]
    print(f"  {name:<18} {statistics.median(vals):8.3f}   (min {min(vals):.3f}, max {max(vals):.3f})")
PY
