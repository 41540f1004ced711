#!/usr/bin/env bash
# The Go vulnerability check, offline: the vulnerability database is the
# golang.org/x/vulndb module (its OSV reports), fetched through the Go
# module proxy like any module and indexed locally with vulndb's own
# indexdb, so govulncheck needs no other host. The newest database is
# used; its index is cached per version (the first build takes ~80 s).
set -euo pipefail
GO=${GO:-go}
GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.10.0
cache=${XDG_CACHE_HOME:-$HOME/.cache}/hull-vulndb
version=$(cd "$(mktemp -d)" && "$GO" list -m -f '{{.Version}}' golang.org/x/vulndb@latest)
db=$cache/$version
if [ ! -f "$db/index/db.json" ]; then
	src=$(cd "$(mktemp -d)" && "$GO" mod download -json "golang.org/x/vulndb@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	rm -rf "$db.tmp"
	(cd "$(mktemp -d)" && GOFLAGS=-mod=mod "$GO" run "golang.org/x/vulndb/cmd/indexdb@$version" -vulns "$src/data/osv" -out "$db.tmp")
	mv "$db.tmp" "$db"
fi
echo "vulncheck: Go vulnerability database $version"
"$GO" run "$GOVULNCHECK" -db "file://$db" ./...
