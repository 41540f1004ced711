# ---- engines (issue 13) ----
# `make test-engines` (as root) runs hull under real engines, then runc under
# the same scenarios, and prints PASS/FAIL for both side by side. It fails if
# hull fails a scenario runc passes. So far: containerd (ctr + the runc shim
# v2), in a private containerd on a unix socket, stopped and removed at the
# end (integration/engines/containerd.sh). Installs containerd, runc and
# busybox-static with apt-get. Run time: see the README's Engines section.
# ENGINES_RUNC: the runc to compare with (default: Debian's, /usr/sbin/runc).
ENGINES_RUNC ?= /usr/sbin/runc
.PHONY: test-engines
test-engines: deps build
	integration/engines/containerd.sh $(CURDIR)/hull $(ENGINES_RUNC)
# ---- end engines ----
