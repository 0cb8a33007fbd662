package socketio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	enginecodec "github.com/siogen/siogen/runtime/engineio/codec"
)

// leakCycles is the number of connect, emit, disconnect cycles of
// TestNoLeaks, half over websocket and half over polling.
const leakCycles = 10000

// TestNoLeaks runs 10,000 connect, emit, disconnect cycles, half over
// websocket and half over polling, a quarter of them through a second
// namespace, 16 at a time, and checks that every session, socket, room and
// goroutine is gone afterwards and the heap is back to where it was, within
// a small margin.
//
// SIOGEN_SOAK=<duration> (scripts/soak.sh) turns it into a soak: cycles
// run for that long, and the check is made every minute.
func TestNoLeaks(t *testing.T) {
	soak, _ := time.ParseDuration(os.Getenv("SIOGEN_SOAK"))
	srv := NewServer(&Options{Logger: clientTestLogger()})
	var connected, disconnected atomic.Int64
	for _, name := range []string{"/", "/a"} {
		srv.Of(name).OnConnection(func(s *Socket) {
			connected.Add(1)
			s.OnDisconnect(func(string) { disconnected.Add(1) })
			s.On("echo", func(e *Event) {
				var v any
				e.Decode(0, &v)
				s.Emit("echo", v)
			})
		})
	}
	ts := httptest.NewServer(srv)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr, Timeout: hardWait}
	dialer := websocket.DefaultDialer
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ts.Close()
	})

	run := func(cycles int) {
		t.Helper()
		const workers = 16
		var next atomic.Int64
		errs := make(chan error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= cycles {
						return
					}
					var err error
					if i%2 == 0 {
						err = websocketCycle(dialer, ts, i, w%4 == 0)
					} else {
						err = pollingCycle(client, ts, i, w%4 == 1)
					}
					if err != nil {
						errs <- fmt.Errorf("cycle %d: %v", i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		waitFor(t, "every session to end", func() bool {
			return srv.Engine().Len() == 0 && connected.Load() == disconnected.Load()
		})
	}

	// Warm up: pools, the http.Transport's connections, lazily built
	// tables.
	run(400)
	tr.CloseIdleConnections()
	goroutines := goleak.IgnoreCurrent()
	before := heapAlloc()

	check := func(cycles int) {
		t.Helper()
		tr.CloseIdleConnections()
		if err := goleak.Find(goroutines); err != nil {
			t.Fatalf("after %d cycles: %v", cycles, err)
		}
		after := heapAlloc()
		// A leak of 64 bytes a cycle would exceed it.
		const margin = 512 << 10
		t.Logf("after %d cycles: heap %d -> %d bytes, %d sockets connected and disconnected", cycles, before, after, connected.Load())
		if after > before+margin {
			t.Fatalf("after %d cycles the heap grew from %d to %d bytes", cycles, before, after)
		}
		if n := srv.Of("/").Len() + srv.Of("/a").Len(); n != 0 {
			t.Fatalf("%d sockets left", n)
		}
		for _, name := range []string{"/", "/a"} {
			if rooms, _ := srv.Of(name).Adapter().Rooms(context.Background()); len(rooms) != 0 {
				t.Fatalf("%d rooms left in %s", len(rooms), name)
			}
		}
	}

	start := time.Now()
	run(leakCycles)
	check(leakCycles)
	t.Logf("%d cycles in %v", leakCycles, time.Since(start).Round(time.Millisecond))
	total := leakCycles
	for soak > 0 && time.Since(start) < soak {
		for lap := time.Now(); time.Since(lap) < time.Minute; total += leakCycles {
			run(leakCycles)
		}
		check(total)
	}
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() uint64 {
	var m runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// websocketCycle connects over websocket (and to "/a" if nsp), emits
// "echo", reads the answer, and leaves as socket.io-client does: a
// DISCONNECT, then the socket closes.
func websocketCycle(dialer *websocket.Dialer, ts *httptest.Server, i int, nsp bool) error {
	ws, _, err := dialer.Dial(wsBase(ts), nil)
	if err != nil {
		return err
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(hardWait))
	read := func() (string, error) {
		_, b, err := ws.ReadMessage()
		return string(b), err
	}
	if open, err := read(); err != nil || !strings.HasPrefix(open, "0{") {
		return fmt.Errorf("open %q: %v", open, err)
	}
	if m, err := read(); err != nil || m != "40" {
		return fmt.Errorf("connect %q: %v", m, err)
	}
	prefix := ""
	if nsp {
		prefix = "/a,"
		ws.WriteMessage(websocket.TextMessage, []byte("40/a"))
		if m, err := read(); err != nil || m != "40/a," {
			return fmt.Errorf("connect /a %q: %v", m, err)
		}
	}
	event := fmt.Sprintf(`42%s["echo",%d]`, prefix, i)
	ws.WriteMessage(websocket.TextMessage, []byte(event))
	if m, err := read(); err != nil || m != event {
		return fmt.Errorf("echo %q: %v", m, err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("41"))
	return nil
}

// pollingCycle is websocketCycle over long-polling; the client leaves with
// a DISCONNECT and an Engine.IO close packet, as engine.io-client does.
func pollingCycle(client *http.Client, ts *httptest.Server, i int, nsp bool) error {
	base := ts.URL + "/socket.io/?EIO=3&transport=polling"
	get := func(u string) ([]enginecodec.Packet, error) {
		res, err := client.Get(u)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != 200 {
			return nil, fmt.Errorf("GET: %d %q %v", res.StatusCode, body, err)
		}
		return enginecodec.DecodePayload(body, false, enginecodec.V3)
	}
	post := func(u string, pkts ...string) error {
		eps := make([]enginecodec.Packet, len(pkts))
		for i, p := range pkts {
			eps[i] = enginecodec.Packet{Type: enginecodec.PacketType(p[0] - '0'), Data: []byte(p[1:])}
		}
		res, err := client.Post(u, "text/plain;charset=UTF-8", strings.NewReader(string(enginecodec.AppendStringPayload(nil, eps, enginecodec.V3))))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("POST: %d", res.StatusCode)
		}
		return nil
	}
	pkts, err := get(base)
	if err != nil || len(pkts) != 2 || pkts[0].Type != enginecodec.Open || string(pkts[1].Data) != "0" {
		return fmt.Errorf("handshake %v: %v", pkts, err)
	}
	var hs struct{ SID string }
	if err := json.Unmarshal(pkts[0].Data, &hs); err != nil {
		return err
	}
	u := base + "&sid=" + hs.SID
	prefix := ""
	if nsp {
		prefix = "/a,"
		if err := post(u, "40/a"); err != nil {
			return err
		}
		if pkts, err := get(u); err != nil || len(pkts) != 1 || string(pkts[0].Data) != "0/a," {
			return fmt.Errorf("connect /a %v: %v", pkts, err)
		}
	}
	event := fmt.Sprintf(`42%s["echo",%d]`, prefix, i)
	if err := post(u, event); err != nil {
		return err
	}
	if pkts, err := get(u); err != nil || len(pkts) != 1 || "4"+string(pkts[0].Data) != event {
		return fmt.Errorf("echo %v: %v", pkts, err)
	}
	return post(u, "41", "1")
}
