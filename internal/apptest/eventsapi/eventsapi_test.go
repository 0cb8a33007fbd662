package eventsapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/apptest/eventsapi"
	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// secret is the text of the server's internal errors: it must reach the
// server's log and never a client.
const secret = "db password hunter2"

// shop is a test server of the Shop namespace with two event middleware,
// catch-all listeners and handlers that fail in both ways. It records, in
// order, what ran on the server (trace), every byte it wrote to any
// connection (frames), and its log.
type shop struct {
	url    string
	mu     sync.Mutex
	trace  []string
	frames testutil.Buffer
	log    testutil.Buffer
}

func (s *shop) note(line string) {
	s.mu.Lock()
	s.trace = append(s.trace, line)
	s.mu.Unlock()
}

func (s *shop) traced() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.trace)
}

func newShop(t *testing.T) *shop {
	sh := &shop{}
	srv := socketio.NewServer(&socketio.Options{
		Logger: slog.New(slog.NewTextHandler(&sh.log, nil)),
		Engine: engineio.Options{DisableCompression: true}, // frames stay readable
	})
	shop := eventsapi.NewShopServer(srv)
	shop.UseEvent(func(s *eventsapi.ShopSocket, e *socketio.Event) error {
		sh.note("mw1 " + e.Name)
		var item eventsapi.Item
		if e.Name == "place order" && e.Decode(0, &item) == nil && item.Name == "contraband" {
			return socketio.NewClientError("contraband is not for sale")
		}
		return nil
	})
	shop.UseEvent(func(s *eventsapi.ShopSocket, e *socketio.Event) error {
		sh.note("mw2 " + e.Name)
		var kind string
		if e.Name == "fail" && e.Decode(0, &kind) == nil && kind == "mw" {
			return errors.New("middleware: " + secret)
		}
		return nil
	})
	orders := 0
	shop.OnConnection(func(s *eventsapi.ShopSocket) {
		s.OnAny(func(event string, _ *socketio.Args) { sh.note("any " + event) })
		s.OnAnyOutgoing(func(event string, args *socketio.Args) {
			sh.note(fmt.Sprintf("out %s %s", event, bytes.Join(args.Raw, []byte(","))))
		})
		s.OnError(func(err error) { sh.note("error " + err.Error()) })
		s.OnNote(func(text string) { sh.note("handler note " + text) })
		s.OnOrder(func(item eventsapi.Item) (int, error) {
			sh.note("handler place order " + item.Name)
			orders++
			s.EmitReceipt(orders)
			shop.EmitPlaced(orders) // a broadcast, which reaches s too
			return orders, nil
		})
		s.OnFail(func(kind string) error {
			sh.note("handler fail " + kind)
			if kind == "client" {
				return socketio.NewClientError("you asked for it")
			}
			return fmt.Errorf("handler: %s", secret)
		})
	})
	ts := httptest.NewUnstartedServer(srv)
	ts.Listener = &recordingListener{Listener: ts.Listener, out: &sh.frames}
	ts.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx) // ends the sessions and their long polls first
		ts.Close()
	})
	sh.url = ts.URL
	return sh
}

// The lines every client must print (see interop/events-client.js): acks
// in order, and events in order.
var (
	wantAcks = []string{
		`ACK order [1]`,
		`ACK fail internal [{"error":"internal error"}]`,
		`ACK fail client [{"error":"you asked for it"}]`,
		`ACK fail mw [{"error":"internal error"}]`,
		`ACK contraband [{"error":"contraband is not for sale"}]`,
		`ACK bad argument [{"error":"\"place order\": argument 1: want an object, got a number"}]`,
	}
	wantEvents = []string{`EVENT receipt [1]`, `EVENT placed [1]`}
	// wantTrace is what runs on the server, in order: OnAny first, then the
	// middleware in the order added, then the handler, unless refused.
	wantTrace = []string{
		"any note", "mw1 note", "mw2 note", "handler note hello",
		"any place order", "mw1 place order", "mw2 place order", "handler place order tea", "out receipt 1", "out placed 1",
		"any fail", "mw1 fail", "mw2 fail", "handler fail internal",
		"any fail", "mw1 fail", "mw2 fail", "handler fail client",
		"any fail", "mw1 fail", "mw2 fail", "error middleware: " + secret,
		"any place order", "mw1 place order", "error contraband is not for sale",
		"any place order", "mw1 place order", "mw2 place order", `error "place order": argument 1: want an object, got a number`,
	}
)

