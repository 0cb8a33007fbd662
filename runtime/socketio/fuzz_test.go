package socketio

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enginecodec "github.com/siogen/siogen/runtime/engineio/codec"
)

// FuzzServerMessages feeds any sequence of Engine.IO messages to a server,
// as one polling POST, over a socket.io 2.x session (Engine.IO v3, Socket.IO
// v4) and again over a 4.x one (Engine.IO v4, Socket.IO v5), and checks that nothing panics: not the decoders,
// not the namespace and ack logic, not the argument decoders the handlers
// (written as generated code would be) call, and that the server is still
// whole afterwards. An input is messages joined by fuzzSeparator; one that
// starts with fuzzBinaryMark is binary.
func FuzzServerMessages(f *testing.F) {
	for _, seed := range [][]string{
		{`2["echo",1,"two",{"three":[3]},null,true]`},
		{`21["echo",{"a":[1,2.5e3,"\u00e9"]}]`, `3/a,0["late"]`},
		{`0/a`, `2/a,["join","room"]`, `2/a,["room","room","hi"]`, `1/a`, `2/a,["echo"]`},
		{`0/admin?token=secret`, `2/admin,7["typed",{"n":-1,"u":18446744073709551615,"f":1e308,"s":"x","b":"\u0000"}]`},
		{`0/admin?token=no`, `2/admin,["typed"]`},
		{`51-["echo",{"_placeholder":true,"num":0}]`, "\x01\x00\xff\x10"},
		{`52-["typed",{"bin":{"_placeholder":true,"num":1}},{"_placeholder":true,"num":0}]`, "\x01a", "\x01b"},
		{`2["typed",{"n":1e400,"s":"\ud800"},[[[[[[[[]]]]]]]]]`, `2[12,"numeric name"]`},
		{`4"client error"`, `4{"message":1}`, `0/nope`, `0/a`, `0/a`},
		{`2["join","/"]`, `2["room","/","x"]`, `2["disconnect me"]`, `2["echo"]`},
		{`5`, "\x01x", `3["no id"]`, `39999999999999999999["x"]`},
		{`0`, `0/a,{"token":"x"}`, `2/a,["echo",1]`, `0/a,`, `2["disconnect"]`},
		{`0{"a":[1,{"b":null}]}`, `2/b,["echo"]`, `1`, `0`, `51-["echo",{"_placeholder":true,"num":0}]`, "\x01"},
		{`0{"pid":"x","offset":"y"}`, `0/a,{"pid":1,"offset":null}`, `2["echo","x"]`, `2["join","r"]`, `2["room","r","x"]`},
	} {
		f.Add([]byte(strings.Join(seed, fuzzSeparator)))
	}
	catcher := &panicCatcher{}
	srv := newFuzzServer(slog.New(catcher))
	f.Fuzz(func(t *testing.T, input []byte) {
		fuzzSession(t, srv, catcher, input, enginecodec.V3)
		fuzzSession(t, srv, catcher, input, enginecodec.V4)
	})
}

// fuzzSession runs one input of FuzzServerMessages over a session of
// Engine.IO revision v.
func fuzzSession(t *testing.T, srv *Server, catcher *panicCatcher, input []byte, v enginecodec.Version) {
	goroutines := runtime.NumGoroutine()
	sid := fuzzHandshake(t, srv, v)
	var pkts []enginecodec.Packet
	for _, part := range bytes.Split(input, []byte(fuzzSeparator)) {
		binary := len(part) > 0 && part[0] == fuzzBinaryMark
		if binary {
			part = part[1:]
		}
		if !binary && len(part) == 0 {
			part = nil
		}
		pkts = append(pkts, enginecodec.Packet{Type: enginecodec.Message, Data: part, Binary: binary})
	}
	if v == enginecodec.V3 {
		fuzzPost(t, srv, sid, v, "application/octet-stream", enginecodec.AppendBinaryPayload(nil, pkts))
	} else {
		fuzzPost(t, srv, sid, v, "text/plain;charset=UTF-8", enginecodec.AppendStringPayload(nil, pkts, v))
	}
	// The client leaves; its sockets' handlers finish their queues.
	fuzzPost(t, srv, sid, v, "text/plain;charset=UTF-8", enginecodec.AppendStringPayload(nil, []enginecodec.Packet{{Type: enginecodec.Close}}, v))
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > goroutines && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // poll period: no event says the handler goroutines are gone
	}
	if msg := catcher.take(); msg != "" {
		t.Fatalf("input %q: %s", input, msg)
	}
	if n := srv.Engine().Len(); n != 0 {
		t.Fatalf("input %q: %d sessions left", input, n)
	}
}

