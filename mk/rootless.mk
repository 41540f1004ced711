# ---- rootless: end-to-end scenarios as an unprivileged user ----
# make test-rootless (as root; see integration/rootless/run.sh): creates a
# user with a subuid/subgid range and runs plain rootless containers, the
# runtime inside `unshare -Ur` (podman's case without podman) and rootless
# podman with --runtime hull, each scenario with hull and with runc 1.5.3
# side by side; fails when hull fails a scenario runc passes. It removes
# the user, its files and podman's storage on exit. ROOTLESS_PODMAN=0 skips
# podman; ROOTLESS_ONLY=regexp picks scenarios; RUNC=path uses another runc.
ROOTLESS_PACKAGES := uidmap podman fuse-overlayfs conmon jq busybox-static
ROOTLESS_RUNC_VERSION ?= v1.5.3
RUNC ?= $(CURDIR)/.cache/runc-$(ROOTLESS_RUNC_VERSION)/runc
ROOTLESS_PODMAN ?= 1
ROOTLESS_ONLY ?= .

.PHONY: test-rootless rootless-deps

rootless-deps:
	@installed=$$(dpkg-query -W -f='$${db:Status-Abbrev}\n' $(ROOTLESS_PACKAGES) 2>/dev/null | grep -c '^ii'); \
	[ "$$installed" -eq $(words $(ROOTLESS_PACKAGES)) ] && exit 0; \
	echo "rootless-deps: installing $(ROOTLESS_PACKAGES)"; \
	apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(ROOTLESS_PACKAGES) >/dev/null

$(CURDIR)/.cache/runc-$(ROOTLESS_RUNC_VERSION)/runc:
	GOBIN=$(dir $@) $(GO) install -tags seccomp github.com/opencontainers/runc@$(ROOTLESS_RUNC_VERSION)

test-rootless: deps rootless-deps build $(RUNC)
	HULL=$(CURDIR)/hull RUNC=$(RUNC) PODMAN=$(ROOTLESS_PODMAN) ONLY='$(ROOTLESS_ONLY)' \
		integration/rootless/run.sh

# make test-rootless-v2 (about 30 s): in the throw-away cgroup-v2 VM
# (integration/vm/run-in-vm.sh), an unprivileged user in a subtree
# delegated to it gets the limits applied, as with runc.
.PHONY: test-rootless-v2
test-rootless-v2:
	@set -e; dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; chmod 755 "$$dir"; \
	$(GO) test -c -o $$dir/cgroups.test ./cgroups; \
	cp integration/rootless/delegated-v2.sh $$dir/; \
	integration/vm/run-in-vm.sh $$dir $$dir/delegated-v2.sh $$dir
