package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The "poll" subcommand is the long-polling load generator: sioload's chat
// scenario over Engine.IO v3 XHR polling, never upgrading. It speaks the
// protocol itself over net/http (text payloads, b64=1, so that every server
// answers in the same framing) and uses none of this repository's runtime.
//
// Every receiver holds one GET at a time; senders POST
// 42["chat message","S:Q:T"] (sender, sequence number, send time in ns on
// this process's monotonic clock), and every server sends each message to
// every client, so a delivery's latency is its arrival time minus T.

// pollOpts configure one polling run.
type pollOpts struct {
	addr, path            string
	pid, n, senders       int
	connRate, rate        float64
	d, grace, connTimeout time.Duration
	warmup                time.Duration
}

// pollResult is the JSON summary; the fields shared with sioload's chat
// scenario have its names.
type pollResult struct {
	Scenario       string   `json:"scenario"`
	Transport      string   `json:"transport"`
	Addr           string   `json:"addr"`
	N              int      `json:"n"`
	Established    int      `json:"established"`
	Failed         int      `json:"failed"`
	ConnectP50Ms   float64  `json:"connect_p50_ms"`
	ConnectP99Ms   float64  `json:"connect_p99_ms"`
	ConnectMaxMs   float64  `json:"connect_max_ms"`
	FirstError     string   `json:"first_error,omitempty"`
	Senders        int      `json:"senders"`
	Rate           float64  `json:"rate"`
	DurationS      float64  `json:"duration_s"`
	Sent           int64    `json:"sent"`
	Expected       int64    `json:"expected"`
	Delivered      int64    `json:"delivered"`
	Lost           int64    `json:"lost"`
	LostPct        float64  `json:"lost_pct"`
	Duplicates     int64    `json:"duplicates"`
	DeliveriesPerS float64  `json:"deliveries_per_s"`
	Polls          int64    `json:"polls"`
	P50Ms          float64  `json:"lat_p50_ms"`
	P90Ms          float64  `json:"lat_p90_ms"`
	P99Ms          float64  `json:"lat_p99_ms"`
	MaxMs          float64  `json:"lat_max_ms"`
	SendErrors     int64    `json:"send_errors"`
	ServerCPUS     float64  `json:"server_cpu_s"`
	ServerCPUPct   float64  `json:"server_cpu_pct"`
	ClientCPUS     float64  `json:"client_cpu_s"`
	ClientCPUPct   float64  `json:"client_cpu_pct"`
	Dropped        int64    `json:"dropped"`
	OtherPackets   int64    `json:"other_packets"`
	Warnings       []string `json:"warnings,omitempty"`
}

