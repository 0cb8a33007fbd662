// Package testutil holds the helpers that tests of several packages share:
// waiting for a value with a deadline, the rule for a missing tool (fail
// under CI, skip otherwise) and a line diff for golden files.
package testutil

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Wait bounds every wait of a test for something to arrive. It is long
// enough for a loaded machine; a test that passes waits far less.
const Wait = 10 * time.Second

// Quiet is how long a test watches to see that something does not happen.
const Quiet = 300 * time.Millisecond

// Recv returns the next value of ch, or fails t naming what did not arrive
// within Wait.
func Recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(Wait)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("no %s within %v", what, Wait)
		panic("unreachable")
	}
}

// None fails t if a value arrives on ch within Quiet.
func None[T any](t testing.TB, ch <-chan T, what string) {
	t.Helper()
	timer := time.NewTimer(Quiet)
	defer timer.Stop()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %s: %v", what, v)
	case <-timer.C:
	}
}

// Missing reports that something a test needs is not there (msg says what,
// and how to get it): under CI=true the test fails, since CI must run
// every test; elsewhere it is skipped.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// LineDiff describes the first line where got differs from want, or is ""
// when they are equal.
func LineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, wl, gl)
		}
	}
	return ""
}

// Eventually polls cond until it holds, failing t naming what did not
// happen within the given time. It is for states that announce themselves
// by no event a test can wait on (a count, a transport, a held request).
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(2 * time.Millisecond) // the poll period, not an ordering
	}
}

// Buffer is a bytes.Buffer that many goroutines may write (a logger, a
// recorded connection) while a test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
