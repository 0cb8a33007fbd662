#!/usr/bin/env bash
# Runs every fuzz target for a long time: FUZZTIME per target (default 5m),
# one target after the other. scripts/test.sh runs the same targets for 5s
# each; this is the command for real fuzzing, outside CI.
#
# A crash stops that target and leaves the failing input in the package's
# testdata/fuzz/<Target>/ directory: fix the bug and commit the file with the
# fix, so that `go test` replays it as a regression test from then on. The
# script goes on with the other targets and fails at the end.
#
# Usage: scripts/fuzz.sh [packages]     default ./...
#   FUZZTIME=30m scripts/fuzz.sh ./runtime/socketio/...
#   FUZZPARALLEL=1 limits the workers of each target (default: GOMAXPROCS)
set -uo pipefail
cd "$(dirname "$0")/.."
: "${FUZZTIME:=5m}"
parallel=()
[ -n "${FUZZPARALLEL:-}" ] && parallel=(-parallel="$FUZZPARALLEL")
[ $# -gt 0 ] || set -- ./...

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
for pkg in $(go list "$@"); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		printf '\n=== %s %s (%s)\n' "$pkg" "$target" "$FUZZTIME"
		go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "${parallel[@]}" "$pkg" 2>&1 | tee "$log" && continue
		# go1.26's coordinator may end a run "context deadline exceeded" at
		# -fuzztime without a failing input (go.dev/issue/75804): not a failure.
		if grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written' "$log"; then
			echo "(go.dev/issue/75804 at the deadline, no failing input: passed)"
			continue
		fi
		failed+=("$pkg $target")
	done
done
if [ ${#failed[@]} -gt 0 ]; then
	printf '\nFAILED (inputs are under each package'"'"'s testdata/fuzz/):\n'
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo "every fuzz target ran $FUZZTIME without a failure"
