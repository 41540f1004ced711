# ---- VM suites: pure cgroup v2, and systemd as PID 1 ----
# Both boot Debian's 6.1 kernel in a throw-away QEMU guest (TCG: no KVM
# needed; integration/vm/run-in-vm.sh, first use downloads the kernel and
# installs qemu) with the host's / read-only under a tmpfs overlay. Test
# binaries are built on the host and run in the guest, as root.
#   make test-v2       the whole integration suite and the cgroups unit tests
#                      under pure cgroup v2 (every controller enabled);
#                      7 min on this 2-core machine when quiet, 16 under load (TCG
#                      is 5-15x slower than the host), so not in CI: run it
#                      before landing a change to cgroups or the start path.
#   make test-systemd  the systemd cgroup driver's tests with systemd as PID 1
#                      (Debian's systemd package from the host); about 3 min.
# Each prints one line per test that failed and a closing
# "N passed, N failed, N skipped" line, and exits non-zero on a failure or
# when the VM cannot run (it says why).
VM_RUN := integration/vm/run-in-vm.sh
# The guest's whole output (go test -v) is kept here, one file per target
# (/tmp/hull-test-v2.log, ...) so that two suites never mix their logs.
VM_LOG ?= /tmp/hull-$@.log
VM_SUMMARY = awk -v name=$(1) '/^--- FAIL/{print; f++} /^--- PASS/{p++} /^--- SKIP/{s++} /^(panic|FAIL|ok) /{print} END{printf "%s: %d passed, %d failed, %d skipped\n", name, p, f, s; exit f>0}'

.PHONY: test-v2 test-systemd vm-check

vm-check:
	@[ -r /dev/kvm ] || echo "vm: no KVM here; the guest runs under TCG (slow, but it works)"
	@$(VM_RUN) --setup || { echo "vm: cannot set up the VM (qemu, kernel download); see above"; exit 1; }

# TEST_V2_RUN=regexp runs only the matching integration tests (and not the
# cgroups unit tests): the way to rerun a failing test alone in the guest.
TEST_V2_RUN ?=
# The attack tests that race a mount against a symlink swap run this many
# victims (40 on the host): each takes ~10 s in the guest beside the
# attacker's loop, and the raced code does not depend on the cgroup version.
TEST_V2_RACE_RUNS ?= 8
# The tun module is loaded first: /dev/net/tun (TestDefaultRulesAllowTun)
# appears only once it is, nothing opens it to autoload it.
# The guest's test binaries and hull are copied to its /tmp (tmpfs) first:
# every container start execs hull twice, and 9p revalidates on open.
VM_SLOWEST = awk '/^--- (PASS|FAIL)/{t=$$4; gsub(/[()s]/,"",t); printf "%8.1f s  %s %s\n", t, $$2, $$3}' $(VM_LOG) | sort -rn | sed -n '1,$(1)p'

test-v2: build vm-check
	@set -eo pipefail; dir=$$(mktemp -d /tmp/hull-v2.XXXXXX); trap 'rm -rf "$$dir"' EXIT; \
	$(GO) test -c -o $$dir/integration.test ./integration; \
	[ -n "$(TEST_V2_RUN)" ] || $(GO) test -c -o $$dir/cgroups.test ./cgroups; \
	cp hull $$dir/hull; \
	start=$$(date +%s); rc=0; \
	TEST_V2_RUN='$(TEST_V2_RUN)' V2VM_ENV=TEST_V2_RUN V2VM_TIMEOUT=3600 $(VM_RUN) $$dir sh -c \
		'set -e; modprobe tun 2>/dev/null || true; mkdir /tmp/bin; cp hull integration.test /tmp/bin/; [ ! -e cgroups.test ] || cp cgroups.test /tmp/bin/; \
		cd /tmp/bin; HULL_TEST_RACE_RUNS=$(TEST_V2_RACE_RUNS) HULL_BINARY=/tmp/bin/hull ./integration.test -test.count=1 -test.v -test.timeout 55m -test.run "$${TEST_V2_RUN:-.}" || r=1; \
		[ ! -e cgroups.test ] || (cd $(CURDIR)/cgroups && /tmp/bin/cgroups.test -test.count=1 -test.v) || r=1; exit $${r:-0}' \
		>$(VM_LOG) 2>&1 || rc=$$?; \
	$(call VM_SUMMARY,test-v2) <$(VM_LOG) || rc=1; \
	echo "test-v2: the slowest tests (whole log in $(VM_LOG)):"; $(call VM_SLOWEST,12); \
	echo "test-v2: $$(( ($$(date +%s) - start) / 60 )) min $$(( ($$(date +%s) - start) % 60 )) s"; \
	exit $$rc

test-systemd: build vm-check
	@set -eo pipefail; dir=$$(mktemp -d /tmp/hull-systemd.XXXXXX); trap 'rm -rf "$$dir"' EXIT; \
	$(GO) test -c -o $$dir/integration.test ./integration; \
	cp hull $$dir/hull; \
	V2VM_INIT=systemd V2VM_TIMEOUT=1200 $(VM_RUN) $$dir sh -c 'HULL_BINARY=$$PWD/hull HULL_TEST_SYSTEMD=1 \
		./integration.test -test.count=1 -test.v -test.run "Systemd"' 2>&1 | tee $(VM_LOG) | $(call VM_SUMMARY,test-systemd)
