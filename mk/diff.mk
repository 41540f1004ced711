# ---- test-diff: the differential suite against runc (integration/diff) ----
# make test-diff: builds ./hull, installs runc $(RUNC_DIFF_VERSION) once
# into a cache directory (go install, needs libseccomp-dev: `make deps`),
# then runs the same configs and command lines with both runtimes and
# compares what a probe in each container observes. Every difference is
# either fixed or listed with its reason in integration/diff/differences.txt.
# About 4-6 minutes on an idle 2-core machine (DIFF_PARALLEL cases at a
# time); HULL_DIFF_STRICT=1 also fails on entries that no longer differ.
RUNC_DIFF_VERSION ?= v1.5.3
DIFF_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/hull/runc-$(RUNC_DIFF_VERSION)
DIFF_RUNC ?= $(DIFF_CACHE)/runc
DIFF_PARALLEL ?= 4

.PHONY: test-diff diff-runc

diff-runc: deps
	@test -x $(DIFF_RUNC) || { echo "test-diff: installing runc $(RUNC_DIFF_VERSION) into $(DIFF_CACHE)"; \
		GOBIN=$(DIFF_CACHE) CGO_ENABLED=1 $(GO) install -tags seccomp github.com/opencontainers/runc@$(RUNC_DIFF_VERSION); }

test-diff: build diff-runc
	cd integration/diff && HULL_BINARY=$(CURDIR)/hull HULL_DIFF_RUNC=$(DIFF_RUNC) \
		$(GO) test -count=1 -timeout 15m -parallel $(DIFF_PARALLEL) $(DIFF_FLAGS) .
# ---- end test-diff ----
