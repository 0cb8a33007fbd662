package engineio

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
)

// writeCounter records the writes of the default policy per session.
type writeCounter struct {
	mu     sync.Mutex
	writes map[*Conn][]int // packets per write, in order
	gate   chan struct{}   // when non-nil, every write waits for it to close
	wrote  chan struct{}   // signalled after every write
}

func newWriteCounter() *writeCounter {
	return &writeCounter{writes: map[*Conn][]int{}, wrote: make(chan struct{}, 1<<16)}
}

func (w *writeCounter) hook(c *Conn, packets int) {
	w.mu.Lock()
	w.writes[c] = append(w.writes[c], packets)
	gate := w.gate
	w.mu.Unlock()
	w.wrote <- struct{}{}
	if gate != nil {
		<-gate
	}
}

func (w *writeCounter) of(c *Conn) []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.writes[c]...)
}

// settled returns c's writes once they carry packets in all, the open
// packet's write included. The hook runs after a write returns, so a
// client can read the last message before its write is counted.
func (w *writeCounter) settled(t *testing.T, c *Conn, packets int) []int {
	t.Helper()
	testutil.Eventually(t, 5*time.Second, "every write to be counted", func() bool {
		sum := 0
		for _, p := range w.of(c) {
			sum += p
		}
		return sum >= packets
	})
	return w.of(c)
}

// newCountingServer is newTestServer with w counting the writes.
func newCountingServer(t *testing.T, h Handler, w *writeCounter) *httptest.Server {
	t.Helper()
	srv := NewServer(h, nil)
	srv.writeHook = w.hook
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		w.mu.Lock()
		if w.gate != nil {
			select {
			case <-w.gate:
			default:
				close(w.gate)
			}
		}
		w.mu.Unlock()
		srv.Shutdown(t.Context())
		ts.Close()
	})
	return ts
}

// dialSessions opens n websocket sessions and returns the clients and the
// server's Conn of each, in the same order.
func dialSessions(t testing.TB, ts *httptest.Server, conns chan *Conn, n int) ([]*websocket.Conn, []*Conn) {
	t.Helper()
	clients := make([]*websocket.Conn, n)
	servers := make([]*Conn, n)
	for i := range n {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=3&transport=websocket", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, m, err := ws.ReadMessage(); err != nil || m[0] != '0' {
			t.Fatalf("open packet: %q, %v", m, err)
		}
		clients[i], servers[i] = ws, <-conns
	}
	return clients, servers
}

// TestWriteAtOnceWhenIdle: with the default policy a message sent to an
// idle session is written by itself, at once: one write per message, each
// carrying one packet, with no timer and no later message to wait for.
func TestWriteAtOnceWhenIdle(t *testing.T) {
	w := newWriteCounter()
	conns := make(chan *Conn, 1)
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { conns <- c }
	ts := newCountingServer(t, h, w)
	clients, servers := dialSessions(t, ts, conns, 1)
	ws, c := clients[0], servers[0]
	<-w.wrote // the open packet's write

	const n = 20
	for i := range n {
		want := fmt.Sprintf("m%d", i)
		if err := c.Send(Message{Data: []byte(want)}); err != nil {
			t.Fatal(err)
		}
		if _, m := readWS(t, ws); m != "4"+want {
			t.Fatalf("got %q, want %q", m, "4"+want)
		}
	}
	got := w.settled(t, c, n+1)
	if len(got) != n+1 {
		t.Fatalf("%d writes for the open packet and %d messages sent one at a time: %v", len(got), n, got)
	}
	for i, p := range got {
		if p != 1 {
			t.Fatalf("write %d carried %d packets, want 1: %v", i, p, got)
		}
	}
}

// TestCoalesceWhileWritersBehind: while the writers are busy (held inside
// a write here), what is sent to a session queues, and when they catch up
// each session's queue goes out in one write: at most two writes per
// session for 51 messages, nothing lost, in order.
func TestCoalesceWhileWritersBehind(t *testing.T) {
	const sessions, burst = 10, 50
	w := newWriteCounter()
	conns := make(chan *Conn, sessions)
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { conns <- c }
	ts := newCountingServer(t, h, w)
	clients, servers := dialSessions(t, ts, conns, sessions)
	for range sessions {
		<-w.wrote // the open packets
	}

	w.mu.Lock()
	w.gate = make(chan struct{})
	w.mu.Unlock()
	for i := range burst + 1 {
		for _, c := range servers {
			c.Send(Message{Data: fmt.Appendf(nil, "m%d", i)})
		}
	}
	w.mu.Lock()
	close(w.gate)
	w.mu.Unlock()

	for i, ws := range clients {
		for j := range burst + 1 {
			if _, m := readWS(t, ws); m != fmt.Sprintf("4m%d", j) {
				t.Fatalf("session %d: got %q, want 4m%d", i, m, j)
			}
		}
	}
	total := 0
	for i, c := range servers {
		got := w.settled(t, c, burst+2)[1:] // after the open packet
		sum := 0
		for _, p := range got {
			sum += p
		}
		if sum != burst+1 || len(got) > 2 {
			t.Errorf("session %d: writes carried %v packets, want %d in at most 2 writes", i, got, burst+1)
		}
		total += len(got)
	}
	t.Logf("%d messages to %d sessions in %d writes", (burst+1)*sessions, sessions, total)
}

