# hull: build, test and demo. Every target a fresh machine needs installs
# its own packages through `deps`.

SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# hull is built static and non-PIE (libseccomp.a, glibc's libc.a): the
# executor is a re-exec of this binary, so every container start would
# otherwise pay the dynamic loader twice; -static cuts a `run` by about a
# quarter of its page faults. osusergo,netgo keep user and DNS lookups out
# of glibc (static glibc cannot load NSS modules). urfave_cli_no_docs drops
# the man-page generator (blackfriday) and its package init. STATIC=0 builds
# the ordinary dynamic binary.
STATIC ?= 1
HULL_OUT ?= hull
# The classic garbage collector instead of Go 1.26's default Green Tea:
# Green Tea keeps each small-object span's mark bits at the span's end, so
# every size class a command touches faults in a second page. A hull
# command allocates well under 1 MB and ends before its first GC, so that
# page is pure cost: perf stat, 16 interleaved `run`s of /bin/true, 682 ->
# 593 page faults, CPU -10%. Only where the toolchain still has the
# opt-out (Go 1.26; 1.27 is to remove it); a GOEXPERIMENT of the caller's
# is kept.
NOGREENTEA := $(shell GOEXPERIMENT=nogreenteagc $(GO) env GOEXPERIMENT >/dev/null 2>&1 && echo nogreenteagc)
empty :=
comma := ,
BUILD_GOEXPERIMENT := $(subst $(empty) $(empty),$(comma),$(strip $(GOEXPERIMENT) $(NOGREENTEA)))
BUILD_TAGS := urfave_cli_no_docs
ifeq ($(STATIC),1)
BUILD_TAGS := $(BUILD_TAGS),osusergo,netgo
LDFLAGS += -linkmode external -extldflags -static
endif
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Debian packages the build and the tests need (Go itself is not among them;
# criu: the checkpoint tests check its error on kernels it does not support).
DEB_PACKAGES := libseccomp-dev libc6-dev busybox-static gcc make pkg-config iproute2 util-linux criu

.PHONY: all deps build test unit integration demo lint clean bench bench-deps

all: build

# Installs the packages only when one is missing, so it is quiet and cheap
# when run again.
deps:
	@command -v $(GO) >/dev/null || { echo "deps: Go is not installed (need the version in go.mod)" >&2; exit 1; }
	@installed=$$(dpkg-query -W -f='$${db:Status-Abbrev}\n' $(DEB_PACKAGES) 2>/dev/null | grep -c '^ii'); \
	[ "$$installed" -eq $(words $(DEB_PACKAGES)) ] && exit 0; \
	echo "deps: installing $(DEB_PACKAGES)"; \
	SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES) >/dev/null

build:
	CGO_ENABLED=1 GOEXPERIMENT=$(BUILD_GOEXPERIMENT) $(GO) build -trimpath -tags "$(BUILD_TAGS)" -ldflags "$(LDFLAGS)" -o $(HULL_OUT) ./cmd/runtime

# Unit tests: every package but the integration tests.
unit:
	$(GO) test $$($(GO) list ./... | grep -v '/integration')

# Integration tests: real containers through the built binary (needs root).
integration: build
	HULL_BINARY=$(CURDIR)/hull $(GO) test -count=1 -p 1 -v ./integration/...

test: deps build
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory test-install
	$(MAKE) --no-print-directory integration

# ---- conformance (owned by conformance/; see conformance/README.md) ----
# The OCI runtime-tools validation suite against the freshly built ./hull,
# gated by conformance/expected.txt. Compare with another runtime:
#   make conformance CONFORMANCE_RUNTIME=/usr/sbin/runc
# Run some programs only: make conformance CONFORMANCE_PROGRAMS="create state"
CONFORMANCE_RUNTIME ?= $(CURDIR)/hull
CONFORMANCE_PROGRAMS ?=
.PHONY: conformance
conformance: deps $(if $(filter $(CURDIR)/hull,$(CONFORMANCE_RUNTIME)),build)
	CONFORMANCE_RUNTIME=$(CONFORMANCE_RUNTIME) conformance/run.sh $(CONFORMANCE_PROGRAMS)
# ---- end conformance ----

demo: deps build
	@set -e; dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	$(GO) run ./internal/testbundle/cmd/mkbundle "$$dir"; \
	./hull spec --bundle "$$dir"; \
	$(GO) run ./internal/testbundle/cmd/setargs -hostname hull-demo "$$dir" sh -c 'echo hostname: $$(hostname); echo pid: $$$$; ps'; \
	id=demo-$$RANDOM$$RANDOM; \
	echo "+ ./hull run --bundle $$dir $$id"; \
	./hull run --bundle "$$dir" "$$id"

# Start-up benchmark, side by side with runc and crun when installed
# (bench/bench.sh says what it measures), the runtimes interleaved in
# rounds (BENCH_ROUNDS, default 10). BENCH_RUNS=N for more runs. About
# 20 min here with the defaults, beside other tests (README: Benchmark).
BENCH_RUNS ?= 30
BENCH_PACKAGES := hyperfine time python3 util-linux crun containerd

# runc comes from Debian only when none is on PATH (a newer one may be).
bench-deps:
	@command -v runc >/dev/null || { SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends runc >/dev/null; }
	@installed=$$(dpkg-query -W -f='$${db:Status-Abbrev}\n' $(BENCH_PACKAGES) 2>/dev/null | grep -c '^ii'); \
	[ "$$installed" -eq $(words $(BENCH_PACKAGES)) ] && exit 0; \
	echo "bench-deps: installing $(BENCH_PACKAGES)"; \
	SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(BENCH_PACKAGES) >/dev/null

bench: deps bench-deps build
	$(MAKE) --no-print-directory build HULL_OUT=hull-ondemand BUILD_TAGS="$(BUILD_TAGS),noprefork" >/dev/null
	HULL=$(CURDIR)/hull HULL_ONDEMAND=$(CURDIR)/hull-ondemand bench/bench.sh $(BENCH_RUNS)

# go.mod tidy, go vet (also of the gendocs build), staticcheck without
# SA1019 (a runtime must still honour the deprecated fields of the spec),
# and govulncheck against the Go vulnerability database (mk/vulncheck.sh).
lint:
	@files=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags gendocs ./cmd/runtime
	$(GO) run $(STATICCHECK) -checks inherit,-SA1019 ./...
	@# The containerd task-update client is a module of its own (its gRPC
	@# dependencies stay out of hull's go.mod); ./... does not reach it.
	cd integration/engines/taskupdate && $(GO) mod tidy -diff && $(GO) vet ./... && \
		$(GO) run $(STATICCHECK) -checks inherit,-SA1019 ./...
	GO=$(GO) mk/vulncheck.sh

clean:
	rm -f hull hull-ondemand

# Topic targets (VM suites, engines, fuzzing, ...), one file each.
include $(wildcard mk/*.mk)
