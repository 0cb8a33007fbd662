package main

import (
	"slices"
	"testing"
)

// TestMixedChat counts a delivery once per receiver, by the receiver's
// revision, with its latency, and counts malformed messages as other
// packets.
func TestMixedChat(t *testing.T) {
	l := &mixedLoad{}
	v3, v4 := &wsClient{eio: 3, l: l}, &wsClient{eio: 4, l: l}
	for _, c := range []*wsClient{v3, v4} {
		for _, p := range []string{`42["chat message","7:3:1000000"]`, `42["chat message","7:3:1000000"]`, `42["chat message","7:4:2000000"]`} {
			c.packet([]byte(p), 5000000)
		}
	}
	v4.packet([]byte(`42["chat message","7:x:1"]`), 5000000)
	v3.packet([]byte("3"), 5000000) // a pong: neither a delivery nor other
	if d3, d4, dup, o := l.delivered[0].Load(), l.delivered[1].Load(), l.dups.Load(), l.other.Load(); d3 != 2 || d4 != 2 || dup != 2 || o != 1 {
		t.Errorf("delivered %d (v3) and %d (v4), duplicates %d, other %d; want 2, 2, 2, 1", d3, d4, dup, o)
	}
	if !slices.Equal(v4.got.lat, []int64{4000, 3000}) {
		t.Errorf("latencies %v µs, want [4000 3000]", v4.got.lat)
	}
}
