# ---- checkpoint/restore with CRIU, in the 6.1 kernel's VM ----
# Debian's CRIU 3.17 fails `criu check` on newer kernels (this machine's
# 6.18 among them), and passes it on the 6.1 kernel the VM suites boot
# (integration/vm/run-in-vm.sh, pure cgroup v2): the checkpoint and restore
# tests run there, against the host's criu (apt-get install criu; the
# guest sees the host's /). On a host where `criu check` fails, `make test`
# runs only the error-path tests (TestCheckpointWithoutWorkingCRIU).
#   make test-checkpoint   5-7 min on this 2-core machine (TCG; 4m45s idle, 6m48s under load)
# It prints one line per failed test and a closing
# "N passed, N failed, N skipped" line (TestCheckpointWithoutWorkingCRIU
# is the one skip); a CRIU test skipped because `criu check` failed in the
# guest too fails the target, since it would have shown nothing.
CHECKPOINT_TESTS ?= Checkpoint|Restore

.PHONY: test-checkpoint

test-checkpoint: build vm-check
	@command -v criu >/dev/null || { echo "test-checkpoint: criu is not installed (apt-get install criu)"; exit 1; }
	@set -eo pipefail; dir=$$(mktemp -d /tmp/hull-criu.XXXXXX); trap 'rm -rf "$$dir"' EXIT; \
	$(GO) test -c -o $$dir/integration.test ./integration; \
	cp hull $$dir/hull; \
	V2VM_TIMEOUT=1800 $(VM_RUN) $$dir sh -c 'criu check && HULL_BINARY=$$PWD/hull \
		./integration.test -test.count=1 -test.v -test.timeout 25m -test.run "$(CHECKPOINT_TESTS)"' 2>&1 \
		| tee $(VM_LOG) | $(call VM_SUMMARY,test-checkpoint); \
	! grep -q 'criu check fails here' $(VM_LOG) || { echo "test-checkpoint: CRIU tests were skipped (see $(VM_LOG))"; exit 1; }
