package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/siogen/siogen/examples/conformance/contract"
	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// wait bounds every wait of the generated-client tests.
const wait = 10 * time.Second

var transportSetups = []struct {
	name       string
	transports []string
}{
	{"polling+upgrade", nil},
	{"websocket", []string{engineio.WebSocket}},
	{"polling", []string{engineio.Polling}},
}

// TestGeneratedClientAgainstReference runs every row of the contract with
// the generated Go client against the reference server on socket.io 2.5.1
// (interop/sio-conformance-server.js, a copy of shared/peers/node-conformance).
func TestGeneratedClientAgainstReference(t *testing.T) {
	nodetest.Require(t)
	addr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	nodetest.Start(t, "sio-conformance-server.js", "listening", []string{"PORT=" + port})
	for _, setup := range transportSetups {
		t.Run(setup.name, func(t *testing.T) { runContract(t, "http://"+addr, setup.transports) })
	}
}

// TestGeneratedClientAgainstGeneratedServer runs the same rows against the
// generated conformance server.
func TestGeneratedClientAgainstGeneratedServer(t *testing.T) {
	for _, setup := range transportSetups {
		t.Run(setup.name, func(t *testing.T) {
			srv := newServer()
			ts := httptest.NewServer(srv)
			t.Cleanup(func() {
				ts.Close()
				srv.Shutdown(context.Background())
			})
			runContract(t, ts.URL, setup.transports)
		})
	}
}

var runs atomic.Int64

// options are the client options of runContract, which runs the 2.x
// contract: protocol 4, as socket.io-client 2.x (the 4.x contract's rows run
// with protocol 5 in runtime/socketio's TestClientContractReferenceV4).
func options(transports []string) *socketio.ManagerOptions {
	return &socketio.ManagerOptions{
		Protocol:             4,
		Engine:               engineio.DialOptions{Transports: transports},
		ReconnectionDelay:    50 * time.Millisecond,
		ReconnectionDelayMax: 200 * time.Millisecond,
	}
}

// connect returns a connected client of "/" at rawURL whose handlers were
// set by setup before connecting.
func connect(t *testing.T, rawURL string, transports []string, setup func(c *contract.MainClient)) *contract.MainClient {
	t.Helper()
	c := contract.NewMainClient(socketio.NewManager(rawURL, options(transports)))
	t.Cleanup(func() { c.Close() })
	if setup != nil {
		setup(c)
	}
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("connect %s: %v", rawURL, err)
	}
	return c
}

func ctxWait(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	t.Cleanup(cancel)
	return ctx
}

// refused checks that dial fails with the server's ERROR message want.
func refused(t *testing.T, err error, want string) {
	t.Helper()
	var ce *socketio.ConnectError
	if !errors.As(err, &ce) || ce.Message != want {
		t.Fatalf("connect: %v, want refusal %q", err, want)
	}
}