// TestEveryEvent runs the same steps from the official socket.io-client
// 2.5.0 and 4.8.3 (node) and from the generated Go client, over websocket
// and polling, against the generated server: event middleware runs in
// order and refuses with an ack error, OnAny and OnAnyOutgoing see the
// right events, a ClientError's text reaches the client, an internal
// error's text never appears in anything the server writes (it is logged),
// and an argument that does not decode is answered in JSON's terms.
func TestEveryEvent(t *testing.T) {
	for _, client := range []string{"node2", "node4", "go"} {
		for _, transport := range []string{engineio.WebSocket, engineio.Polling} {
			t.Run(client+"/"+transport, func(t *testing.T) {
				sh := newShop(t)
				var lines []string
				switch client {
				case "go":
					lines = goClientSteps(t, sh.url, transport)
				default:
					env := []string{"SIO_CLIENT=" + strings.TrimPrefix(client, "node")}
					p := nodetest.Start(t, "events-client.js", "", env, sh.url, transport)
					if err := p.Wait(30 * time.Second); err != nil || !strings.Contains(p.Output(), "done") {
						t.Fatalf("events-client.js: %v\n%s", err, p.Output())
					}
					lines = strings.Split(strings.TrimSpace(p.Output()), "\n")
				}
				var acks, events []string
				for _, l := range lines {
					switch {
					case strings.HasPrefix(l, "ACK "):
						acks = append(acks, l)
					case strings.HasPrefix(l, "EVENT "):
						events = append(events, l)
					}
				}
				if !slices.Equal(acks, wantAcks) {
					t.Errorf("acks:\n%s\nwant\n%s", strings.Join(acks, "\n"), strings.Join(wantAcks, "\n"))
				}
				if !slices.Equal(events, wantEvents) {
					t.Errorf("events: %q, want %q", events, wantEvents)
				}
				if got := sh.traced(); !slices.Equal(got, wantTrace) {
					t.Errorf("server trace:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantTrace, "\n"))
				}
				frames := sh.frames.String()
				if i := strings.Index(frames, "hunter2"); i >= 0 {
					t.Errorf("an internal error's text reached the wire: %q", frames[max(0, i-80):i+7])
				}
				for _, want := range []string{"you asked for it", "contraband is not for sale", `want an object, got a number`} {
					if !strings.Contains(frames, want) {
						t.Errorf("%q is not in the %d bytes the server wrote: the capture misses frames", want, len(frames))
					}
				}
				if n := strings.Count(sh.log.String(), "hunter2"); n != 1 {
					// The handler's error is logged; the middleware's goes to
					// OnError, which the test set.
					t.Errorf("the internal error is logged %d times, want once:\n%s", n, sh.log.String())
				}
			})
		}
	}
}

// goClientSteps runs the steps of interop/events-client.js with the
// generated client and returns its lines.
func goClientSteps(t *testing.T, url, transport string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	var lines []string
	add := func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() }
	c := eventsapi.NewShopClient(socketio.NewManager(url, &socketio.ManagerOptions{
		Engine:              engineio.DialOptions{Transports: []string{transport}},
		DisableReconnection: true,
	}))
	events := make(chan struct{}, 2)
	c.OnReceipt(func(n int) { add(fmt.Sprintf("EVENT receipt [%d]", n)); events <- struct{}{} })
	c.OnPlaced(func(n int) { add(fmt.Sprintf("EVENT placed [%d]", n)); events <- struct{}{} })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ack := func(step string, err error, vals ...any) {
		var rej *socketio.RejectedError
		switch {
		case errors.As(err, &rej):
			vals = []any{map[string]string{"error": rej.Message}}
		case err != nil:
			t.Fatalf("%s: %v", step, err)
		}
		b, _ := json.Marshal(vals)
		add("ACK " + step + " " + string(b))
	}
	if err := c.EmitNote("hello"); err != nil {
		t.Fatal(err)
	}
	n, err := c.EmitOrder(ctx, eventsapi.Item{Name: "tea", Qty: 2})
	ack("order", err, n)
	ack("fail internal", c.EmitFail(ctx, "internal"))
	ack("fail client", c.EmitFail(ctx, "client"))
	ack("fail mw", c.EmitFail(ctx, "mw"))
	_, err = c.EmitOrder(ctx, eventsapi.Item{Name: "contraband", Qty: 1})
	ack("contraband", err)
	_, err = c.Socket().EmitWithAck(ctx, "place order", 5) // what the typed emitter cannot send
	ack("bad argument", err)
	for range 2 {
		select {
		case <-events:
		case <-ctx.Done():
			t.Fatal("the receipt and placed events did not arrive")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(lines)
}

// recordingListener records every byte the server writes on the
// connections it accepts: polling responses and websocket frames alike.
type recordingListener struct {
	net.Listener
	out *testutil.Buffer
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recordingConn{Conn: c, out: l.out}, nil
}

type recordingConn struct {
	net.Conn
	out *testutil.Buffer
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.out.Write(p)
	return c.Conn.Write(p)
}
