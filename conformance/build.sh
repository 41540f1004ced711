#!/bin/bash
# Build the OCI runtime-tools validation programs and runtimetest from the
# runtime-tools module pinned in go.mod, and lay out the working directory
# the programs expect: runtimetest and rootfs-<arch>.tar.gz next to them.
#
# usage: conformance/build.sh CACHE_DIR [v2]
#   CACHE_DIR/bin/<program>          the validation programs
# With v2, only the linux_cgroups_* programs, built from a copy of the
# module with conformance/v2/ applied: runtime-tools cannot read cgroup v2
# ("cgroupv2 is not supported yet"); the copy reads the v2 files and
# compares in v2's units (conformance/v2/README.md).
#   CACHE_DIR/work/runtimetest       the in-container checker (static)
#   CACHE_DIR/work/rootfs-amd64.tar.gz
# Rebuilds only when the pinned version or the Go toolchain changed.
set -euo pipefail

cache=${1:?usage: build.sh CACHE_DIR [v2]}
mode=${2:-}
mod=github.com/opencontainers/runtime-tools
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
cd "$(dirname "$0")/.."

version=$(go list -m -f '{{.Version}}' "$mod")
stamp="$mod@$version $(go env GOVERSION)"
if [[ $mode == v2 ]]; then
	stamp="$stamp v2 $(find conformance/v2 -name '*.go' -o -name '*.patch' | sort | xargs cat | md5sum | cut -c1-32)"
fi
bin=$cache/bin
work=$cache/work

if [[ -f $cache/stamp && $(<"$cache/stamp") == "$stamp" &&
	-x $work/runtimetest && -f $work/rootfs-amd64.tar.gz ]]; then
	exit 0
fi

echo "conformance: building $mod@$version validation programs" >&2
go mod download "$mod"
src=$(go list -m -f '{{.Dir}}' "$mod")
rm -rf "$bin" "$cache/stamp"
mkdir -p "$bin" "$work"

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
cp -r "$src"/. "$tools"
chmod -R u+w "$tools"
if [[ $mode == v2 ]]; then
	patch -s -d "$tools" -p1 <conformance/v2/runtime-tools-cgroupv2.patch
	cp -r conformance/v2/_overlay/. "$tools"
	(cd "$tools" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -o "$bin/" ./validation/linux_cgroups_*)
else
	# One binary per main package under validation/ (util is a library).
	go build -o "$bin/" "$mod/validation/..."
fi
# runtimetest runs inside the busybox rootfs: it must be static. It is
# built as runtime-tools releases it, from its own go.mod and go.sum:
# it calls go-selinux's label.FileLabel, which go-selinux 1.12 removed,
# and hull needs go-selinux 1.13 (GO-2025-4098).
(cd "$tools" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -tags "netgo osusergo" -o "$work/runtimetest" ./cmd/runtimetest)
install -m 0644 "$src/rootfs-amd64.tar.gz" "$work/rootfs-amd64.tar.gz"

echo "$stamp" >"$cache/stamp"
