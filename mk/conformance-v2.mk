# ---- conformance under pure cgroup v2 (conformance/v2/README.md) ----
# make conformance-v2: the runtime-tools linux_cgroups_* programs, built on
# the host with conformance/v2/ applied (runtime-tools cannot read cgroup
# v2 itself), run against ./hull in the cgroup v2 VM of make test-v2 and
# gated by conformance/v2/expected.txt. Logs: .cache/conformance-v2/logs.
.PHONY: conformance-v2
conformance-v2: deps build vm-check
	@set -eo pipefail; dir=$$(mktemp -d /tmp/hull-conf-v2.XXXXXX); trap 'rm -rf "$$dir"' EXIT; \
	conformance/build.sh .cache/conformance-v2 v2; \
	cp hull $$dir/hull; start=$$(date +%s); rc=0; \
	V2VM_TIMEOUT=1800 $(VM_RUN) $$dir sh -c 'mkdir -p /run/lock /tmp/conf; \
		cp -r $(CURDIR)/.cache/conformance-v2/bin $(CURDIR)/.cache/conformance-v2/work $(CURDIR)/.cache/conformance-v2/stamp /tmp/conf/; \
		cp hull /tmp/conf/hull; \
		CONFORMANCE_TIMEOUT=300 CONFORMANCE_PREBUILT=1 CONFORMANCE_CACHE=/tmp/conf CONFORMANCE_RUNTIME=/tmp/conf/hull \
		CONFORMANCE_EXPECTED=$(CURDIR)/conformance/v2/expected.txt $(CURDIR)/conformance/run.sh; r=$$?; \
		cp -r /tmp/conf/logs '"$$dir"'/; exit $$r' || rc=$$?; \
	rm -rf .cache/conformance-v2/logs; cp -r $$dir/logs .cache/conformance-v2/ 2>/dev/null || true; \
	echo "conformance-v2: $$(( $$(date +%s) - start )) s"; exit $$rc
