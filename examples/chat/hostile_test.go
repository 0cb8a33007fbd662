//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/examples/chat/chatapi"
	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// The hostile-client suite probes the chat as an attacker would, on
// loopback, while two bystanders (one per transport) keep chatting: every
// probe must cost the server little, end with what docs/limits.md
// promises, and lose the bystanders nothing. The chat runs as its own
// process, built without the race detector, so that its CPU time and its
// memory (from /proc/PID) are its own. Its heartbeat is shortened so that
// idle sessions are reaped in seconds.

const (
	hostilePingInterval = time.Second
	hostilePingTimeout  = 3 * time.Second
	hostileWait         = 30 * time.Second
)

// hostileChat is the chat under attack.
type hostileChat struct {
	t    *testing.T
	addr string // host:port
	// debugAddr is where the chat serves net/http/pprof (-debug).
	debugAddr string
	base      string // http://host:port/socket.io/?EIO=3
	pid       int
	logs      *testutil.Buffer // its standard output and error
}

func startHostileChat(t *testing.T) *hostileChat {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chat")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr, debugAddr := nodetest.FreeAddr(t), nodetest.FreeAddr(t)
	logs := &testutil.Buffer{}
	cmd := exec.Command(bin, "-addr", addr, "-write-interval", "0", "-debug", debugAddr,
		"-ping-interval", hostilePingInterval.String(), "-ping-timeout", hostilePingTimeout.String())
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitUntil(t, "the chat to listen", func() bool { return strings.Contains(logs.String(), "listening on") })
	return &hostileChat{t: t, addr: addr, debugAddr: debugAddr, base: "http://" + addr + "/socket.io/?EIO=3", pid: cmd.Process.Pid, logs: logs}
}