// TestSlowPeerWritesOffTheWriters: a peer that stops reading fills its
// socket; the rest of its write waits on a goroutine of its own while
// another session keeps being written, and a websocket ping it sends
// meanwhile is answered only between whole frames. When it reads again it
// gets everything, intact and in order.
func TestSlowPeerWritesOffTheWriters(t *testing.T) {
	w := newWriteCounter()
	conns := make(chan *Conn, 2)
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { conns <- c }
	ts := newCountingServer(t, h, w)
	clients, servers := dialSessions(t, ts, conns, 2)
	slow, fast := clients[0], clients[1]

	big := bytes.Repeat([]byte("x"), 64<<10)
	const bigCount = 128 // 8 MiB: more than the sockets take from a peer that does not read
	for i := range bigCount {
		if err := servers[0].Send(Message{Data: append(fmt.Appendf(nil, "%03d", i), big...)}); err != nil {
			t.Fatal(err)
		}
	}
	// Wait until a write went to finishWrite, which holds the session's
	// write lock until the peer has taken the rest.
	deadline := time.Now().Add(5 * time.Second)
	for servers[0].wmu.TryLock() {
		servers[0].wmu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("the slow peer's socket never filled")
		}
		time.Sleep(time.Millisecond)
	}
	pong := make(chan string, 1)
	slow.SetPongHandler(func(s string) error { pong <- s; return nil })
	if err := slow.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}

	for i := range 20 {
		want := fmt.Sprintf("f%d", i)
		servers[1].Send(Message{Data: []byte(want)})
		if _, m := readWS(t, fast); m != "4"+want {
			t.Fatalf("bystander got %q, want %q", m, "4"+want)
		}
	}

	for i := range bigCount {
		slow.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, m, err := slow.ReadMessage()
		if err != nil {
			t.Fatalf("slow peer, message %d: %v", i, err)
		}
		if want := fmt.Sprintf("4%03d", i); len(m) != 4+len(big) || string(m[:4]) != want {
			t.Fatalf("slow peer, message %d: %d bytes starting %q", i, len(m), m[:min(8, len(m))])
		}
	}
	// The pong went out once the write lock was free, before or after the
	// last batch: read on until it has been seen.
	for i := 0; ; i++ {
		select {
		case s := <-pong:
			if s != "hi" {
				t.Fatalf("pong %q", s)
			}
			return
		default:
		}
		servers[0].Send(Message{Data: []byte("tick")})
		if _, m := readWS(t, slow); m != "4tick" {
			t.Fatalf("after the big messages: %q", m)
		}
		if i == 1000 {
			t.Fatal("no pong")
		}
	}
}

// BenchmarkBroadcast1000 sends one message to each of 1,000 websocket
// sessions, as a broadcast does, and waits until all are written. Per
// broadcast it reports where the time goes: enqueue-µs (the 1,000 Sends),
// first-write-µs (from the first Send until the first write has returned:
// the wake-up of a writer), all-written-µs (until the last write has
// returned) and writes. "ready-list" is the default policy; "goroutine-per-
// session" is the flusher that MinWriteInterval uses, here with an interval
// of 1ns (no wait), as the default was before.
func BenchmarkBroadcast1000(b *testing.B) {
	for _, bc := range []struct {
		name     string
		interval time.Duration
	}{{"ready-list", 0}, {"goroutine-per-session", time.Nanosecond}} {
		b.Run(bc.name, func(b *testing.B) { benchmarkBroadcast(b, 1000, bc.interval) })
	}
}

// BenchmarkBroadcastOverload offers broadcasts to 1,000 sessions faster
// than one write per delivery can keep up with (one every 2 ms: 500,000
// deliveries/s, where a write costs several µs), and reports how the
// policy copes: packets per write (coalescing), writes per broadcast, and
// behind-ms, how far the last write lags the last broadcast when the
// burst ends. A policy that adapts makes fewer, larger writes as it falls
// behind, and so falls behind less.
func BenchmarkBroadcastOverload(b *testing.B) {
	for _, bc := range []struct {
		name     string
		interval time.Duration
	}{{"ready-list", 0}, {"goroutine-per-session", time.Nanosecond}} {
		b.Run(bc.name, func(b *testing.B) { benchmarkOverload(b, 1000, bc.interval) })
	}
}

