package engineio

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestWebSocketFrameLengths sends messages across the three websocket length
// encodings (7-bit, 16-bit, 64-bit) in one batch, so that the flusher writes
// them together, and reads them with gorilla's client: every frame must
// arrive whole, in order, with its type.
func TestWebSocketFrameLengths(t *testing.T) {
	sizes := []int{0, 1, 124, 125, 126, 127, 65534, 65535, 65536, 70000}
	payload := func(n int, binary bool) []byte {
		b := bytes.Repeat([]byte("abcdefghij"), n/10+1)[:n]
		if binary {
			b = bytes.Repeat([]byte{0, 1, 0xff, 0x80}, n/4+1)[:n]
		}
		return b
	}
	h := newEchoHandler()
	h.onOpen = func(c *Conn) {
		var msgs []Message
		for _, n := range sizes {
			msgs = append(msgs, Message{Data: payload(n, false)}, Message{Data: payload(n, true), Binary: true})
		}
		c.Send(msgs...)
	}
	_, ts := newTestServer(t, h, nil)
	for _, b64 := range []bool{false, true} {
		t.Run(fmt.Sprintf("b64=%v", b64), func(t *testing.T) {
			url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=3&transport=websocket"
			if b64 {
				url += "&b64=1"
			}
			ws, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, m, err := ws.ReadMessage(); err != nil || m[0] != '0' {
				t.Fatalf("open packet: %q, %v", m, err)
			}
			for _, n := range sizes {
				typ, m, err := ws.ReadMessage()
				if err != nil || typ != websocket.TextMessage || string(m) != "4"+string(payload(n, false)) {
					t.Fatalf("text message of %d bytes: type %d, %d bytes, %v", n, typ, len(m), err)
				}
				typ, m, err = ws.ReadMessage()
				want, wantType := append([]byte{4}, payload(n, true)...), websocket.BinaryMessage
				if b64 {
					want, wantType = []byte("b4"+base64.StdEncoding.EncodeToString(payload(n, true))), websocket.TextMessage
				}
				if err != nil || typ != wantType || !bytes.Equal(m, want) {
					t.Fatalf("binary message of %d bytes: type %d, %d bytes, %v", n, typ, len(m), err)
				}
			}
		})
	}
}

// TestMinWriteInterval: a message after a quiet spell goes out at once;
// messages queued within MinWriteInterval of that write wait for the next
// one and go out together, in one write.
func TestMinWriteInterval(t *testing.T) {
	const interval = 300 * time.Millisecond
	conns := make(chan *Conn, 1)
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { conns <- c }
	_, ts := newTestServer(t, h, &Options{MinWriteInterval: interval})
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=3&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, m, err := ws.ReadMessage(); err != nil || m[0] != '0' {
		t.Fatalf("open packet: %q, %v", m, err)
	}
	c := <-conns
	nc := ws.NetConn() // nothing more is buffered by gorilla: read the frames raw
	buf := make([]byte, 4096)

	time.Sleep(interval) // a quiet spell since the open packet
	start := time.Now()  // "a" is written after this
	c.Send(Message{Data: []byte("a")})
	n, err := nc.Read(buf)
	if err != nil || string(buf[:n]) != "\x81\x024a" {
		t.Fatalf("first message: %q, %v", buf[:n], err)
	}
	c.Send(Message{Data: []byte("b")})
	time.Sleep(20 * time.Millisecond) // b is written alone before c arrives: the batching under test
	c.Send(Message{Data: []byte("c")})
	n, err = nc.Read(buf)
	if err != nil || string(buf[:n]) != "\x81\x024b\x81\x024c" {
		t.Fatalf("want b and c in one write, got %q, %v", buf[:n], err)
	}
	if d := time.Since(start); d < interval {
		t.Errorf("b and c arrived %v after a was sent, want %v or more", d, interval)
	}
}

// maskedFrames encodes texts as the masked text frames a client sends (the
// zero mask, which leaves the payload as it is), back to back.
func maskedFrames(texts ...string) []byte {
	var b []byte
	for _, s := range texts {
		if len(s) > 125 {
			panic("maskedFrames: short texts only")
		}
		b = append(b, 0x81, 0x80|byte(len(s)), 0, 0, 0, 0)
		b = append(b, s...)
	}
	return b
}

// TestWebSocketFramesInOneSegment: frames that reach the server in one TCP
// segment are all delivered at once. The read loop waits for the network
// only when the buffered reader it shares with gorilla is empty
// (readWebSocket); were the two readers ever different, the second frame
// would sit in gorilla's buffer, unseen, and this test would time out.
func TestWebSocketFramesInOneSegment(t *testing.T) {
	_, ts := newTestServer(t, newEchoHandler(), nil)

	t.Run("websocket", func(t *testing.T) {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		readWS(t, ws) // open
		if _, err := ws.NetConn().Write(maskedFrames("4one", "4two", "4three")); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"4one", "4two", "4three"} {
			if _, m := readWS(t, ws); m != want {
				t.Fatalf("echo %q, want %q", m, want)
			}
		}
	})

	t.Run("upgrade", func(t *testing.T) {
		sid, _ := handshake(t, ts.URL, "")
		ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, "&sid="+sid), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
		if _, m := readWS(t, ws); m != "3probe" {
			t.Fatalf("probe answer %q", m)
		}
		// The upgrade and the first messages on the new transport together.
		if _, err := ws.NetConn().Write(maskedFrames("5", "4after", "4upgrade")); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"4after", "4upgrade"} {
			if _, m := readWS(t, ws); m != want {
				t.Fatalf("echo %q, want %q", m, want)
			}
		}
	})
}

// TestWebSocketReadSizes: messages from the client of every size around
// readMessage's pooled chunk, text and binary, arrive whole (the echo
// handler sends each back).
func TestWebSocketReadSizes(t *testing.T) {
	_, ts := newTestServer(t, newEchoHandler(), nil)
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, open, err := ws.ReadMessage(); err != nil || open[0] != '0' {
		t.Fatalf("open packet %q, %v", open, err)
	}
	for _, frame := range []int{1, 2, readChunk - 1, readChunk, readChunk + 1, 3*readChunk + 7} {
		for _, typ := range []int{websocket.TextMessage, websocket.BinaryMessage} {
			// A text frame is the packet type and the data; a v4 binary
			// frame is the data alone.
			data := bytes.Repeat([]byte("xyz"), frame)[:frame-1]
			msg := append([]byte("4"), data...)
			if typ == websocket.BinaryMessage {
				data = bytes.Repeat([]byte{1, 0xff, 0}, frame)[:frame]
				msg = data
			}
			if err := ws.WriteMessage(typ, msg); err != nil {
				t.Fatal(err)
			}
			gotTyp, got, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("frame of %d bytes: %v", frame, err)
			}
			if gotTyp != typ || !bytes.Equal(got, msg) {
				t.Errorf("frame of %d bytes, type %d: echoed as type %d, %d bytes, equal %v", frame, typ, gotTyp, len(got), bytes.Equal(got, msg))
			}
		}
	}
}
