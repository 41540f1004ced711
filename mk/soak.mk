# ---- soak (owned by the hardening work, issue 10) ----
# `make soak` (as root) runs SOAK_SEQUENTIAL containers one after the other
# (default 1000), SOAK_CONCURRENT at once (default 100), plus 100 execs
# and 50 pause/resume cycles on one container, then prints the count of
# each kind of leak (fds of hull's processes and of the container's init,
# mounts, cgroups, zombies, state dirs, processes) and fails unless all
# are zero. The test is integration/soak_test.go (build tag soak).
# Run time on the 2-core dev VM: see the README's soak section.
SOAK_SEQUENTIAL ?= 1000
SOAK_CONCURRENT ?= 100
.PHONY: soak
soak: deps build
	SOAK_SEQUENTIAL=$(SOAK_SEQUENTIAL) SOAK_CONCURRENT=$(SOAK_CONCURRENT) HULL_BINARY=$(CURDIR)/hull \
		$(GO) test -tags soak -count=1 -p 1 -timeout 90m -v -run '^TestSoak$$' ./integration/
# ---- end soak ----
