package socketio

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio"
)

// BenchmarkBroadcastEmitWithAck asks every socket of a namespace for an
// ack, over real loopback websockets whose clients answer at once, until
// every ack is back. One op is one round: Broadcast.EmitWithAck
// ("broadcast": one encode, one ack id, one waiter), or one
// Socket.EmitWithAck per socket, each on its own goroutine ("per-socket",
// what a caller did before).
func BenchmarkBroadcastEmitWithAck(b *testing.B) {
	for _, n := range []int{100, 1000} {
		for _, mode := range []string{"broadcast", "per-socket"} {
			b.Run(fmt.Sprintf("sockets=%d/%s", n, mode), func(b *testing.B) { benchmarkEmitWithAcks(b, n, mode) })
		}
	}
}

var benchAckID = regexp.MustCompile(`^42(\d+)\[`)

func benchmarkEmitWithAcks(b *testing.B, n int, mode string) {
	srv := NewServer(&Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Engine: engineio.Options{PingInterval: time.Hour},
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=3&transport=websocket"
	var clients sync.WaitGroup
	var conns []*websocket.Conn
	defer func() {
		for _, ws := range conns {
			ws.Close()
		}
		clients.Wait()
	}()
	for range n {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			b.Fatal(err)
		}
		for range 2 { // open, then connect of "/"
			if _, _, err := ws.ReadMessage(); err != nil {
				b.Fatal(err)
			}
		}
		conns = append(conns, ws)
		clients.Add(1)
		go func() {
			defer clients.Done()
			for {
				_, m, err := ws.ReadMessage()
				if err != nil {
					return
				}
				if id := benchAckID.FindSubmatch(m); id != nil {
					ws.WriteMessage(websocket.TextMessage, []byte("43"+string(id[1])+`["ok"]`))
				}
			}
		}()
	}
	nsp := srv.Of("/")
	sockets := nsp.Sockets()
	if len(sockets) != n {
		b.Fatalf("%d sockets connected, want %d", len(sockets), n)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		switch mode {
		case "broadcast":
			acks, err := nsp.EmitWithAck(ctx, "ready?")
			if err != nil || len(acks.Replies) != n {
				b.Fatalf("%d acks, %v", len(acks.Replies), err)
			}
		case "per-socket":
			var wg sync.WaitGroup
			for _, s := range sockets {
				wg.Go(func() {
					if _, err := s.EmitWithAck(ctx, "ready?"); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/ack")
}
