package main

import (
	"encoding/json"
	"log"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
)

// startChat serves the chat on a loopback port and returns its address and
// its log.
func startChat(t *testing.T) (addr string, logs *testutil.Buffer) {
	t.Helper()
	logs = &testutil.Buffer{}
	handler, srv := newServer(log.New(logs, "", 0), nil)
	ts := httptest.NewServer(handler)
	t.Cleanup(func() {
		ts.Close()
		srv.Shutdown(t.Context())
	})
	return ts.Listener.Addr().String(), logs
}

// startNodeChat starts the reference chat (socket.io 2.5.1) and returns
// its address.
func startNodeChat(t *testing.T) string {
	t.Helper()
	addr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	nodetest.Start(t, "node-chat.js", "listening", []string{"PORT=" + port, "QUIET=1"})
	return addr
}

// TestOfficialClient runs interop/chat-client.js, the official
// socket.io-client 2.5.0, against the chat over websocket, polling and
// the upgrade path: the seed's contract and siogen's additions. The same
// script against the reference node-chat shows the seed's checks describe
// the reference's behaviour.
func TestOfficialClient(t *testing.T) {
	nodetest.Require(t)
	addr, logs := startChat(t)
	nodeAddr := startNodeChat(t)
	for _, transports := range []string{"websocket", "polling", "polling,websocket"} {
		t.Run(transports, func(t *testing.T) {
			p := nodetest.Start(t, "chat-client.js", "", []string{"EXTRAS=1"}, "http://"+addr, transports)
			if err := p.Wait(60 * time.Second); err != nil || !strings.Contains(p.Output(), " 0 failed") {
				t.Fatalf("siogen chat (%s): %v\n%s", transports, err, p.Output())
			}
			t.Logf("siogen chat: %s", lastLine(p.Output()))
			p = nodetest.Start(t, "chat-client.js", "", nil, "http://"+nodeAddr, transports)
			if err := p.Wait(60 * time.Second); err != nil || !strings.Contains(p.Output(), " 0 failed") {
				t.Fatalf("node-chat (%s): %v\n%s", transports, err, p.Output())
			}
		})
	}
	for _, want := range []string{"a user connected", "message:hello ", "user disconnected"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the server log lacks %q:\n%.2000s", want, logs.String())
		}
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// seedExchange replays the seed's Python client (websocket-client) on the
// raw protocol against addr and returns the frames it received, with the
// session id blanked.
func seedExchange(t *testing.T, addr string) []string {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/socket.io/?EIO=3&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var frames []string
	read := func() string {
		t.Helper()
		ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		typ, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after %q: %v", frames, err)
		}
		if typ != websocket.TextMessage {
			t.Fatalf("frame type %d", typ)
		}
		return string(data)
	}
	send := func(s string) {
		t.Helper()
		if err := ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}

	open := read()
	var hs struct {
		SID          string   `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval int      `json:"pingInterval"`
		PingTimeout  int      `json:"pingTimeout"`
	}
	if !strings.HasPrefix(open, "0") || json.Unmarshal([]byte(open[1:]), &hs) != nil || hs.SID == "" {
		t.Fatalf("open packet %q", open)
	}
	frames = append(frames, strings.Replace(open, hs.SID, "SID", 1))
	frames = append(frames, read()) // 40: connected to "/"
	send("2probe")
	frames = append(frames, read())
	send("2")
	frames = append(frames, read())
	send(`42["chat message","hello from python"]`)
	frames = append(frames, read())
	return frames
}

// TestSeedPythonClient replays the seed's Python client exchange frame by
// frame and requires the chat to answer exactly as the reference node-chat.
func TestSeedPythonClient(t *testing.T) {
	nodetest.Require(t)
	addr, logs := startChat(t)
	got := seedExchange(t, addr)
	want := seedExchange(t, startNodeChat(t))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("frames differ from the reference\nsiogen:    %q\nreference: %q", got, want)
	}
	t.Logf("frames: %q", got)
	if got[len(got)-1] != `42["chat message","hello from python"]` {
		t.Fatalf("last frame %q", got[len(got)-1])
	}
	if !strings.Contains(logs.String(), "message:hello from python") {
		t.Fatalf("server log:\n%s", logs.String())
	}
}

// TestSeedLogLines requires the chat to log what the seed's server logs,
// line for line, for the seed's Python exchange: the connection, the
// message ("message:" and the text, no space) and the disconnection. With
// node, the reference node-chat's own log is the expectation.
func TestSeedLogLines(t *testing.T) {
	want := []string{"a user connected", "message:hello from python", "user disconnected"}
	addr, logs := startChat(t)
	seedExchange(t, addr)
	if got := logLines(t, logs.String, "user disconnected"); !slices.Equal(got, want) {
		t.Fatalf("chat log %q, want %q", got, want)
	}

	nodetest.Require(t)
	nodeAddr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(nodeAddr)
	p := nodetest.Start(t, "node-chat.js", "listening", []string{"PORT=" + port})
	seedExchange(t, nodeAddr)
	ref := logLines(t, p.Output, "user disconnected")
	if len(ref) == 0 || ref[0] != "listening on *:"+port {
		t.Fatalf("node-chat log %q", ref)
	}
	if !slices.Equal(ref[1:], want) {
		t.Fatalf("node-chat logs %q, the chat %q", ref[1:], want)
	}
}

// logLines waits until the log read by text has the line last, then
// returns its lines.
func logLines(t *testing.T, text func() string, last string) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		lines := strings.Split(strings.TrimSpace(text()), "\n")
		if slices.Contains(lines, last) {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line %q in the log:\n%s", last, text())
		}
		time.Sleep(20 * time.Millisecond) // poll period: the log file has no event
	}
}
