# ---- apparmor (owned by the LSM work, issue 7) ----
# `make test-apparmor` runs AppArmor for real: this machine's kernel has no
# AppArmor, Debian's 6.1 kernel has. It builds ./hull and the integration
# test binary here, boots that kernel with integration/vm/run-in-vm.sh
# (apparmor=1 security=apparmor; the guest mounts securityfs and shares
# this machine's / read-only, so apparmor_parser comes from here) and runs
# the TestLSMAppArmor tests in it: a profile loaded with apparmor_parser
# that denies one write confines a container from its first instruction
# (/proc/1/attr/current names it, the denied write fails, an allowed one
# works; without the profile both work), exec inherits it and --apparmor
# replaces it, a container in a user namespace is confined too, a fake
# /proc (CVE-2019-16884: a volume over /proc through an image symlink)
# neither catches the profile nor unconfines the container, and an
# unknown profile is an error naming process.apparmorProfile with
# nothing left behind. In the guest
# HULL_TEST_APPARMOR=1 turns a missing AppArmor into a failure, not a skip.
# Run time: 3 to 4 min (TCG guest: 30-50 s a test; the first run also installs qemu and
# downloads the kernel, ~20 s more).
APPARMOR_VM := $(CURDIR)/integration/vm/run-in-vm.sh
APPARMOR_CACHE := $(CURDIR)/.cache/apparmor

.PHONY: test-apparmor
test-apparmor: deps build
	@[ -x "$(APPARMOR_VM)" ] || { echo "test-apparmor: CANNOT RUN: the VM script integration/vm/run-in-vm.sh is missing" >&2; exit 2; }
	@command -v apparmor_parser >/dev/null || { \
		echo "test-apparmor: installing apparmor (apparmor_parser, used inside the guest)"; \
		SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends apparmor >/dev/null; }
	@"$(APPARMOR_VM)" --setup || { echo "test-apparmor: CANNOT RUN: the VM could not be set up (qemu, Debian kernel download): see above" >&2; exit 2; }
	mkdir -p $(APPARMOR_CACHE)
	$(GO) test -c -o $(APPARMOR_CACHE)/integration.test ./integration
	@rc=0; HULL_BINARY=$(CURDIR)/hull HULL_TEST_APPARMOR=1 V2VM_ENV="HULL_BINARY HULL_TEST_APPARMOR" \
		V2VM_APPEND="apparmor=1 security=apparmor" \
		"$(APPARMOR_VM)" $(CURDIR) sh -c 'cd integration && exec $(APPARMOR_CACHE)/integration.test -test.v -test.count=1 -test.run "^TestLSMAppArmor(Enforced|Exec|UnknownProfile|FakeProcAttack|UserNamespace)$$"' || rc=$$?; \
	case $$rc in \
	0) echo "test-apparmor: passed (AppArmor enforced in the VM)";; \
	124|125) echo "test-apparmor: CANNOT RUN: the VM did not finish (exit $$rc: 124 timeout, 125 no status from the guest)" >&2;; \
	*) echo "test-apparmor: FAILED (exit $$rc)" >&2;; \
	esac; exit $$rc
# ---- end apparmor ----