func pollMain(args []string) int {
	o := &pollOpts{}
	fs := flag.NewFlagSet("bench poll", flag.ContinueOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:3000", "server host:port")
	fs.StringVar(&o.path, "path", "/socket.io/", "Engine.IO path")
	fs.IntVar(&o.pid, "pid", 0, "server process id, for its CPU from /proc")
	fs.IntVar(&o.n, "n", 500, "long-polling receivers")
	fs.IntVar(&o.senders, "senders", 0, "how many of them send (0: all, in turn)")
	fs.Float64Var(&o.connRate, "connrate", 500, "connections opened per second")
	fs.Float64Var(&o.rate, "rate", 10, "chat messages per second, all senders together")
	fs.DurationVar(&o.d, "d", 10*time.Second, "send duration")
	fs.DurationVar(&o.grace, "grace", 5*time.Second, "longest wait for deliveries after sending stops")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "pause between connecting and sending, so that every receiver holds its GET")
	fs.DurationVar(&o.connTimeout, "conntimeout", 10*time.Second, "connect timeout (handshake to namespace connected)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	raiseNofile()
	res := runPoll(context.Background(), o)
	b, _ := json.Marshal(res)
	fmt.Printf("%s\n", b)
	return 0
}

// pollLoad is what the clients of one run share.
type pollLoad struct {
	o      *pollOpts
	http   *http.Client
	base   time.Time
	seqLo  int64 // deliveries of earlier sequence numbers do not count
	ctx    context.Context
	cancel context.CancelFunc

	delivered, dups, other, polls atomic.Int64
	sent, sendErrors, dropped     atomic.Int64
	lastNs                        atomic.Int64 // arrival of the latest delivery

	errOnce  sync.Once
	firstErr string
}

func (l *pollLoad) now() int64 { return int64(time.Since(l.base)) }

func (l *pollLoad) noteErr(err error) {
	l.errOnce.Do(func() { l.firstErr = err.Error() })
}

// pollClient is one Engine.IO session over XHR polling.
type pollClient struct {
	id           int
	l            *pollLoad
	url          string // with the sid
	pingInterval time.Duration
	connected    chan struct{} // closed on the namespace's CONNECT
	connOnce     sync.Once
	out          chan []byte // packets to POST
	done         chan struct{}
	postMu       sync.Mutex

	got receipts
}

// runPoll runs the long-polling scenario: it opens o.n polling sessions,
// has o.senders of them send at o.rate in all while every session polls,
// and counts deliveries, duplicates and latency. Long on purpose: the receivers, the sender and
// the wind-down share the run's counters and read best as one sequence.
func runPoll(parent context.Context, o *pollOpts) *pollResult {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: o.connTimeout}).DialContext,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: 2*o.n + 16, // a held GET and a POST per client
		DisableCompression:  true,       // compare the servers' work, not gzip's
	}
	defer tr.CloseIdleConnections()
	l := &pollLoad{o: o, http: &http.Client{Transport: tr}, base: time.Now(), ctx: ctx, cancel: cancel}
	r := &pollResult{Scenario: "polling", Transport: "polling", Addr: o.addr, N: o.n, Rate: o.rate, DurationS: o.d.Seconds()}

	fmt.Fprintf(os.Stderr, "poll: connecting %d to http://%s%s (EIO3 polling) at %.0f/s\n", o.n, o.addr, o.path, o.connRate)
	clients, lat := l.connectAll()
	r.Established, r.Failed = len(clients), o.n-len(clients)
	r.ConnectP50Ms, r.ConnectP99Ms, r.ConnectMaxMs = quantileMs(lat, .5), quantileMs(lat, .99), quantileMs(lat, 1)
	if len(clients) == 0 {
		r.FirstError = l.firstErr
		return r
	}
	senders := clients
	if o.senders > 0 && o.senders < len(clients) {
		senders = make([]*pollClient, o.senders)
		for i := range senders {
			senders[i] = clients[i*len(clients)/o.senders]
		}
	}
	r.Senders = len(senders)
	var sendWG sync.WaitGroup
	for _, c := range senders {
		sendWG.Add(1)
		go func() { defer sendWG.Done(); c.sendLoop() }()
	}
	time.Sleep(o.warmup)

	fmt.Fprintf(os.Stderr, "poll: %d receivers, %d senders, %g msgs/s for %v\n", len(clients), len(senders), o.rate, o.d)
	dropped0 := l.dropped.Load()
	cpu, t0 := startCPU(o.pid), time.Now()
	polls0 := l.polls.Load()
	startNs := l.now()
	total := int64(math.Round(o.d.Seconds() * o.rate))
	var buf []byte
	for seq := int64(0); seq < total; {
		due := min(total, int64(time.Since(t0).Seconds()*o.rate)+1)
		for ; seq < due; seq++ {
			c := senders[seq%int64(len(senders))]
			buf = appendChat(buf[:0], c.id, seq, l.now())
			select {
			case c.out <- bytes.Clone(buf):
			default:
				l.sendErrors.Add(1) // that sender is far behind
			}
		}
		if seq < total {
			time.Sleep(time.Until(t0.Add(time.Duration(float64(seq) / o.rate * 1e9))))
		}
	}
	for _, c := range senders {
		close(c.out)
	}
	sendWG.Wait()
	alive := int64(len(clients)) - (l.dropped.Load() - dropped0)
	r.Sent = l.sent.Load()
	r.Expected = r.Sent * alive
	awaitDeliveries(o.grace, r.Expected, l.delivered.Load)
	r.ServerCPUS, r.ServerCPUPct, r.ClientCPUS, r.ClientCPUPct = cpu.stop()
	r.Polls = l.polls.Load() - polls0
	r.Delivered, r.Duplicates, r.OtherPackets = l.delivered.Load(), l.dups.Load(), l.other.Load()
	r.Lost = r.Expected - r.Delivered
	if r.Expected > 0 {
		r.LostPct = 100 * float64(r.Lost) / float64(r.Expected)
	}
	if span := time.Duration(l.lastNs.Load() - startNs); span > 0 {
		r.DeliveriesPerS = float64(r.Delivered) / span.Seconds()
	}
	var all []time.Duration
	for _, c := range clients {
		all = c.got.appendLatencies(all)
	}
	r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs = quantileMs(all, .5), quantileMs(all, .9), quantileMs(all, .99), quantileMs(all, 1)
	r.SendErrors = l.sendErrors.Load()
	r.Dropped = l.dropped.Load()
	r.FirstError = l.firstErr
	if r.ClientCPUPct > 85 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the generator used %.0f%% of its core: the figures may be its limit", r.ClientCPUPct))
	}
	cancel()
	for _, c := range clients {
		<-c.done
	}
	return r
}

