package socketio

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// The tests of this file pin what differs for socket.io 3.x/4.x clients
// (Engine.IO v4, Socket.IO v5), served beside 2.x clients by one server.

// dialWS5 opens a v5 websocket session and reads its open packet. Unlike a
// v4 session nothing else comes: the client asks for "/" itself.
func dialWS5(t *testing.T, ts *httptest.Server, query string) *rawWS {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=4&transport=websocket"+query, nil)
	if err != nil {
		t.Fatalf("dial websocket: %v (%v)", err, res)
	}
	t.Cleanup(func() { ws.Close() })
	c := &rawWS{t: t, ws: ws}
	open := c.frame()
	var hs struct {
		SID        string
		MaxPayload int
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(open, "0")), &hs); err != nil || open[0] != '0' || hs.MaxPayload == 0 {
		t.Fatalf("v4 open packet %q", open)
	}
	c.sid = hs.SID
	return c
}

var connectV5RE = regexp.MustCompile(`^0(/\w+,)?\{"sid":"([A-Za-z0-9_-]{20})"\}$`)

// connectV5 sends the CONNECT of nsp with payload auth ("" for none) and
// returns the socket id of the answer.
func (c *rawWS) connectV5(nsp, auth string) string {
	c.t.Helper()
	prefix := ""
	if nsp != "/" {
		prefix = nsp + ","
	}
	c.send("0" + prefix + auth)
	got := c.next()
	m := connectV5RE.FindStringSubmatch(got)
	if m == nil || m[1] != prefix {
		c.t.Fatalf("CONNECT answer %q for %s", got, nsp)
	}
	return m[2]
}

// dataError is an error carrying data for the client, as middleware
// returns to refuse with details.
type dataError struct {
	msg  string
	data any
}

func (e *dataError) Error() string { return e.msg }
func (e *dataError) Data() any     { return e.data }

func TestConnectV5(t *testing.T) {
	log := newReasonLog()
	srv := newEchoServer(nil, log)
	auths := make(chan string, 4)
	srv.Of("/a").Use(func(s *Socket) error {
		auths <- string(s.Handshake().Auth)
		return nil
	})
	srv.Of("/b").Use(func(s *Socket) error {
		var auth struct{ Token string }
		json.Unmarshal(s.Handshake().Auth, &auth)
		if auth.Token != "secret" {
			return &dataError{"not authorized", map[string]int{"code": 7}}
		}
		return nil
	})
	srv.Of("/c").Use(func(s *Socket) error { return NewClientError("go away") })
	ts := startServer(t, srv)
	c := dialWS5(t, ts, "")

	// "/" is joined only when asked, under an id of its own.
	root := c.connectV5("/", "")
	if root == c.sid {
		t.Errorf("socket id %q is the engine session id", root)
	}
	if s := srv.Of("/").Socket(root); s == nil || s.Protocol() != 5 || string(s.Handshake().Auth) != "{}" {
		t.Fatalf("socket %q not found, or wrong protocol or auth", root)
	}
	c.echo("/")

	// The CONNECT payload reaches middleware; ids differ per namespace.
	a := c.connectV5("/a", `{"token":"x","n":[1,2]}`)
	if a == root || strings.HasPrefix(a, "/a#") {
		t.Errorf("socket id on /a %q", a)
	}
	if got := <-auths; got != `{"token":"x","n":[1,2]}` {
		t.Errorf("auth %q", got)
	}
	c.echo("/a")

	// Refusals are CONNECT_ERROR objects; the connection stays.
	c.send(`0/b,{"token":"wrong"}`)
	c.expect(`4/b,{"message":"not authorized","data":{"code":7}}`)
	c.send(`0/c,`)
	c.expect(`4/c,{"message":"go away"}`)
	c.send(`0/nope,`)
	c.expect(`4/nope,{"message":"Invalid namespace"}`)
	c.connectV5("/b", `{"token":"secret"}`)
	c.echo("/b")

	// Leaving a namespace keeps the others; it may be joined again, with a
	// new id.
	c.send("1/a,")
	if r := log.wait(t, a); r != ReasonClientNamespaceDisconnect {
		t.Errorf("reason %q", r)
	}
	c.echo("/")
	if again := c.connectV5("/a", ""); again == a {
		t.Errorf("rejoined /a with the old id")
	}
	<-auths
}

// TestHandshakeAuthJSON: a v5 socket's handshake carries auth, a v4
// socket's does not.
func TestHandshakeAuthJSON(t *testing.T) {
	srv := NewServer(&Options{Logger: clientTestLogger()})
	hs := make(chan *Handshake, 2)
	srv.Of("/").OnConnection(func(s *Socket) { hs <- s.Handshake() })
	ts := startServer(t, srv)
	dialWS(t, ts, "", nil)
	c := dialWS5(t, ts, "")
	c.connectV5("/", `{"a":"b"}`)
	for _, want := range []string{"", `"auth":{"a":"b"}`} {
		b, err := json.Marshal(<-hs)
		if err != nil {
			t.Fatal(err)
		}
		if want == "" && strings.Contains(string(b), `"auth"`) || want != "" && !strings.Contains(string(b), want) {
			t.Errorf("handshake JSON %s, want %q", b, want)
		}
	}
}

