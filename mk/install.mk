# ---- install: the binary, man pages and shell completions ----
# make install [PREFIX=/usr/local] [DESTDIR=/tmp/x]. The man pages and the
# completions are generated from the command definitions (gendocs build
# of cmd/runtime), so they always match the binary.
# make test-install (about 15 s): installs into a temporary DESTDIR and
# checks that `man -l` renders a page for hull and every subcommand and
# that the bash completion parses.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

.PHONY: install test-install

install: build
	install -D -m 0755 hull $(DESTDIR)$(BINDIR)/hull
	$(GO) run -tags gendocs ./cmd/runtime gendocs \
		--man $(DESTDIR)$(MANDIR)/man8 \
		--bash $(DESTDIR)$(BASHCOMPDIR)/hull \
		--zsh $(DESTDIR)$(ZSHCOMPDIR)/_hull

test-install:
	@command -v man >/dev/null || { SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends man-db >/dev/null; }
	@set -e; dest=$$(mktemp -d); trap 'rm -rf "$$dest"' EXIT; \
	$(MAKE) --no-print-directory install DESTDIR=$$dest >/dev/null; \
	test -x $$dest$(BINDIR)/hull; \
	bash -n $$dest$(BASHCOMPDIR)/hull; test -s $$dest$(ZSHCOMPDIR)/_hull; \
	cmds=$$($$dest$(BINDIR)/hull --help | awk '/^COMMANDS:/{c=1;next} /^[A-Z]/{c=0} c&&NF{print $$1}' | tr -d , | grep -vx help); \
	n=0; for page in hull $$(printf 'hull-%s\n' $$cmds); do \
		out=$$(MANWIDTH=80 man -l $$dest$(MANDIR)/man8/$$page.8 2>&1) || { echo "test-install: man -l $$page.8 failed: $$out"; exit 1; }; \
		echo "$$out" | grep -q "^NAME" || { echo "test-install: $$page.8 has no NAME section"; exit 1; }; \
		n=$$((n+1)); \
	done; \
	echo "test-install: binary, bash and zsh completions, and $$n man pages (hull and every subcommand) install and render"
