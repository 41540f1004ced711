# shellcheck shell=bash
# Shared by the engine scripts (sourced, not run): checking the runtimes
# and installing packages, the busybox root filesystem and OCI image every
# engine imports, a private containerd (containerd.sh and cri.sh), cleanup,
# running a scenario list with hull then runc and printing both side by
# side, and the scenarios every engine runs.
#
# A scenario is a shell function sc_NAME that prints nothing on success, a
# reason on failure, or "SKIP: reason" where this host cannot run it; it
# sees $RT (the runtime binary), $RT_NAME (hull or runc) and $ID (a fresh
# container name).

die() { echo "engines: $*" >&2; exit 2; }

# init_engine HULL RUNC PACKAGE...: as root, installs the packages and
# checks both runtimes; sets HULL and RUNC (absolute) and ENGINE_TIMEOUT
# (seconds any one engine command may take).
init_engine() {
	[ -n "$1" ] || die "usage: $0 HULL_BINARY [RUNC_BINARY]"
	HULL=$(readlink -f "$1")
	RUNC=$2
	shift 2
	ENGINE_TIMEOUT=${ENGINE_TIMEOUT:-60}
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -x "$HULL" ] || die "hull binary $HULL not executable"
	apt_install "$@"
	RUNC=$(readlink -f "$RUNC")
	[ -x "$RUNC" ] || die "runc binary $RUNC not executable"
}

# stop_pid PID: SIGTERM, up to 15 s to exit, then SIGKILL; reaps it.
stop_pid() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
	kill "$1"
	for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# apt_install retries while another dpkg holds the lock.
apt_install() {
	local missing=()
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	for _ in $(seq 1 30); do
		if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; then
			return 0
		fi
		sleep 5
	done
	die "apt-get install ${missing[*]} failed (dpkg lock held too long or package missing)"
}

# static_busybox prints the path of a statically linked busybox.
static_busybox() {
	local b=${BUSYBOX:-/bin/busybox}
	file -L "$b" 2>/dev/null | grep -q 'statically linked' || b=/bin/busybox
	[ -x "$b" ] || die "no static busybox at $b"
	echo "$b"
}

# build_rootfs_tar DIR TAR: a busybox root filesystem in DIR, packed as TAR
# (owned by root, numeric ids).
build_rootfs_tar() {
	local r=$1 a
	mkdir -p "$r"/{bin,dev,proc,sys,tmp,etc,mnt,root}
	cp "$(static_busybox)" "$r/bin/busybox"
	for a in sh echo cat sleep touch ls id true false test mkdir grep tty ps top wc head; do
		ln -s busybox "$r/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
	# A file that exists but is not executable: the "permission denied" case.
	echo 'not a program' >"$r/bin/notexec"
	chmod 0644 "$r/bin/notexec"
	tar --numeric-owner --owner=0 --group=0 -C "$r" -cf "$2" .
}