func benchmarkOverload(b *testing.B, n int, interval time.Duration) {
	var (
		writes, packets atomic.Int64
		target          atomic.Int64
		allWritten      = make(chan struct{}, 1)
		conns           = make(chan *Conn, n)
		h               = newEchoHandler()
		readersDone     sync.WaitGroup
	)
	h.onOpen = func(c *Conn) { conns <- c }
	srv := NewServer(h, &Options{MinWriteInterval: interval})
	srv.writeHook = func(c *Conn, p int) {
		writes.Add(1)
		if p > 0 && packets.Add(int64(p)) == target.Load() {
			allWritten <- struct{}{}
		}
	}
	ts := httptest.NewServer(srv)
	defer func() {
		srv.Shutdown(context.Background())
		ts.Close()
	}()
	clients, servers := dialSessions(b, ts, conns, n)
	for _, ws := range clients {
		readersDone.Add(1)
		go func() {
			defer readersDone.Done()
			ws.SetReadDeadline(time.Time{})
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	msg := Message{Data: []byte(`2["chat message","benchmark:0:0000000000000"]`)}
	const burst, every = 100, 2 * time.Millisecond
	var behind time.Duration
	var totalWrites, totalPackets int64
	b.ResetTimer()
	for b.Loop() {
		writes.Store(0)
		packets.Store(0)
		target.Store(int64(burst * n))
		start := time.Now()
		for i := range burst {
			time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
			for _, c := range servers {
				c.Send(msg)
			}
		}
		sent := time.Now()
		<-allWritten
		behind += time.Since(sent)
		totalWrites += writes.Load()
		totalPackets += packets.Load()
	}
	b.StopTimer()
	b.ReportMetric(float64(totalPackets)/float64(totalWrites), "packets/write")
	b.ReportMetric(float64(totalWrites)/float64(b.N*burst), "writes/broadcast")
	b.ReportMetric(float64(behind.Microseconds())/1e3/float64(b.N), "behind-ms")
	for _, ws := range clients {
		ws.Close()
	}
	readersDone.Wait()
}

func benchmarkBroadcast(b *testing.B, n int, interval time.Duration) {
	var (
		writes       atomic.Int64
		first, last  atomic.Int64
		allWritten   = make(chan struct{}, 1)
		start        = time.Now()
		sinceStart   = func() int64 { return int64(time.Since(start)) }
		target       atomic.Int64
		conns        = make(chan *Conn, n)
		h            = newEchoHandler()
		received     atomic.Int64
		readersReady sync.WaitGroup
	)
	h.onOpen = func(c *Conn) { conns <- c }
	srv := NewServer(h, &Options{MinWriteInterval: interval})
	srv.writeHook = func(c *Conn, packets int) {
		now := sinceStart()
		k := writes.Add(1)
		if k == 1 {
			first.Store(now)
		}
		if k == target.Load() {
			last.Store(now)
			allWritten <- struct{}{}
		}
	}
	ts := httptest.NewServer(srv)
	defer func() {
		srv.Shutdown(context.Background())
		ts.Close()
	}()
	clients, servers := dialSessions(b, ts, conns, n)
	for _, ws := range clients {
		readersReady.Add(1)
		go func() {
			defer readersReady.Done()
			ws.SetReadDeadline(time.Time{})
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				received.Add(1)
			}
		}()
	}
	msg := Message{Data: []byte(`2["chat message","benchmark:0:0000000000000"]`)}
	var enqueue, wake, all time.Duration
	var totalWrites int64
	b.ResetTimer()
	for b.Loop() {
		writes.Store(0)
		target.Store(int64(n))
		t0 := sinceStart()
		for _, c := range servers {
			c.Send(msg)
		}
		t1 := sinceStart()
		<-allWritten
		enqueue += time.Duration(t1 - t0)
		wake += time.Duration(first.Load() - t0)
		all += time.Duration(last.Load() - t0)
		totalWrites += writes.Load()
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(per(enqueue), "enqueue-µs")
	b.ReportMetric(per(wake), "first-write-µs")
	b.ReportMetric(per(all), "all-written-µs")
	b.ReportMetric(float64(totalWrites)/float64(b.N), "writes")
	for _, ws := range clients {
		ws.Close()
	}
	readersReady.Wait()
}
