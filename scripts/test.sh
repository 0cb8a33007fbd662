#!/usr/bin/env bash
# Runs every test of the repository, installing what the tests need first:
# Go modules, node + the npm packages of interop/ (from package-lock.json).
# Usage: scripts/test.sh            (FUZZTIME=5s by default for the fuzz smoke)
# Long fuzzing and the soak run outside CI: scripts/fuzz.sh, scripts/soak.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
	[ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

step "tools"
command -v go >/dev/null || { echo "go is not installed (https://go.dev/dl/)"; exit 1; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "installing node and npm from Debian"
	apt_install nodejs npm
fi
go version
echo "node $(node --version), npm $(npm --version)"

if ! command -v chromium >/dev/null; then
	echo "installing chromium from Debian (browser tests)"
	apt_install chromium
fi
echo "$(chromium --version 2>/dev/null || echo 'chromium: not found')"

if ! command -v redis-server >/dev/null; then
	echo "installing redis-server from Debian (Redis adapter tests; they start their own)"
	apt_install redis-server
fi
if ! command -v redis-cli >/dev/null; then
	echo "installing redis-tools from Debian (redis-cli makes the Redis Cluster of the adapter tests)"
	apt_install redis-tools
fi
redis-server --version

step "Go modules"
go mod download

step "npm packages (interop/)"
(cd interop && npm ci --no-audit --no-fund --loglevel=error)

step "gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi
go vet ./...

step "LICENSE, CHANGELOG.md and version agreement, README paths, examples run"
# Also part of go test ./... below; first here, so that a failure says so at once.
go test -count=1 -run '^(TestLicense|TestVersionAgreement|TestReadmePaths|TestExamplesRun)$' .

step "every platform builds and vets (go build, go vet)"
# linux/amd64 is vetted above; the runtime also supports these.
for platform in linux/arm64 linux/386 linux/arm darwin/amd64 darwin/arm64 windows/amd64 freebsd/amd64; do
	echo "$platform"
	GOOS=${platform%/*} GOARCH=${platform#*/} go build ./...
	GOOS=${platform%/*} GOARCH=${platform#*/} go vet ./...
done

step "generated code is current (siogen -check)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/siogen" ./cmd/siogen
# Every package with a //go:generate line running siogen, in the form the
# README gives (go tool siogen) or the older go run one.
directive='^//go:generate go \(tool siogen\|run github.com/siogen/siogen/cmd/siogen\)'
checked=0
for f in $(grep -rl --include='*.go' --exclude-dir=testdata --exclude-dir=node_modules "$directive" .); do
	args=$(grep -h "$directive" "$f" | head -1 | sed "s#$directive##")
	echo "$(dirname "$f")"
	(cd "$(dirname "$f")" && "$tmp/siogen" -check $args)
	checked=$((checked + 1))
done
[ "$checked" -ge 3 ] || { echo "the drift check found $checked generated packages, want examples/chat, examples/conformance and examples/hello at least"; exit 1; }

step "go test -race"
go test -race -count=1 -timeout 12m ./...

step "fuzz smoke (${FUZZTIME:=5s} per target)"
# go1.26's fuzz coordinator may end a run "context deadline exceeded" at
# -fuzztime without any failing input (go.dev/issue/75804, fixed in go1.27).
fuzz_deadline_flake() {
	grep -q '^    context deadline exceeded$' "$1" && ! grep -q 'Failing input written' "$1" &&
		echo "  (go.dev/issue/75804 at the deadline, no failing input: passed)"
}
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "$pkg $target"
		go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg" >/tmp/siogen-fuzz.log 2>&1 || fuzz_deadline_flake /tmp/siogen-fuzz.log || { cat /tmp/siogen-fuzz.log; exit 1; }
	done
done
echo "all tests passed"
