package peerlog

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestLogOncePerKindWithCounts(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	var l Log
	for i := 0; i < 1000; i++ {
		l.Warn(logger, "bad packet", "sid", "s1", "i", i)
	}
	l.Info(logger, "other", "sid", "s1")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "i=0") {
		t.Fatalf("before Close, want the first of each kind:\n%s", buf.String())
	}
	buf.Reset()
	l.Close(logger, "sid", "s1")
	out := strings.TrimSpace(buf.String())
	if strings.Count(out, "\n") != 0 || !strings.Contains(out, `msg="bad packet (repeats)" sid=s1 repeats=999`) || !strings.Contains(out, "level=WARN") {
		t.Fatalf("Close wrote %q, want one WARN line with repeats=999", out)
	}
	buf.Reset()
	l.Close(logger, "sid", "s1")
	if buf.Len() != 0 {
		t.Fatalf("a second Close wrote %q", buf.String())
	}
}

func TestLogConcurrent(t *testing.T) {
	var buf syncWriter
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	var l Log
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				l.Error(logger, "panic in handler")
			}
		}()
	}
	wg.Wait()
	l.Close(logger)
	out := buf.String()
	if n := strings.Count(out, "\n"); n != 2 || !strings.Contains(out, "repeats=799") {
		t.Fatalf("want the first line and repeats=799, got %d lines:\n%s", n, out)
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