// collectGarbage asks the chat, through its -debug server, to run a garbage
// collection. An idle chat allocates too little to start one soon, and until
// one runs the memory that reaped sessions held is not returned to the
// system.
func (h *hostileChat) collectGarbage(t *testing.T) {
	t.Helper()
	res, err := http.Get("http://" + h.debugAddr + "/debug/pprof/heap?gc=1")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

// slogLines counts the lines the runtime logged (the chat's own lines,
// one per connection and message, are not counted).
func (h *hostileChat) slogLines() int {
	n := 0
	for line := range strings.SplitSeq(h.logs.String(), "\n") {
		for _, level := range []string{" DEBUG ", " INFO ", " WARN ", " ERROR "} {
			if strings.Contains(line, level) {
				n++
				break
			}
		}
	}
	return n
}

// linesNaming counts the log lines that mention s.
func (h *hostileChat) linesNaming(s string) int {
	n := 0
	for line := range strings.SplitSeq(h.logs.String(), "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// loggedOnce waits for a line naming s and returns how many there are.
// The chat logs through a pipe the test reads on its own goroutine, so a
// line can arrive after the request that caused it was answered.
func (h *hostileChat) loggedOnce(t *testing.T, s string) int {
	t.Helper()
	waitUntil(t, "a log line naming "+s, func() bool { return h.linesNaming(s) > 0 })
	return h.linesNaming(s)
}

// procField returns a field of /proc/PID/status of the chat, in its unit
// (kB for memory).
func (h *hostileChat) procStatus(t *testing.T, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, h.pid)
	return 0
}

// cpuTime returns the CPU time the chat used so far, user and system,
// from /proc/PID/stat (in clock ticks of 10 ms).
func (h *hostileChat) cpuTime(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", h.pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // f[0] is field 3, state
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// bystander is a well-behaved chat user of the generated Go client that
// chats all through the suite.
type bystander struct {
	name string
	c    *chatapi.ChatClient

	mu       sync.Mutex
	got      map[string]bool
	sent     []string
	drops    []string
	emitErrs []error
}

func newBystander(t *testing.T, h *hostileChat, transport string) *bystander {
	t.Helper()
	b := &bystander{name: transport, got: make(map[string]bool)}
	m := socketio.NewManager("http://"+h.addr, &socketio.ManagerOptions{
		Engine: engineio.DialOptions{Transports: []string{transport}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	b.c = chatapi.NewChatClient(m)
	b.c.OnChatMessage(func(msg string) {
		b.mu.Lock()
		b.got[msg] = true
		b.mu.Unlock()
	})
	b.c.OnDisconnect(func(reason string) {
		b.mu.Lock()
		b.drops = append(b.drops, reason)
		b.mu.Unlock()
	})
	ctx, cancel := context.WithTimeout(t.Context(), hostileWait)
	defer cancel()
	if err := b.c.Connect(ctx); err != nil {
		t.Fatalf("bystander %s: %v", transport, err)
	}
	t.Cleanup(func() { b.c.Close() })
	return b
}

// chat sends lines every interval until stop is closed.
func (b *bystander) chat(stop <-chan struct{}, done *sync.WaitGroup) {
	defer done.Done()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
		msg := fmt.Sprintf("%s-%d", b.name, i)
		ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
		_, err := b.c.EmitChatMessage(ctx, msg)
		cancel()
		b.mu.Lock()
		b.sent = append(b.sent, msg)
		if err != nil {
			b.emitErrs = append(b.emitErrs, err)
		}
		b.mu.Unlock()
	}
}

func (b *bystander) has(msg string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.got[msg]
}

// bystanders are the suite's two chatting users.
type bystanders struct {
	all  []*bystander
	stop chan struct{}
	wg   sync.WaitGroup
}

func startBystanders(t *testing.T, h *hostileChat) *bystanders {
	bs := &bystanders{stop: make(chan struct{})}
	for _, tr := range []string{engineio.WebSocket, engineio.Polling} {
		bs.all = append(bs.all, newBystander(t, h, tr))
	}
	for _, b := range bs.all {
		bs.wg.Add(1)
		go b.chat(bs.stop, &bs.wg)
	}
	return bs
}

// check requires a line from each bystander to reach both, now.
func (bs *bystanders) check(t *testing.T) {
	t.Helper()
	for _, from := range bs.all {
		msg := from.name + "-check-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
		_, err := from.c.EmitChatMessage(ctx, msg)
		cancel()
		if err != nil {
			t.Fatalf("bystander %s: %v", from.name, err)
		}
		for _, to := range bs.all {
			waitUntil(t, "bystander "+to.name+" to receive "+msg, func() bool { return to.has(msg) })
		}
	}
}

// finish stops the chatter and requires every line sent to have reached
// both bystanders, none of them disconnected.
func (bs *bystanders) finish(t *testing.T) {
	t.Helper()
	close(bs.stop)
	bs.wg.Wait()
	total := 0
	for _, from := range bs.all {
		from.mu.Lock()
		sent, errs, drops := from.sent, from.emitErrs, from.drops
		from.mu.Unlock()
		if len(errs) > 0 || len(drops) > 0 {
			t.Errorf("bystander %s: emit errors %v, disconnects %v", from.name, errs, drops)
		}
		total += len(sent)
		for _, msg := range sent {
			for _, to := range bs.all {
				waitUntil(t, "bystander "+to.name+" to receive "+msg, func() bool { return to.has(msg) })
			}
		}
	}
	t.Logf("bystanders exchanged %d lines, none lost", total)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, hostileWait, what, cond)
}

// pollClient is a hand-written polling client, so that it can lie.
type pollClient struct {
	t   *testing.T
	h   *hostileChat
	sid string
	hc  *http.Client
}

func (h *hostileChat) poll(t *testing.T) *pollClient {
	t.Helper()
	c := &pollClient{t: t, h: h, hc: &http.Client{Timeout: hostileWait}}
	status, body := c.do("GET", "", "")
	i := strings.Index(body, `"sid":"`)
	// The open packet, then the CONNECT of "/"; a broadcast to everyone
	// (the bystanders' chatter) may follow them in the same response.
	if status != 200 || i < 0 || !strings.Contains(body, "}2:40") {
		t.Fatalf("handshake: %d %q", status, body)
	}
	c.sid = body[i+7 : i+7+strings.IndexByte(body[i+7:], '"')]
	return c
}

func (c *pollClient) do(method, contentType, body string) (int, string) {
	c.t.Helper()
	u := c.h.base + "&transport=polling"
	if c.sid != "" {
		u += "&sid=" + c.sid
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *pollClient) post(body string) (int, string) {
	c.t.Helper()
	return c.do("POST", "text/plain;charset=UTF-8", body)
}

// send posts Socket.IO packets, each framed with its length.
func (c *pollClient) send(pkts ...string) {
	c.t.Helper()
	if status, body := c.post(frame(pkts...)); status != 200 || body != "ok" {
		c.t.Fatalf("POST: %d %q", status, body)
	}
}

func frame(pkts ...string) string {
	var b strings.Builder
	for _, p := range pkts {
		b.WriteString(strconv.Itoa(len([]rune("4"+p))) + ":4" + p)
	}
	return b.String()
}

// gone requires the session to have ended already: its next requests are
// refused as unknown, not answered CloseTimeout later.
func (c *pollClient) gone() {
	c.t.Helper()
	const unknown = `{"code":1,"message":"Session ID unknown"}`
	if status, body := c.do("GET", "", ""); status != 400 || body != unknown {
		c.t.Errorf("GET after the bad input: %d %q, want 400 %s", status, body, unknown)
	}
	if status, body := c.post(frame(`2["chat message","after"]`)); status != 400 || body != unknown {
		c.t.Errorf("POST after the bad input: %d %q, want 400 %s", status, body, unknown)
	}
}

// wsClient is a hand-written websocket client.
type wsClient struct {
	t   *testing.T
	ws  *websocket.Conn
	sid string
}

func (h *hostileChat) websocket(t *testing.T) *wsClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+h.addr+"/socket.io/?EIO=3&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &wsClient{t: t, ws: ws}
	open := c.read()
	var hs struct{ SID string }
	if json.Unmarshal([]byte(strings.TrimPrefix(open, "0")), &hs) != nil || hs.SID == "" {
		t.Fatalf("open packet %q", open)
	}
	c.sid = hs.SID
	if got := c.read(); got != "40" {
		t.Fatalf("got %q, want 40", got)
	}
	return c
}

func (c *wsClient) read() string {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(hostileWait))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return string(b)
}

// send writes Socket.IO packets; a write error is ignored, since the server
// may close the connection before the last ones.
func (c *wsClient) send(pkts ...string) {
	for _, p := range pkts {
		c.ws.WriteMessage(websocket.TextMessage, []byte("4"+p))
	}
}

// closedAtOnce requires the server to close the websocket without a
// DISCONNECT first (a parse error sends none). Broadcasts of the bystanders'
// chat, queued before the bad packet arrived, may still come first.
func (c *wsClient) closedAtOnce() {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(hostileWait))
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Fatal("the websocket is still open")
			}
			return
		}
		if strings.HasPrefix(string(b), "41") {
			c.t.Errorf("received %q before the close, want no DISCONNECT", b)
		}
	}
}