func TestBadInputV5(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pkts   []string
		reason string
	}{
		{"reserved event name", []string{`2["disconnect"]`}, ReasonParseError},
		{"reserved event name escaped", []string{`2["\u0063onnect"]`}, ReasonParseError},
		{"event for a namespace not joined", []string{`2/a,["echo",1]`}, ReasonForcedServerClose},
		{"CONNECT for a namespace joined", []string{`0`}, ReasonForcedServerClose},
		{"ERROR from the client", []string{`4{"message":"x"}`}, ReasonParseError},
		{"CONNECT payload not an object", []string{`0/a,"token"`}, ReasonParseError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := newReasonLog()
			ts := startServer(t, newEchoServer(nil, log))
			c := dialWS5(t, ts, "")
			id := c.connectV5("/", "")
			bystander := dialWS5(t, ts, "")
			bystander.connectV5("/", "")
			c.send(tc.pkts...)
			c.closed()
			if r := log.wait(t, id); r != tc.reason {
				t.Errorf("reason %q, want %q", r, tc.reason)
			}
			bystander.echo("/")
		})
	}
}

func TestConnectTimeoutV5(t *testing.T) {
	ts := startServer(t, newEchoServer(&Options{ConnectTimeout: 100 * time.Millisecond}, newReasonLog()))
	idle := dialWS5(t, ts, "")
	joined := dialWS5(t, ts, "")
	joined.connectV5("/", "")
	if pkts, _ := idle.closed(); len(pkts) != 0 {
		t.Errorf("idle connection got %q before closing", pkts)
	}
	time.Sleep(150 * time.Millisecond) // past the timeout of the joined one too; no event orders on it
	joined.echo("/")
}

// TestBinaryV5: attachments travel as raw binary frames, without the v3
// type byte, both ways.
func TestBinaryV5(t *testing.T) {
	ts := startServer(t, newEchoServer(nil, newReasonLog()))
	c := dialWS5(t, ts, "")
	c.connectV5("/", "")
	c.send(`51-["echo",{"_placeholder":true,"num":0}]`)
	if err := c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	c.expect(`51-["echo",{"_placeholder":true,"num":0}]`)
	if got := c.frame(); got != "\x01\x02\x03" {
		t.Errorf("attachment %q", got)
	}
}

// TestBroadcastMixedVersions: a broadcast reaches 2.x and 4.x clients alike
// and is encoded once per protocol revision present.
func TestBroadcastMixedVersions(t *testing.T) {
	var encodes atomic.Int64
	hook := func(p *codec.Packet) {
		if strings.Contains(string(p.Data), `"news"`) {
			encodes.Add(1)
		}
	}
	testHookEncode.Store(&hook)
	t.Cleanup(func() { testHookEncode.Store(nil) })

	srv := newEchoServer(nil, newReasonLog())
	ts := startServer(t, srv)
	var v4, v5 []*rawWS
	for range 3 {
		v4 = append(v4, dialWS(t, ts, "", nil))
		c := dialWS5(t, ts, "")
		c.connectV5("/", "")
		v5 = append(v5, c)
	}
	check := func(what string, want int64, clients ...[]*rawWS) {
		t.Helper()
		for _, cs := range clients {
			for i, c := range cs {
				if got := c.next(); got != `51-["news",{"_placeholder":true,"num":0}]` {
					t.Fatalf("%s: client %d got %q", what, i, got)
				}
				att := c.frame()
				if att != "\x04\x07" && att != "\x07" {
					t.Fatalf("%s: client %d attachment %q", what, i, att)
				}
			}
		}
		if got := encodes.Swap(0); got != want {
			t.Errorf("%s: %d encodes, want %d", what, got, want)
		}
	}
	srv.Of("/").Emit("news", []byte{7})
	check("mixed", 2, v4, v5)
	for _, c := range v4 {
		c.ws.Close()
	}
	waitUntil(t, func() bool { return srv.Of("/").Len() == 3 })
	srv.Of("/").Emit("news", []byte{7})
	check("v5 only", 1, v5)
}

// waitUntil polls cond until it holds, for up to hardWait.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, hardWait, "the condition", cond)
}

