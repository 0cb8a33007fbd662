#!/usr/bin/env bash
# Soak test, outside CI: connect, emit, disconnect cycles over websocket and
# polling against one server for SOAK (default 30m), checking every minute
# that goroutines are back to the baseline and the heap within 512 KiB of it
# (TestNoLeaks in runtime/socketio; scripts/test.sh runs it for 10,000
# cycles).
#
# Usage: scripts/soak.sh                SOAK=2h scripts/soak.sh
#   GOFLAGS=-race scripts/soak.sh       also under the race detector (slower)
set -euo pipefail
cd "$(dirname "$0")/.."
export SIOGEN_SOAK="${SOAK:-30m}"
exec go test -run='^TestNoLeaks$' -count=1 -timeout=0 -v ./runtime/socketio
