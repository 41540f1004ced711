# ---- engines (issue 13) ----
# `make test-engines` (as root) runs hull under real engines, then runc under
# the same scenarios, and prints PASS/FAIL for both side by side. It fails if
# hull fails a scenario runc passes. Each engine runs privately (own roots,
# unix sockets, no registry) and is removed at the end: containerd (ctr + the
# runc shim v2), podman (conmon) and dockerd, one script each in
# integration/engines/ (lib.sh and cli.sh hold what they share). Installs
# what it needs with apt-get. Run time: about 4 min, 5-6 min loaded (each
# engine's time is printed; see the README's Engines section).
# ENGINES: which engines (default all); ENGINES_RUNC: the runc to compare
# with (default: Debian's, /usr/sbin/runc); ENGINES_SCENARIOS: a subset.
ENGINES ?= containerd podman docker
ENGINES_RUNC ?= /usr/sbin/runc
.PHONY: test-engines
test-engines: deps build
	@rc=0; for e in $(ENGINES); do \
		echo "== $$e"; start=$$(date +%s); \
		integration/engines/$$e.sh $(CURDIR)/hull $(ENGINES_RUNC) || rc=1; \
		echo "== $$e took $$(( $$(date +%s) - start )) s"; \
	done; exit $$rc
# ---- end engines ----
# `make test-cri` (as root): containerd's CRI plugin with runtime handlers
# hull and runc, driven by crictl (a pod sandbox and an app container) and
# by critest on the runtime's specs; prints hull next to runc. Builds
# crictl and critest from the Go module proxy once (~/.cache/hull). Run
# time: about 4 min quiet, about 28 min loaded; CRITEST=0 40 s-2.5 min.
.PHONY: test-cri
test-cri: deps build
	integration/engines/cri.sh $(CURDIR)/hull $(ENGINES_RUNC)
