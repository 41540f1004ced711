#!/bin/bash
# The RUNTIME the validation programs call. It runs the runtime under test
# with a state root of its own, so the harness can find and remove every
# container a program leaves behind, and appends each call and its exit
# status to a trace file for diagnosis, with the end of the runtime's
# stderr when the call failed and stderr is a file (programs often drop it).
#
# environment (set by conformance/run.sh):
#   CONFORMANCE_RUNTIME  absolute path of the runtime under test
#   CONFORMANCE_ROOT     state root passed as --root
#   CONFORMANCE_TRACE    file the calls are appended to (optional)
set -uo pipefail

runtime=${CONFORMANCE_RUNTIME:?}
root=${CONFORMANCE_ROOT:?}
trace=${CONFORMANCE_TRACE:-/dev/null}

"$runtime" --root "$root" "$@"
rc=$?
{
	printf '%s --root %s %s => %d\n' "${runtime##*/}" "$root" "$*" "$rc"
	if ((rc != 0)) && [[ -f /proc/self/fd/2 ]]; then
		tail -c 2000 /proc/self/fd/2 | sed 's/^/    stderr: /'
	fi
} >>"$trace"
exit "$rc"
