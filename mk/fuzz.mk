# ---- fuzz (owned by the hardening work, issue 10) ----
# `make fuzz` runs every Go fuzz target for FUZZTIME each, one after the
# other: config loading and validation (specconv.LoadBundle on arbitrary
# config.json), container ids, the program encoder/decoder, the executor's
# C decoder (through a cgo shim: it must fail cleanly on any bytes), the
# seccomp translation, the config codec (internal/specjson: the same
# values, errors and bytes as encoding/json) and the state record's
# encoder (libcontainer: json.Marshal's bytes and errors). Seeds: configs made like the OCI conformance
# programs make theirs, runc's spec template, the default seccomp profile.
# A failing input is written to the package's testdata/fuzz/ and replays
# with `go test -run`. Run time: about 8 x FUZZTIME plus ~30 s of builds
# (FUZZTIME=30s: ~4 min). The targets' seed corpora also run, once, in
# `make unit`.
#
# `make fuzz-ci` is the short run for CI: each target for a fixed number
# of inputs (`-fuzztime Nx`, the count after the second colon below),
# about 2.5 min in all (builds included) on a loaded 2-core machine.
# A count, not a duration: with a duration Go's fuzz coordinator (go1.26) sometimes fails
# the run with "context deadline exceeded" just as the time is up, when
# a worker is still in an input (golang/go#75804, fixed in go1.27); the
# seccomp target, which compiles each input with libseccomp, hit it under
# load. FUZZTIME=Nx does the same for `make fuzz`.
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./specconv:FuzzLoadBundle:5000 \
	./specconv:FuzzValidateID:50000 \
	./libcontainer/program:FuzzProgramEncodeDecode:50000 \
	./libcontainer/program:FuzzProgramDecode:50000 \
	./libcontainer/nsenter:FuzzCDecoder:50000 \
	./seccomp:FuzzSeccompTranslate:10000 \
	./internal/specjson:FuzzSpecJSON:20000 \
	./libcontainer:FuzzEncodeRecord:50000

.PHONY: fuzz fuzz-ci
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-run FUZZ_BUDGET=time

fuzz-ci: deps
	@$(MAKE) --no-print-directory fuzz-run FUZZ_BUDGET=count

.PHONY: fuzz-run
fuzz-run:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; count=$${rest##*:}; \
		budget=$(FUZZTIME); [ "$(FUZZ_BUDGET)" = count ] && budget=$${count}x; \
		echo "fuzz: $$name ($$pkg) for $$budget"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $$budget -fuzzminimizetime 10x $$pkg; \
	done
# ---- end fuzz ----