// runContract checks the rows of shared/peers/node-conformance/README.md
// with the generated client against the server at base.
func runContract(t *testing.T, base string, transports []string) {
	rows := testutil.NewContract(t, testutil.GeneratedClient)
	asdf := []byte("asdfasdf")
	run := fmt.Sprintf("run%d-%d", time.Now().UnixNano(), runs.Add(1))
	signal := func() (chan struct{}, func()) {
		ch := make(chan struct{}, 8)
		return ch, func() { ch <- struct{}{} }
	}

	rows.Run("hi", func(t *testing.T) {
		got, fire := signal()
		c := connect(t, base, transports, func(c *contract.MainClient) { c.OnHi(fire) })
		c.EmitHi()
		testutil.Recv(t, got, "hi")
	})
	rows.Run("ack", func(t *testing.T) {
		got, fire := signal()
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnAck(func() (int, contract.AckObject, error) { return 5, contract.AckObject{Test: true}, nil })
			c.OnGotIt(fire)
		})
		c.EmitAck()
		testutil.Recv(t, got, "got it")
	})
	rows.Run("getAckDate", func(t *testing.T) {
		c := connect(t, base, transports, nil)
		date, err := c.EmitGetAckDate(ctxWait(t), map[string]int{"test": 1})
		if ts, perr := time.Parse(time.RFC3339, date); err != nil || perr != nil || time.Since(ts).Abs() > time.Minute {
			t.Fatalf("getAckDate: %q %v %v", date, err, perr)
		}
	})
	rows.Run("getDate", func(t *testing.T) {
		dates := make(chan string, 2)
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnTakeDate(func(date string) { dates <- date })
			c.OnTakeDateObj(func(v contract.DateObject) { dates <- v.Date })
		})
		c.EmitGetDate()
		c.EmitGetDateObj()
		for _, what := range []string{"takeDate", "takeDateObj"} {
			if d := testutil.Recv(t, dates, what); !isDate(d) {
				t.Fatalf("%s: %q", what, d)
			}
		}
	})
	rows.Run("getUtf8", func(t *testing.T) {
		got := make(chan string, 8)
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnTakeUtf8(func(s string) { got <- s })
		})
		c.EmitGetUtf8()
		for _, want := range []string{"てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"} {
			if s := testutil.Recv(t, got, "takeUtf8"); s != want {
				t.Fatalf("takeUtf8 %q, want %q", s, want)
			}
		}
	})
	rows.Run("false", func(t *testing.T) {
		got := make(chan bool, 1)
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnFalse(func(v bool) { got <- v })
		})
		c.EmitFalse()
		if v := testutil.Recv(t, got, "false"); v {
			t.Fatal("false arrived as true")
		}
	})
	rows.Run("binary in", func(t *testing.T) {
		got := make(chan []byte, 2)
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnDoge(func(data []byte) { got <- data })
			c.OnTakeBin(func(data []byte) { got <- data })
		})
		c.EmitDoge()
		c.EmitGetBin()
		for _, what := range []string{"doge", "takebin"} {
			if b := testutil.Recv(t, got, what); !bytes.Equal(b, asdf) {
				t.Fatalf("%s: %q", what, b)
			}
		}
	})
	rows.Run("binary out", func(t *testing.T) {
		got, fire := signal()
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnBuffack(fire)
			c.OnJSONBuffAck(fire)
			c.OnAbuff2Ack(fire)
		})
		c.EmitBuffa(asdf)
		testutil.Recv(t, got, "buffack")
		c.EmitJSONBuff(contract.JSONBuffer{Hello: "lol", Message: asdf, Goodbye: "gotcha"})
		testutil.Recv(t, got, "jsonbuff-ack")
		c.EmitAbuff1(asdf)
		c.EmitAbuff2("please")
		testutil.Recv(t, got, "abuff2-ack")
	})
	rows.Run("echo", func(t *testing.T) {
		c := connect(t, base, transports, nil)
		for _, v := range []any{
			"a string", 42.5, map[string]any{"a": "b", "n": 1.0}, asdf,
			map[string]any{"bin": asdf, "list": []any{"x", []byte{1, 2}}},
		} {
			got, err := c.EmitEcho(ctxWait(t), v)
			if err != nil || !reflect.DeepEqual(got, v) {
				t.Fatalf("echo %#v: %#v, %v", v, got, err)
			}
		}
	})
	rows.Run("getHandshake", func(t *testing.T) {
		c := connect(t, base+"/?foo=bar&run="+run, transports, nil)
		h, err := c.EmitGetHandshake(ctxWait(t))
		if err != nil || h.Query["foo"] != "bar" || h.Query["run"] != run || h.Query["EIO"] != "3" || h.Address == "" || h.Issued == 0 || h.Headers["host"] == "" {
			t.Fatalf("handshake %+v, %v", h, err)
		}
	})
	rows.Run("rooms", func(t *testing.T) {
		room := "room-" + run
		aGot := make(chan string, 4)
		bGot := make(chan string, 4)
		a := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnRoomMessage(func(room string, msg any) { aGot <- fmt.Sprint(room, msg) })
		})
		b := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnRoomMessage(func(room string, msg any) { bGot <- fmt.Sprint(room, msg) })
		})
		if n, err := a.EmitJoin(ctxWait(t), room); err != nil || n != 1 {
			t.Fatalf("a joins: %d %v", n, err)
		}
		if n, err := b.EmitJoin(ctxWait(t), room); err != nil || n != 2 {
			t.Fatalf("b joins: %d %v", n, err)
		}
		a.EmitRoomMessage(room, "hello")
		if got := testutil.Recv(t, bGot, "room message"); got != room+"hello" {
			t.Fatalf("room message %q", got)
		}
		testutil.None(t, aGot, "room message at the sender")
	})
	rows.Run("broadcast", func(t *testing.T) {
		aGot := make(chan any, 4)
		bGot := make(chan any, 4)
		a := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnBroadcast(func(msg any) {
				if msg == run {
					aGot <- msg
				}
			})
		})
		connect(t, base, transports, func(c *contract.MainClient) {
			c.OnBroadcast(func(msg any) {
				if msg == run {
					bGot <- msg
				}
			})
		})
		a.EmitBroadcast(run)
		testutil.Recv(t, bGot, "broadcast")
		testutil.None(t, aGot, "broadcast at the sender")
	})
	rows.Run("disconnect me", func(t *testing.T) {
		reasons := make(chan string, 2)
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnDisconnect(func(reason string) { reasons <- reason })
		})
		c.EmitDisconnectMe()
		if r := testutil.Recv(t, reasons, "disconnect"); r != socketio.ReasonIOServerDisconnect {
			t.Fatalf("reason %q", r)
		}
		if c.Connected() {
			t.Fatal("still connected")
		}
	})
	rows.Run("server ack", func(t *testing.T) {
		got := make(chan float64, 1)
		c := connect(t, base, transports, func(c *contract.MainClient) {
			c.OnDouble(func(n float64) (float64, error) { return n * 2, nil })
			c.OnDoubleResult(func(m float64) { got <- m })
		})
		c.EmitServerAck(21)
		if m := testutil.Recv(t, got, "double result"); m != 42 {
			t.Fatalf("double result %v", m)
		}
	})
	rows.Run("namespaces", func(t *testing.T) {
		ctx := ctxWait(t)
		m := socketio.NewManager(base+"/?a=1", options(transports))
		t.Cleanup(func() { m.Close() })
		abc := contract.NewAbcClient(m)
		hs := make(chan contract.Handshake, 1)
		abc.OnHandshake(func(h contract.Handshake) { hs <- h })
		if err := abc.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		if h := testutil.Recv(t, hs, "handshake"); h.Query["a"] != "1" {
			t.Fatalf("/abc handshake query %v", h.Query)
		}
		// Several namespaces on the Manager's one connection.
		foo := contract.NewFooClient(m)
		if err := foo.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		if foo.ID() != "/foo#"+abc.ID()[len("/abc#"):] {
			t.Fatalf("ids %q and %q do not share a connection", foo.ID(), abc.ID())
		}
		_, err := contract.DialNo(ctx, base, options(transports))
		refused(t, err, "Auth failed (custom namespace)")
		_, err = contract.DialAdmin(ctx, base+"/?token=wrong", options(transports))
		refused(t, err, "not authorized")
		admin, err := contract.DialAdmin(ctx, base+"/?token=secret", options(transports))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if name, err := admin.EmitWhoAmI(ctx); err != nil || name != "admin" {
			t.Fatalf("whoami %q %v", name, err)
		}
		_, err = contract.DialMain(ctx, base+"/?fail=1", options(transports))
		refused(t, err, "Auth failed (main namespace)")
		// The reference tests the value's truth: an empty one connects.
		empty, err := contract.DialMain(ctx, base+"/?fail=", options(transports))
		if err != nil {
			t.Fatalf("?fail= (empty): %v, want connected as by the reference", err)
		}
		empty.Close()
	})
	rows.Run("namespaces without events", func(t *testing.T) {
		ctx := ctxWait(t)
		m := socketio.NewManager(base, options(transports))
		t.Cleanup(func() { m.Close() })
		type nsClient interface {
			Connect(context.Context) error
			ID() string
			Connected() bool
		}
		for nsp, c := range map[string]nsClient{
			"/foo":            contract.NewFooClient(m),
			"/asd":            contract.NewAsdClient(m),
			"/valid":          contract.NewValidClient(m),
			"/timeout_socket": contract.NewTimeoutSocketClient(m),
		} {
			if err := c.Connect(ctx); err != nil {
				t.Fatalf("%s: %v", nsp, err)
			}
			if !strings.HasPrefix(c.ID(), nsp+"#") || !c.Connected() {
				t.Fatalf("%s: id %q, connected %v", nsp, c.ID(), c.Connected())
			}
		}
	})
	rows.Run("query on the namespace CONNECT", func(t *testing.T) {
		// The query rides on /abc's CONNECT packet, not on the Engine.IO
		// handshake: the Manager's URL has none.
		m := socketio.NewManager(base, options(transports))
		t.Cleanup(func() { m.Close() })
		m.Socket("/abc?b=c&run=" + run)
		abc := contract.NewAbcClient(m) // the socket made above, with its query
		hs := make(chan contract.Handshake, 1)
		abc.OnHandshake(func(h contract.Handshake) { hs <- h })
		if err := abc.Connect(ctxWait(t)); err != nil {
			t.Fatal(err)
		}
		h := testutil.Recv(t, hs, "handshake")
		if h.Query["b"] != "c" || h.Query["run"] != run || h.Query["EIO"] != "3" {
			t.Fatalf("/abc handshake query %v, want b=c, run=%s and the handshake's EIO=3", h.Query, run)
		}
	})
	rows.Run("refusal keeps the connection", func(t *testing.T) {
		ctx := ctxWait(t)
		got, fire := signal()
		m := socketio.NewManager(base, options(transports))
		t.Cleanup(func() { m.Close() })
		root := contract.NewMainClient(m)
		root.OnHi(fire)
		if err := root.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		refused(t, m.Socket("/nope").Connect(ctx), "Invalid namespace")
		// "/" is still connected on the same session, and still served.
		root.EmitHi()
		testutil.Recv(t, got, "hi after a refused namespace")
		if !root.Connected() {
			t.Fatal("/ disconnected after /nope was refused")
		}
		if m.Socket("/nope").Connected() {
			t.Fatal("/nope connected")
		}
	})
	rows.Run("ping interval", func(t *testing.T) {
		c, err := engineio.Dial(ctxWait(t), base+"/socket.io/", &engineio.DialOptions{Protocol: 3, Transports: transports})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// 2 s as the contract says; the timeout at engine.io 3.6.2's default.
		if c.PingInterval() != 2*time.Second || c.PingTimeout() != 20*time.Second {
			t.Fatalf("handshake ping interval %v, timeout %v; want 2s, 20s", c.PingInterval(), c.PingTimeout())
		}
	})
}

func isDate(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}
