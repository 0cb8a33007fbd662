package socketio

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio"
)

// BenchmarkBroadcast is one Namespace.Emit to every socket of a namespace,
// over real loopback websockets, until every client has read the frame. One
// op is one broadcast; allocs/op should not grow with the socket count beyond
// what each socket's send queue needs (compare the sub-benchmarks), since the
// packet is encoded once for all.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) { benchmarkBroadcast(b, n, nil) })
	}
}

func benchmarkBroadcast(b *testing.B, n int, obs Observer) {
	srv := NewServer(&Options{
		Observer: obs,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		// The clients never ping: keep the heartbeat out of the run.
		Engine: engineio.Options{PingInterval: time.Hour},
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=3&transport=websocket"

	const msg = "hello, world"
	// The server's frame: a 2-byte websocket header, then the packet.
	frameLen := 2 + len(`42["chat message","`+msg+`"]`)
	var got sync.WaitGroup // one Done per client per broadcast read
	var readers sync.WaitGroup
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		readers.Wait()
	}()
	for range n {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, want := range []string{"0", "40"} { // open, then connect of "/"
			_, m, err := ws.ReadMessage()
			if err != nil || !strings.HasPrefix(string(m), want) {
				b.Fatalf("handshake: %q, %v", m, err)
			}
		}
		// From here on the raw connection is read without allocating, so
		// that allocs/op are the server's.
		c := ws.NetConn()
		conns = append(conns, c)
		readers.Add(1)
		go func() {
			defer readers.Done()
			buf := make([]byte, 4096)
			total := 0
			for {
				k, err := c.Read(buf)
				if err != nil {
					return
				}
				total += k
				for ; total >= frameLen; total -= frameLen {
					got.Done()
				}
			}
		}()
	}
	nsp := srv.Of("/")
	if k := nsp.Len(); k != n {
		b.Fatalf("%d sockets connected, want %d", k, n)
	}

	b.ReportAllocs()
	for b.Loop() {
		got.Add(n)
		if err := nsp.Emit("chat message", msg); err != nil {
			b.Fatal(err)
		}
		got.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delivery")
}
