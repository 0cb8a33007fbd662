package main

import (
	"slices"
	"testing"
)

// TestEachPacket reads both Engine.IO v3 payload framings, with lengths in
// UTF-16 code units as JavaScript counts them.
func TestEachPacket(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   []byte
		binary bool
		want   []string
	}{
		{"text", []byte(`2:4027:42["chat message","1:2:3"]` + "\n"), false, []string{"40", `42["chat message","1:2:3"]` + "\n"}},
		{"utf-16 lengths", []byte("7:42\"é😀\"1:6"), false, []string{"42\"é😀\"", "6"}},
		{"binary", append(append([]byte{0, 2, 0xff}, "40"...), append([]byte{1, 3, 0xff, 4, 1, 2}, append([]byte{0, 1, 0xff}, '6')...)...), true, []string{"40", "6"}},
	} {
		var got []string
		if err := eachPacket(tc.body, tc.binary, func(p []byte) { got = append(got, string(p)) }); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{"5:40", "x:40", "40"} {
		if err := eachPacket([]byte(bad), false, func([]byte) {}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if got := appendTextPacket(nil, []byte("4é😀")); string(got) != "4:4é😀" {
		t.Errorf("appendTextPacket: %q", got)
	}
}

// TestPollChat counts a delivery once, with its latency, whatever follows the
// payload, and counts malformed ones as other packets.
func TestPollChat(t *testing.T) {
	l := &pollLoad{}
	c := &pollClient{l: l}
	for _, p := range []string{`42["chat message","7:3:1000000"]`, `42["chat message","7:3:1000000"]` + "\n", `42["chat message","7:4:2000000"]` + "\n"} {
		c.packet([]byte(p), 5000000)
	}
	c.packet([]byte(`42["chat message","7:x:1"]`), 5000000)
	if d, dup, o := l.delivered.Load(), l.dups.Load(), l.other.Load(); d != 2 || dup != 1 || o != 1 {
		t.Errorf("delivered %d, duplicates %d, other %d; want 2, 1, 1", d, dup, o)
	}
	if !slices.Equal(c.got.lat, []int64{4000, 3000}) {
		t.Errorf("latencies %v µs, want [4000 3000]", c.got.lat)
	}
}