# oci_image_tar LAYER_TAR OUT_TAR NAME CMD_JSON [NAME CMD_JSON]...: an OCI
# image layout (as `ctr images import` takes it) with one image per NAME,
# all on the one layer, each with PATH=/bin and CMD_JSON (the inside of a
# JSON array) as its command.
oci_image_tar() {
	local layer=$1 out=$2 l
	shift 2
	l=$(mktemp -d /tmp/hull-oci.XXXXXX)
	mkdir -p "$l/blobs/sha256"
	blob() { # file: stored in blobs; prints "digest size"
		local h
		h=$(sha256sum "$1" | cut -d' ' -f1)
		cp "$1" "$l/blobs/sha256/$h"
		echo "sha256:$h $(stat -c %s "$1")"
	}
	local ld ls_ cd cs md ms manifests=()
	read -r ld ls_ < <(blob "$layer")
	while [ $# -ge 2 ]; do
		printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":[%s]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
			"$2" "$ld" >"$l/config.json"
		read -r cd cs < <(blob "$l/config.json")
		printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
			"$cd" "$cs" "$ld" "$ls_" >"$l/manifest.json"
		read -r md ms < <(blob "$l/manifest.json")
		manifests+=("$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}' \
			"$md" "$ms" "$1" "${1##*:}")")
		shift 2
	done
	rm -f "$l/config.json" "$l/manifest.json"
	(
		IFS=,
		printf '{"schemaVersion":2,"manifests":[%s]}' "${manifests[*]}"
	) >"$l/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$l/oci-layout"
	tar -C "$l" -cf "$out" oci-layout index.json blobs
	rm -rf "$l"
}

# ---- a private containerd (containerd.sh, cri.sh) ----
# containerd_config DIR SOCK [TOP-LEVEL LINE]...: the start of a config.toml
# for a containerd with its root, state and opt dirs in DIR and its API on
# unix socket SOCK only; the caller appends its plugin tables.
containerd_config() {
	local d=$1 sock=$2
	shift 2
	mkdir -p "$d/root" "$d/state" "$d/opt"
	printf 'version = 2\nroot = "%s"\nstate = "%s"\n' "$d/root" "$d/state"
	[ $# = 0 ] || printf '%s\n' "$@"
	printf '[grpc]\n  address = "%s"\n[ttrpc]\n  address = "%s"\n' "$sock" "$sock.ttrpc"
	printf '[debug]\n  address = ""\n[metrics]\n  address = ""\n'
	printf '[plugins."io.containerd.internal.v1.opt"]\n  path = "%s"\n' "$d/opt"
}
# start_containerd_from CONFIG LOG READY_CMD...: starts containerd in the
# background (its pid in CONTAINERD_PID) and waits up to 15 s for
# READY_CMD to succeed.
CONTAINERD_PID=
start_containerd_from() {
	local config=$1 log=$2
	shift 2
	containerd --config "$config" >"$log" 2>&1 &
	CONTAINERD_PID=$!
	for _ in $(seq 1 150); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$CONTAINERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$log" >&2
	die "containerd did not start"
}
# stop_containerd SOCK: stops our containerd by pid, then the shims, which
# outlive containerd by design (ours name our socket).
stop_containerd() {
	stop_pid "$CONTAINERD_PID"
	for pid in $(pgrep -f -- "-address $1" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
}

# ---- cleanup ----
# umount_under DIR: every mount below DIR, deepest first.
umount_under() {
	awk -v t="$1" '$2 ~ "^"t {print $2}' /proc/self/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
}
# rm_cgroup_trees NAME: the cgroup NAME (and the empty cgroups under it,
# deepest first) in every hierarchy.
rm_cgroup_trees() {
	local d
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
}

# in_pty CMD...: runs CMD (one shell string) with a terminal as its stdin,
# for clients that insist on one for -t. The "\r"s are removed unless
# KEEP_CR=1.
in_pty() {
	if [ "${KEEP_CR:-0}" = 1 ]; then
		timeout "${ENGINE_TIMEOUT:-60}" script -qec "$*" /dev/null </dev/null
	else
		timeout "${ENGINE_TIMEOUT:-60}" script -qec "$*" /dev/null </dev/null | tr -d '\r'
	fi
}

# run_all NAME BINARY: runs every scenario in SCENARIOS, records RESULT/REASON.
# A scenario that prints "SKIP: why" is SKIP (this host cannot run it).
declare -A RESULT REASON
run_all() {
	local s why
	RT_NAME=$1
	RT=$2
	for s in "${SCENARIOS[@]}"; do
		ID=$RT_NAME-${s//_/-}-$RANDOM
		why=$("sc_$s" 2>&1)
		if [ -z "$why" ]; then
			RESULT[$RT_NAME,$s]=PASS
		elif [[ $why == SKIP:* ]]; then
			RESULT[$RT_NAME,$s]=SKIP
			REASON[$RT_NAME,$s]=${why#SKIP: }
		else
			RESULT[$RT_NAME,$s]=FAIL
			REASON[$RT_NAME,$s]=$why
		fi
		echo "  $RT_NAME $s: ${RESULT[$RT_NAME,$s]}${why:+ ($why)}" >&2
	done
}

# report ENGINE: the side-by-side table; returns 1 if hull fails a scenario
# runc passes.
report() {
	local s h r passed=0 failed=0 skipped=0 regressions=0 rpassed=0 rfailed=0
	printf '\n%-20s %-6s %-6s\n' "$1" hull runc
	for s in "${SCENARIOS[@]}"; do
		h=${RESULT[hull,$s]} r=${RESULT[runc,$s]}
		printf '%-20s %-6s %-6s\n' "$s" "$h" "$r"
		case $h in
		PASS) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) && echo "  skipped: ${REASON[hull,$s]}" ;;
		*) failed=$((failed + 1)) ;;
		esac
		[ "$r" = PASS ] && rpassed=$((rpassed + 1))
		[ "$r" = FAIL ] && rfailed=$((rfailed + 1))
		if [ "$h" != PASS ] && [ "$r" = PASS ]; then
			regressions=$((regressions + 1))
			echo "  hull: ${REASON[hull,$s]}"
		fi
	done
	echo "$1: hull $passed passed, $failed failed, $skipped skipped (runc $rpassed passed, $rfailed failed; hull fails $regressions that runc passes)"
	[ $regressions = 0 ]
}

# ---- scenarios every engine runs ----
# The engine script defines start_detached ID CMD... (a running container),
# remove ID, exec_plain ID CMD... (an exec without a terminal, output on
# stdout) and exec_tty ID 'CMD' (an exec with a terminal, CMD one shell
# string, output with \r removed).

sc_exec() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(exec_plain "$ID" sh -c 'echo exec-$((40+2))' 2>&1)
	[ "$out" = exec-42 ] || echo "exec output: $out"
	remove "$ID"
}
sc_exec_tty() {
	start_detached "$ID" sleep 300 || { echo "container did not start"; remove "$ID"; return; }
	local out
	out=$(exec_tty "$ID" 'tty; echo tty-exec-ok' 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q tty-exec-ok <<<"$out" || echo "output: $out"
	remove "$ID"
}
# An exec's output came back empty once under load (issue 13): many execs,
# with and without a terminal, while the container keeps a core busy, each
# output compared whole, and one exec that writes 2000 lines and exits at
# once. Every failure prints what came back.
EXEC_OUTPUT_RUNS=${EXEC_OUTPUT_RUNS:-15}
sc_exec_output() {
	start_detached "$ID" sh -c 'while :; do :; done & exec sleep 300' ||
		{ echo "container did not start"; remove "$ID"; return; }
	local i out
	for i in $(seq 1 "$EXEC_OUTPUT_RUNS"); do
		out=$(exec_plain "$ID" echo "out-$i" 2>&1)
		[ "$out" = "out-$i" ] || echo "exec $i: '$out'"
	done
	# The container's pty translates "\n" to "\r\n" (the client's terminal
	# is raw): the line must come whole, with its "\r".
	for i in $(seq 1 $(((EXEC_OUTPUT_RUNS + 2) / 3))); do
		out=$(KEEP_CR=1 exec_tty "$ID" "echo tty-out-$i" 2>&1)
		grep -q "tty-out-$i"$'\r' <<<"$out" || echo "exec -t $i: $(printf %q "$out")"
	done
	out=$(exec_plain "$ID" sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done' 2>&1 | grep -c '^line-')
	[ "$out" = 2000 ] || echo "2000-line exec: $out lines"
	remove "$ID"
}
