package main

import (
	"strconv"
	"strings"
	"testing"
)

func TestCleanName(t *testing.T) {
	long := strings.Repeat("é", 40)
	for _, c := range []struct{ in, want string }{
		{"", "anonymous"},
		{"  \t ", "anonymous"},
		{"  ann  ", "ann"},
		{strings.Repeat("n", 32), strings.Repeat("n", 32)},
		{strings.Repeat("n", 33), strings.Repeat("n", 32)},
		{long, strings.Repeat("é", 32)},
		{"  " + long + "  ", strings.Repeat("é", 32)},
		{"日本語", "日本語"},
		{strings.Repeat("\xff", 40), strings.Repeat("\xff", 32)}, // a bad byte counts as one character
	} {
		if got := cleanName(c.in); got != c.want {
			t.Errorf("cleanName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCleanNameHuge: a name of millions of characters is cut in one pass.
// The quadratic version took 148 s of CPU for 900,000 characters; this
// one, at 8 MB, would take it hours, so a test that ends proves the pass
// linear without timing anything.
func TestCleanNameHuge(t *testing.T) {
	for _, r := range []string{"n", "é", "日"} {
		name := strings.Repeat(r, 8<<20/len(r))
		if got := cleanName(name); got != strings.Repeat(r, 32) {
			t.Fatalf("cleanName(%d × %q) = %q", len(name)/len(r), r, got)
		}
	}
}

// BenchmarkCleanName shows the cost per byte flat from 1 KB to 10 MB.
func BenchmarkCleanName(b *testing.B) {
	for _, n := range []int{1e3, 1e5, 1e7} {
		name := strings.Repeat("n", n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				cleanName(name)
			}
		})
	}
}