const (
	fuzzSeparator  = "\x1e"
	fuzzBinaryMark = '\x01'
)

// newFuzzServer returns a server whose handlers do what generated code and
// applications do with what a client sends: decode arguments into typed
// values, answer acks, join rooms, broadcast, disconnect.
func newFuzzServer(log *slog.Logger) *Server {
	// With recovery, so that v5 sessions go through offsets, kept sessions
	// and recovery requests in their CONNECT payloads.
	srv := NewServer(&Options{Logger: log, Recovery: &RecoveryOptions{MaxDisconnectionDuration: time.Second}})
	srv.Of("/admin").Use(func(s *Socket) error {
		if s.Handshake().Query.Get("token") != "secret" {
			return NewClientError("not authorized")
		}
		return nil
	})
	type typed struct {
		N   int             `json:"n"`
		U   uint64          `json:"u"`
		F   float64         `json:"f"`
		S   string          `json:"s"`
		B   []byte          `json:"bin"`
		M   map[string]any  `json:"m"`
		Raw json.RawMessage `json:"raw"`
	}
	for _, name := range []string{"/", "/a", "/admin"} {
		nsp := srv.Of(name)
		nsp.OnConnection(func(s *Socket) {
			s.On("echo", func(e *Event) {
				args := make([]any, e.Len())
				for i := range args {
					e.Decode(i, &args[i])
				}
				e.Ack(args...)
				s.Emit("echo", args...)
			})
			s.On("typed", func(e *Event) {
				var v typed
				if err := e.Decode(0, &v); err != nil {
					e.Reject(&ArgError{Event: e.Name, Index: 0, Err: err})
					return
				}
				for i := range e.Len() {
					DecodeString[string](&e.Args, i)
					DecodeInt[int8](&e.Args, i)
					DecodeUint[uint16](&e.Args, i)
					DecodeFloat[float32](&e.Args, i)
					DecodeBool[bool](&e.Args, i)
				}
				e.Ack(v)
			})
			s.On("join", func(e *Event) {
				room, _ := DecodeString[string](&e.Args, 0)
				s.Join(room)
				ids, _ := nsp.SocketsIn(context.Background(), room)
				e.Ack(len(ids), s.Rooms())
			})
			s.On("room", func(e *Event) {
				room, _ := DecodeString[string](&e.Args, 0)
				var msg any
				e.Decode(1, &msg)
				nsp.To(room).Emit("room", msg)
				s.Leave(room)
			})
			s.On("disconnect me", func(*Event) { s.Disconnect(false) })
		})
	}
	return srv
}

func fuzzHandshake(t *testing.T, srv *Server, v enginecodec.Version) string {
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/socket.io/?EIO="+strconv.Itoa(int(v))+"&transport=polling", nil))
	pkts, err := enginecodec.DecodePayload(rec.Body.Bytes(), false, v)
	if rec.Code != 200 || err != nil || len(pkts) == 0 {
		t.Fatalf("handshake: %d %q %v", rec.Code, rec.Body, err)
	}
	var hs struct{ SID string }
	json.Unmarshal(pkts[0].Data, &hs)
	return hs.SID
}

func fuzzPost(t *testing.T, srv *Server, sid string, v enginecodec.Version, contentType string, body []byte) {
	req := httptest.NewRequest("POST", "/socket.io/?EIO="+strconv.Itoa(int(v))+"&transport=polling&sid="+sid, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	// A POST after the session ended (the input closed it) is refused.
	if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
		t.Fatalf("POST: %d %q", rec.Code, rec.Body)
	}
}

// panicCatcher is a slog.Handler that keeps the first recovered panic the
// server logs, which the fuzz target turns into a failure.
type panicCatcher struct {
	mu  sync.Mutex
	msg string
}

func (h *panicCatcher) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h *panicCatcher) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "panic") {
		return nil
	}
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.mu.Lock()
	if h.msg == "" {
		h.msg = b.String()
	}
	h.mu.Unlock()
	return nil
}

func (h *panicCatcher) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *panicCatcher) WithGroup(string) slog.Handler      { return h }

func (h *panicCatcher) take() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	msg := h.msg
	h.msg = ""
	return msg
}