func TestHostileClients(t *testing.T) {
	h := startHostileChat(t)
	bs := startBystanders(t, h)
	probe := func(name string, fn func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			fn(t)
			bs.check(t)
		})
	}

	// 500 connections that never finish their request headers, held open
	// from here to the probe "unfinished request headers".
	unfinishedSince := time.Now()
	var unfinished []net.Conn
	t.Cleanup(func() {
		for _, c := range unfinished {
			c.Close()
		}
	})
	for range 500 {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET /socket.io/?EIO=3&transport=polling HTTP/1.1\r\nHost: x\r\n")
		unfinished = append(unfinished, c)
	}

	probe("polling length prefixes", func(t *testing.T) {
		for _, body := range []string{
			`999999:42["chat message","x"]`,            // past the end
			`3:42["chat message","x"]`,                 // shorter than the packet: the rest is no length
			`99999999999999999999999999999999:42["x"]`, // overflows
			`-1:42["chat message","x"]`,                // negative
			"2:4\U0001F600",                            // splits a character (a surrogate pair in the length's UTF-16 units)
		} {
			c := h.poll(t)
			if status, answer := c.post(body); status != 200 || answer != "ok" {
				t.Errorf("POST %.40q: %d %q, want 200 ok (as engine.io answers)", body, status, answer)
			}
			c.gone()
			// One line from the engine; and one from the socket layer
			// when a packet before the bad length did not parse.
			if n := h.linesNaming(c.sid); n > 2 {
				t.Errorf("POST %.40q: %d log lines name the session, want at most 2", body, n)
			}
		}
		c := h.poll(t)
		huge := frame(`2["chat message","` + strings.Repeat("x", 1e6) + `"]`)
		if status, answer := c.post(huge); status != 413 || answer != `{"code":3,"message":"Payload too large"}` {
			t.Errorf("POST over MaxBufferSize: %d %q", status, answer)
		}
		c.gone()
	})

	// parseErrors are packets that end the connection at once.
	parseErrors := map[string][]string{
		"placeholders and attachment counts": {
			`51-["chat message",{"_placeholder":true,"num":5}]`,
			`51-["chat message",{"_placeholder":true,"num":"0"}]`,
			`511-["chat message"]`,
			`5-1-["chat message"]`,
			`599999999999999999999-["chat message"]`,
			`50-["chat message"]`,
		},
		"ack ids": {
			`2-1["chat message","x"]`,
			`299999999999999999999999999["chat message","x"]`,
		},
		"event names": {
			`2[]`, `2[null]`, `2[["chat message"]]`, `2{"chat message":1}`, `2"chat message"`,
		},
		"client ERROR and CONNECT_ERROR": {
			`4"boom"`, `4{"message":"boom"}`, `4/nope,"boom"`,
		},
	}
	for name, pkts := range parseErrors {
		probe(name, func(t *testing.T) {
			for _, p := range pkts {
				c := h.poll(t)
				c.send(p, `2["chat message","after a bad packet"]`)
				c.gone()
				if n := h.loggedOnce(t, c.sid); n != 1 {
					t.Errorf("%s over polling: %d log lines name the session, want 1", p, n)
				}
				w := h.websocket(t)
				w.send(p, `2["chat message","after a bad packet"]`)
				w.closedAtOnce()
			}
			for _, b := range bs.all {
				if b.has("after a bad packet") {
					t.Fatal("a line sent after a bad packet was relayed")
				}
			}
		})
	}

	probe("valid oddities", func(t *testing.T) {
		// The largest ack id is answered; a number as the event name is
		// valid on the wire and matches no handler.
		w := h.websocket(t)
		w.send(`2[1,"x"]`, `218446744073709551615["chat message","big ack id"]`)
		for {
			f := w.read()
			if strings.HasPrefix(f, "43") {
				if !strings.HasPrefix(f, "4318446744073709551615[") {
					t.Fatalf("ack %q", f)
				}
				break
			}
		}
	})

	probe("flood of bad packets", func(t *testing.T) {
		before, rss0 := h.slogLines(), h.procStatus(t, "VmRSS")
		flood := strings.Repeat(`4:44""`, 166666) // 1 MB of client ERROR packets
		var sids []string
		for range 4 {
			c := h.poll(t)
			if status, answer := c.post(flood); status != 200 || answer != "ok" {
				t.Fatalf("flood POST: %d %q", status, answer)
			}
			c.gone()
			sids = append(sids, c.sid)
		}
		// Valid packets whose argument does not decode: the handler is
		// not called, and the error is logged once per session, then
		// counted.
		c := h.poll(t)
		bad := make([]string, 500)
		for i := range bad {
			bad[i] = `2["set name",1]`
		}
		c.send(bad...)
		w := h.websocket(t)
		w.send(bad...)
		w.send(`2["chat message","flood done"]`)
		for !strings.Contains(w.read(), "flood done") {
		}
		c.post("1:1") // the client closes: the repeats are counted now
		w.ws.Close()
		for _, id := range []string{c.sid, w.sid} {
			waitUntil(t, "the count of repeats", func() bool { return h.linesNaming(id) == 2 })
		}
		if n := strings.Count(h.logs.String(), "repeats=499"); n != 2 {
			t.Errorf("%d lines with repeats=499, want 2:\n%s", n, h.logs.String())
		}
		lines := h.slogLines() - before
		t.Logf("4 × 1 MB of ERROR packets and 2 × 500 bad arguments: %d log lines; chat RSS %d → %d kB (peak so far %d kB)",
			lines, rss0, h.procStatus(t, "VmRSS"), h.procStatus(t, "VmHWM"))
		for _, sid := range sids {
			if n := h.loggedOnce(t, sid); n != 1 {
				t.Errorf("flooder %s: %d log lines, want 1", sid, n)
			}
		}
		if lines > 8 {
			t.Errorf("%d log lines for the floods, want at most 8", lines)
		}
	})

	probe("huge nickname", func(t *testing.T) {
		const size = 200_000
		name := strings.Repeat("n", size)
		want := `["` + strings.Repeat("n", 32) + `"]`
		cpu0 := h.cpuTime(t)
		c := h.poll(t)
		c.send(`21["set name","` + name + `"]`)
		for {
			status, body := c.do("GET", "", "")
			if status != 200 {
				t.Fatalf("GET: %d", status)
			}
			if strings.Contains(body, "431"+want) {
				break
			}
		}
		w := h.websocket(t)
		w.send(`21["set name","` + name + `"]`)
		for f := w.read(); f != "431"+want; f = w.read() {
		}
		// Each name is read, decoded, cut and answered in a few passes
		// over it: about a millisecond. The quadratic cleanName took 14 s
		// of CPU for one; the bound is linear with a generous constant
		// (and covers the bystanders' chatter meanwhile).
		used := h.cpuTime(t) - cpu0
		t.Logf("two %d-character names: %v of the chat's CPU", size, used)
		if limit := 300 * time.Millisecond; used > limit {
			t.Errorf("two %d-character names cost %v of CPU, want under %v", size, used, limit)
		}
	})

	probe("stalled POST body", func(t *testing.T) {
		c := h.poll(t)
		conn, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "POST /socket.io/?EIO=3&transport=polling&sid=%s HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n10:42[\"a\"", c.sid)
		conn.SetReadDeadline(time.Now().Add(hostileWait))
		answer, err := io.ReadAll(conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the stalled POST is still held")
		}
		if len(answer) != 0 {
			t.Errorf("the stalled POST got %q, want the connection dropped", answer)
		}
		t.Logf("stalled POST dropped without an answer after %v", time.Since(start).Round(time.Millisecond))
		c.gone()
	})

	probe("unfinished request headers", func(t *testing.T) {
		// Opened at the start: every probe above ran beside them.
		for _, c := range unfinished {
			c.SetReadDeadline(time.Now().Add(readHeaderTimeout + hostileWait))
			if _, err := io.ReadAll(c); err != nil {
				t.Fatalf("a connection with unfinished headers is still held: %v", err)
			}
		}
		t.Logf("%d connections with unfinished headers dropped within %v of their opening (ReadHeaderTimeout %v)",
			len(unfinished), time.Since(unfinishedSince).Round(time.Millisecond), readHeaderTimeout)
	})

	probe("oversized request headers", func(t *testing.T) {
		req, _ := http.NewRequest("GET", h.base+"&transport=polling", nil)
		req.Header.Set("X-Padding", strings.Repeat("x", 2*maxHeaderBytes))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("a request with %d bytes of headers: %d, want 431", 2*maxHeaderBytes, res.StatusCode)
		}
	})

	probe("idle sessions are reaped", func(t *testing.T) {
		const n = 3000
		rss0 := h.procStatus(t, "VmRSS")
		// Half polling handshakes never followed by a poll, half
		// websockets that never ping (nor read), opened by 8 workers.
		type idle struct {
			sid string
			ws  *websocket.Conn
		}
		idles := make(chan idle, 2*n)
		var wg sync.WaitGroup
		start := time.Now()
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hc := &http.Client{Timeout: hostileWait}
				defer hc.CloseIdleConnections()
				for i := w; i < n; i += 8 {
					res, err := hc.Get(h.base + "&transport=polling")
					if err != nil {
						t.Errorf("polling handshake: %v", err)
						return
					}
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					sid, _, _ := strings.Cut(string(body[strings.Index(string(body), `"sid":"`)+7:]), `"`)
					idles <- idle{sid: sid}
					ws, _, err := websocket.DefaultDialer.Dial("ws://"+h.addr+"/socket.io/?EIO=3&transport=websocket", nil)
					if err != nil {
						t.Errorf("websocket: %v", err)
						return
					}
					idles <- idle{ws: ws}
				}
			}()
		}
		wg.Wait()
		close(idles)
		opened := time.Since(start)
		rss1 := h.procStatus(t, "VmRSS")
		var polling []string
		var wss []*websocket.Conn
		for c := range idles {
			if c.ws != nil {
				wss = append(wss, c.ws)
			} else {
				polling = append(polling, c.sid)
			}
		}
		defer func() {
			for _, ws := range wss {
				ws.Close()
			}
		}()
		if len(polling) != n || len(wss) != n {
			t.Fatalf("opened %d polling and %d websocket sessions, want %d each", len(polling), len(wss), n)
		}
		// The server ends each websocket with a close frame (without a
		// status, as engine.io does) once it has been silent for
		// PingInterval+PingTimeout.
		for _, ws := range wss {
			ws.SetReadDeadline(time.Now().Add(hostileWait))
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					var ce *websocket.CloseError
					if !errors.As(err, &ce) {
						t.Fatalf("idle websocket: %v, want a close frame", err)
					}
					break
				}
			}
		}
		reaped := time.Since(start)
		// Every polling session was opened before the last websocket, so
		// it is reaped by now: its sid is unknown, or a GET that came
		// just before its timer gets the close packet.
		hc := &http.Client{Timeout: hostileWait}
		for _, sid := range polling {
			res, err := hc.Get(h.base + "&transport=polling&sid=" + sid)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 400 && string(body) != "1:1" {
				t.Fatalf("idle polling session %s: GET %d %q, want 400 or the close packet (reaped)", sid, res.StatusCode, body)
			}
		}
		// The Go runtime returns freed memory to the system in the
		// background, after a collection: wait for the chat's RSS to come
		// back near where it started, asking for a collection now and then.
		bound := rss0 + max(16<<10, (rss1-rss0)/4)
		var rss2 int
		lastGC := time.Time{}
		waitUntil(t, "the chat's RSS to come back", func() bool {
			if time.Since(lastGC) > time.Second {
				h.collectGarbage(t)
				lastGC = time.Now()
			}
			rss2 = h.procStatus(t, "VmRSS")
			return rss2 <= bound
		})
		t.Logf("%d polling + %d websocket idle sessions opened in %v, all reaped %v after the first; chat RSS %d → %d → %d kB",
			n, n, opened.Round(time.Millisecond), reaped.Round(time.Millisecond), rss0, rss1, rss2)
	})

	bs.finish(t)
}