// connectAll opens o.n sessions (see connectPaced); a connect latency runs
// from the handshake request to the namespace's CONNECT.
func (l *pollLoad) connectAll() ([]*pollClient, []time.Duration) {
	return connectPaced(l.o.n, l.o.connRate, l.dial, func(c *pollClient) int { return c.id }, l.noteErr)
}

// dial does the handshake, starts the session's receive loop and waits for
// the default namespace's CONNECT.
func (l *pollLoad) dial(id int) (*pollClient, error) {
	ctx, cancel := context.WithTimeout(l.ctx, l.o.connTimeout)
	defer cancel()
	url := "http://" + l.o.addr + l.o.path + "?EIO=3&transport=polling&b64=1"
	body, binary, err := l.get(ctx, url)
	if err != nil {
		return nil, err
	}
	c := &pollClient{id: id, l: l, connected: make(chan struct{}), out: make(chan []byte, 256), done: make(chan struct{})}
	var open []byte
	var rest [][]byte
	err = eachPacket(body, binary, func(p []byte) {
		if open == nil && len(p) > 0 && p[0] == '0' {
			open = p
		} else {
			rest = append(rest, p)
		}
	})
	if err != nil || open == nil {
		return nil, fmt.Errorf("handshake: want an open packet, got %.80q (%v)", body, err)
	}
	var hs struct {
		SID          string `json:"sid"`
		PingInterval int64  `json:"pingInterval"`
	}
	if err := json.Unmarshal(open[1:], &hs); err != nil || hs.SID == "" {
		return nil, fmt.Errorf("handshake: bad open packet %.80q", open)
	}
	c.url = url + "&sid=" + hs.SID
	c.pingInterval = time.Duration(hs.PingInterval) * time.Millisecond
	for _, p := range rest {
		c.packet(p, l.now())
	}
	go c.receiveLoop()
	select {
	case <-c.connected:
		return c, nil
	case <-c.done:
		return nil, errors.New("session ended before the namespace connected")
	case <-ctx.Done():
		return nil, fmt.Errorf("no CONNECT within %v", l.o.connTimeout)
	}
}

// get does one GET and returns the body and whether it is a binary payload.
func (l *pollLoad) get(ctx context.Context, url string) ([]byte, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := l.http.Do(req)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, false, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, false, fmt.Errorf("GET: %s: %.80q", resp.Status, body)
	}
	return body, resp.Header.Get("Content-Type") == "application/octet-stream", nil
}

// post sends one text payload.
func (l *pollLoad) post(url string, payload []byte) error {
	req, err := http.NewRequestWithContext(l.ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	resp, err := l.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST: %s: %.80q", resp.Status, body)
	}
	return nil
}

// receiveLoop holds one GET at a time until the session or the run ends.
// It pings every pingInterval, as an Engine.IO v3 client does.
func (c *pollClient) receiveLoop() {
	defer close(c.done)
	l := c.l
	if c.pingInterval > 0 {
		go c.pingLoop()
	}
	for l.ctx.Err() == nil {
		body, binary, err := l.get(l.ctx, c.url)
		if err != nil {
			if l.ctx.Err() == nil {
				l.dropped.Add(1)
				l.noteErr(err)
			}
			return
		}
		l.polls.Add(1)
		now := l.now()
		closed := false
		err = eachPacket(body, binary, func(p []byte) {
			if len(p) == 1 && p[0] == '1' {
				closed = true
			}
			c.packet(p, now)
		})
		if err != nil || closed {
			if err != nil {
				l.noteErr(err)
			}
			l.dropped.Add(1)
			return
		}
	}
}

var pollChatPrefix = []byte(`42["chat message","`)