// TestRecoveryV5: with Options.Recovery, a v5 socket whose connection is
// lost comes back within MaxDisconnectionDuration with its id, pid and
// rooms, gets what was sent to it meanwhile (before the CONNECT answer, as
// socket.io), skips the middleware, and Recovered tells the handler; every
// event it is sent without an ack request carries an offset. A socket that
// left its namespace is not kept, and v4 sockets get no offsets.
func TestRecoveryV5(t *testing.T) {
	srv := NewServer(&Options{Logger: clientTestLogger(), Recovery: &RecoveryOptions{MaxDisconnectionDuration: time.Second}})
	var mwRuns atomic.Int32
	root := srv.Of("/")
	root.Use(func(*Socket) error { mwRuns.Add(1); return nil })
	recovered := make(chan bool, 8)
	root.OnConnection(func(s *Socket) {
		recovered <- s.Recovered()
		s.On("join", func(e *Event) {
			var room string
			e.Decode(0, &room)
			s.Join(room)
			e.Ack()
		})
		s.On("hi", func(*Event) { s.Emit("hi") })
	})
	ts := startServer(t, srv)

	c := dialWS5(t, ts, "")
	c.send("0")
	var answer struct{ SID, PID string }
	got := c.next()
	if json.Unmarshal([]byte(strings.TrimPrefix(got, "0")), &answer) != nil || answer.PID == "" || len(answer.SID) != 20 {
		t.Fatalf("CONNECT answer %q, want sid and pid", got)
	}
	if <-recovered {
		t.Error("a fresh socket reports Recovered")
	}
	c.send(`20["join","r"]`)
	c.expect("30[]") // acks carry no offset
	c.send(`2["hi"]`)
	offsetRE := regexp.MustCompile(`^2\["hi","([^"]+)"\]$`)
	m := offsetRE.FindStringSubmatch(c.next())
	if m == nil {
		t.Fatal("hi without an offset")
	}
	offset := m[1]

	v4 := dialWS(t, ts, "", nil)
	<-recovered // its own connection
	v4.send(`2["hi"]`)
	v4.expect(`2["hi"]`)

	// The connection drops; meanwhile the socket's room, everyone, and
	// another room get a broadcast.
	c.ws.Close()
	waitUntil(t, func() bool { return root.Socket(answer.SID) == nil })
	root.To("r").Emit("news", 1)
	root.Emit("all", []byte{7})
	root.To("elsewhere").Emit("not for it")
	v4.expect(`51-["all",{"_placeholder":true,"num":0}]`) // v4 sockets: no offset
	if att := v4.frame(); att != "\x04\x07" {
		t.Fatalf("v4 attachment %q", att)
	}

	back := dialWS5(t, ts, "")
	back.send(`0{"pid":"` + answer.PID + `","offset":"` + offset + `","token":"x"}`)
	if got := back.next(); !regexp.MustCompile(`^2\["news",1,"[^"]+"\]$`).MatchString(got) {
		t.Fatalf("first missed packet %q", got)
	}
	if got := back.next(); !regexp.MustCompile(`^51-\["all",\{"_placeholder":true,"num":0\},"[^"]+"\]$`).MatchString(got) {
		t.Fatalf("second missed packet %q", got)
	}
	if att := back.frame(); att != "\x07" {
		t.Fatalf("attachment %q", att)
	}
	want := `0{"sid":"` + answer.SID + `","pid":"` + answer.PID + `"}`
	if got := back.next(); got != want {
		t.Fatalf("CONNECT answer %q, want %q", got, want)
	}
	if !<-recovered || mwRuns.Load() != 2 { // the first connection's and the v4 socket's
		t.Errorf("Recovered false, or the middleware ran again (%d runs)", mwRuns.Load())
	}
	root.To("r").Emit("news", 2) // the rooms came back
	if got := back.next(); !strings.HasPrefix(got, `2["news",2,"`) {
		t.Fatalf("room broadcast after recovery %q", got)
	}

	// Leaving the namespace keeps nothing: the same request gets a new
	// socket.
	back.send("1")
	waitUntil(t, func() bool { return root.Len() == 1 })
	again := dialWS5(t, ts, "")
	again.send(`0{"pid":"` + answer.PID + `","offset":"` + offset + `"}`)
	if got := again.next(); strings.Contains(got, answer.SID) {
		t.Fatalf("recovered after a namespace disconnect: %q", got)
	}
	if <-recovered {
		t.Error("Recovered after a namespace disconnect")
	}
}

// TestRecoveryExpires: a session is kept MaxDisconnectionDuration, no
// longer.
func TestRecoveryExpires(t *testing.T) {
	srv := NewServer(&Options{Logger: clientTestLogger(), Recovery: &RecoveryOptions{MaxDisconnectionDuration: 50 * time.Millisecond}})
	srv.Of("/").OnConnection(func(s *Socket) { s.On("hi", func(*Event) { s.Emit("hi") }) })
	ts := startServer(t, srv)
	c := dialWS5(t, ts, "")
	c.send("0")
	var answer struct{ SID, PID string }
	json.Unmarshal([]byte(strings.TrimPrefix(c.next(), "0")), &answer)
	c.send(`2["hi"]`)
	m := regexp.MustCompile(`"([^"]+)"\]$`).FindStringSubmatch(c.next())
	c.ws.Close()
	waitUntil(t, func() bool { return srv.Of("/").Len() == 0 })
	time.Sleep(100 * time.Millisecond) // past MaxDisconnectionDuration: the duration under test
	back := dialWS5(t, ts, "")
	back.send(`0{"pid":"` + answer.PID + `","offset":"` + m[1] + `"}`)
	if got := back.next(); strings.Contains(got, answer.SID) || strings.Contains(got, answer.PID) {
		t.Fatalf("recovered an expired session: %q", got)
	}
}
