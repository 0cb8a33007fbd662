# Benchmarks (issue 6; BENCHMARKS.md has the results). Tests: scripts/test.sh.
GO ?= go

.PHONY: bench bench-smoke bench-micro

# The side-by-side run: siogen (examples/chat), node-chat (socket.io 2.5.1),
# node-chat-v4 (socket.io 4.8.3, from interop/node_modules),
# googollee and zishang520, each in turn on loopback, pinned with taskset.
# A few minutes per server; run it on a quiet machine. BENCHFLAGS adds flags
# (go run ./bench -h lists them), e.g. BENCHFLAGS='-servers siogen,node-chat'.
bench:
	$(GO) run ./bench $(BENCHFLAGS)

# Every scenario at a tiny size against siogen and node-chat: seconds, measures
# nothing, checks the harness works (the test command runs it too).
bench-smoke:
	$(GO) run ./bench -smoke -servers siogen,node-chat $(BENCHFLAGS)

# Go micro-benchmarks of the hot paths, with allocations.
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem ./runtime/engineio/codec ./runtime/socketio/codec ./runtime/socketio ./runtime/engineio ./runtime/prommetrics
