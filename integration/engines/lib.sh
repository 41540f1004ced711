# Shared by the engine scripts (sourced, not run): installing packages,
# the busybox root filesystem every engine imports, and running a scenario
# list with hull then runc and printing both side by side.
#
# A scenario is a shell function sc_NAME that prints nothing on success and
# a reason on failure; it sees $RT (the runtime binary), $RT_NAME (hull or
# runc) and $ID (a fresh container name).

die() { echo "engines: $*" >&2; exit 2; }

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

# in_pty CMD...: runs CMD (one shell string) with a terminal as its stdin,
# for clients that insist on one for -t.
in_pty() { timeout "${ENGINE_TIMEOUT:-60}" script -qec "$*" /dev/null </dev/null | tr -d '\r'; }

# run_all NAME BINARY: runs every scenario in SCENARIOS, records RESULT/REASON.
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
	local s h r passed=0 failed=0 regressions=0 rpassed=0 rfailed=0
	printf '\n%-20s %-6s %-6s\n' "$1" hull runc
	for s in "${SCENARIOS[@]}"; do
		h=${RESULT[hull,$s]} r=${RESULT[runc,$s]}
		printf '%-20s %-6s %-6s\n' "$s" "$h" "$r"
		[ "$h" = PASS ] && passed=$((passed + 1)) || failed=$((failed + 1))
		[ "$r" = PASS ] && rpassed=$((rpassed + 1)) || rfailed=$((rfailed + 1))
		if [ "$h" = FAIL ] && [ "$r" = PASS ]; then
			regressions=$((regressions + 1))
			echo "  hull: ${REASON[hull,$s]}"
		fi
	done
	echo "$1: hull $passed passed, $failed failed (runc $rpassed passed, $rfailed failed; hull fails $regressions that runc passes)"
	[ $regressions = 0 ]
}
