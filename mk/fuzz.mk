# ---- fuzz (owned by the hardening work, issue 10) ----
# `make fuzz` runs every Go fuzz target for FUZZTIME each, one after the
# other: config loading and validation (specconv.LoadBundle on arbitrary
# config.json), container ids, the program encoder/decoder, the executor's
# C decoder (through a cgo shim: it must fail cleanly on any bytes) and the
# seccomp translation. Seeds: configs made like the OCI conformance
# programs make theirs, runc's spec template, the default seccomp profile.
# A failing input is written to the package's testdata/fuzz/ and replays
# with `go test -run`. Run time: about 6 x FUZZTIME plus ~30 s of builds
# (FUZZTIME=30s: ~3.5 min; CI: `make fuzz FUZZTIME=10s`, ~1.5 min).
# The targets' seed corpora also run, once, in `make unit`.
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./specconv:FuzzLoadBundle \
	./specconv:FuzzValidateID \
	./libcontainer/program:FuzzProgramEncodeDecode \
	./libcontainer/program:FuzzProgramDecode \
	./libcontainer/nsenter:FuzzCDecoder \
	./seccomp:FuzzSeccompTranslate

.PHONY: fuzz
fuzz: deps
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10x $$pkg; \
	done
# ---- end fuzz ----