// packet handles one Engine.IO packet received at now.
func (c *pollClient) packet(p []byte, now int64) {
	l := c.l
	switch {
	case bytes.HasPrefix(p, pollChatPrefix):
		c.chat(p[len(pollChatPrefix):], now)
	case bytes.Equal(p, []byte("40")):
		c.connOnce.Do(func() { close(c.connected) })
	case bytes.Equal(p, []byte("3")), bytes.Equal(p, []byte("6")):
		// pong, noop
	default:
		l.other.Add(1)
	}
}

// chat records one delivery; p is what follows the chat prefix (see
// parseChat).
func (c *pollClient) chat(p []byte, now int64) {
	l := c.l
	seq, ts, ok := parseChat(p)
	if !ok || seq < l.seqLo {
		l.other.Add(1)
		return
	}
	if !c.got.add(seq, ts, now) {
		l.dups.Add(1)
		return
	}
	l.delivered.Add(1)
	storeMax(&l.lastNs, now)
}

// pingLoop sends a ping every pingInterval until the session ends.
func (c *pollClient) pingLoop() {
	t := time.NewTicker(c.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.post([]byte("1:2"))
		}
	}
}

// post sends a payload on the session, one POST at a time: engine.io closes
// a session whose POSTs overlap.
func (c *pollClient) post(payload []byte) error {
	c.postMu.Lock()
	defer c.postMu.Unlock()
	return c.l.post(c.url, payload)
}

// sendLoop POSTs what the pacer queued for this sender, one request at a
// time (Engine.IO allows one POST per session at once), batching what waited.
func (c *pollClient) sendLoop() {
	l := c.l
	var payload []byte
	for p := range c.out {
		payload = appendTextPacket(payload[:0], p)
		n := int64(1)
	batch:
		for {
			select {
			case q, ok := <-c.out:
				if !ok {
					break batch
				}
				payload = appendTextPacket(payload, q)
				n++
			default:
				break batch
			}
		}
		if err := c.post(payload); err != nil {
			l.sendErrors.Add(n)
			l.noteErr(err)
			continue
		}
		l.sent.Add(n)
	}
}

// appendChat appends the chat event packet of message seq.
func appendChat(b []byte, sender int, seq, ts int64) []byte {
	b = append(b, pollChatPrefix...)
	b = strconv.AppendInt(b, int64(sender), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, ts, 10)
	return append(b, `"]`...)
}

// appendTextPacket appends p to an Engine.IO v3 text payload: its length in
// UTF-16 code units, a colon, the packet.
func appendTextPacket(b, p []byte) []byte {
	b = strconv.AppendInt(b, int64(utf16Len(p)), 10)
	b = append(b, ':')
	return append(b, p...)
}

func utf16Len(p []byte) int {
	n := 0
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		p = p[size:]
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// eachPacket calls fn for every packet of an Engine.IO v3 payload: text
// (`len:packet…`, len in UTF-16 code units) or binary (a 0 or 1 type byte,
// the length as decimal digit bytes, 0xff, the packet).
func eachPacket(body []byte, binary bool, fn func(p []byte)) error {
	for len(body) > 0 {
		if binary {
			if len(body) < 3 {
				return errors.New("truncated binary payload")
			}
			n, i := 0, 1
			for ; i < len(body) && body[i] != 0xff; i++ {
				if body[i] > 9 {
					return errors.New("bad length in binary payload")
				}
				n = n*10 + int(body[i])
			}
			i++
			if i+n > len(body) {
				return errors.New("truncated binary payload")
			}
			if body[0] == 0 {
				fn(body[i : i+n])
			} // binary packets (attachments) are not part of the chat
			body = body[i+n:]
			continue
		}
		colon := bytes.IndexByte(body, ':')
		if colon <= 0 {
			return fmt.Errorf("bad payload %.40q", body)
		}
		units, err := strconv.Atoi(string(body[:colon]))
		if err != nil {
			return fmt.Errorf("bad payload length %.40q", body)
		}
		body = body[colon+1:]
		end := 0
		for units > 0 && end < len(body) {
			r, size := utf8.DecodeRune(body[end:])
			end += size
			if r >= 0x10000 {
				units -= 2
			} else {
				units--
			}
		}
		if units > 0 {
			return errors.New("truncated payload")
		}
		fn(body[:end])
		body = body[end:]
	}
	return nil
}

// quantileMs is an exact quantile of durations, in ms (q=1: the max).
func quantileMs(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := max(int(math.Ceil(q*float64(len(s))))-1, 0)
	return float64(s[i]) / 1e6
}
