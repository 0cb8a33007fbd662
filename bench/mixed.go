package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The "mixed" subcommand is the load generator of the mixed fan-out: the
// chat scenario over websocket with half the receivers speaking Engine.IO
// v3 / Socket.IO v4 (socket.io 2.x clients) and half Engine.IO v4 /
// Socket.IO v5 (socket.io 3.x/4.x clients), in one run against one server,
// so that every broadcast reaches both revisions. sioload speaks one
// revision per run, and two sioloads at once would each count the other's
// messages as foreign. Like the "poll" subcommand it speaks the protocol
// itself (over gorilla/websocket) and uses none of this repository's
// runtime; its messages and counts are sioload's: senders send
// 42["chat message","S:Q:T"], every receiver must get every message once,
// and a delivery's latency is its arrival time minus T.

// mixedOpts configure one mixed run.
type mixedOpts struct {
	addr, path            string
	pid, n, senders       int
	connRate, rate        float64
	d, grace, connTimeout time.Duration
	warmup                time.Duration
}

// revisionResult is what the receivers of one Engine.IO revision got.
type revisionResult struct {
	Receivers int     `json:"receivers"`
	Expected  int64   `json:"expected"`
	Delivered int64   `json:"delivered"`
	Lost      int64   `json:"lost"`
	P50Ms     float64 `json:"lat_p50_ms"`
	P99Ms     float64 `json:"lat_p99_ms"`
	MaxMs     float64 `json:"lat_max_ms"`
	Dropped   int64   `json:"dropped"`
}

// mixedResult is the JSON summary; the fields shared with sioload's chat
// scenario have its names, and eio3/eio4 break them down by revision.
type mixedResult struct {
	Scenario       string         `json:"scenario"`
	Addr           string         `json:"addr"`
	N              int            `json:"n"`
	Established    int            `json:"established"`
	Failed         int            `json:"failed"`
	ConnectP50Ms   float64        `json:"connect_p50_ms"`
	ConnectP99Ms   float64        `json:"connect_p99_ms"`
	FirstError     string         `json:"first_error,omitempty"`
	Senders        int            `json:"senders"`
	Rate           float64        `json:"rate"`
	DurationS      float64        `json:"duration_s"`
	Sent           int64          `json:"sent"`
	Expected       int64          `json:"expected"`
	Delivered      int64          `json:"delivered"`
	Lost           int64          `json:"lost"`
	LostPct        float64        `json:"lost_pct"`
	Duplicates     int64          `json:"duplicates"`
	DeliveriesPerS float64        `json:"deliveries_per_s"`
	P50Ms          float64        `json:"lat_p50_ms"`
	P90Ms          float64        `json:"lat_p90_ms"`
	P99Ms          float64        `json:"lat_p99_ms"`
	MaxMs          float64        `json:"lat_max_ms"`
	EIO3           revisionResult `json:"eio3"`
	EIO4           revisionResult `json:"eio4"`
	SendLagMaxMs   float64        `json:"send_lag_max_ms"`
	SendErrors     int64          `json:"send_errors"`
	ServerCPUS     float64        `json:"server_cpu_s"`
	ServerCPUPct   float64        `json:"server_cpu_pct"`
	ClientCPUS     float64        `json:"client_cpu_s"`
	ClientCPUPct   float64        `json:"client_cpu_pct"`
	Dropped        int64          `json:"dropped"`
	OtherPackets   int64          `json:"other_packets"`
	Warnings       []string       `json:"warnings,omitempty"`
}

func mixedMain(args []string) int {
	o := &mixedOpts{}
	fs := flag.NewFlagSet("bench mixed", flag.ContinueOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:3000", "server host:port")
	fs.StringVar(&o.path, "path", "/socket.io/", "Engine.IO path")
	fs.IntVar(&o.pid, "pid", 0, "server process id, for its CPU from /proc")
	fs.IntVar(&o.n, "n", 1000, "websocket receivers: the even-numbered speak Engine.IO v3, the odd v4")
	fs.IntVar(&o.senders, "senders", 0, "how many of them send (0: all, in turn)")
	fs.Float64Var(&o.connRate, "connrate", 1000, "connections opened per second")
	fs.Float64Var(&o.rate, "rate", 50, "chat messages per second, all senders together")
	fs.DurationVar(&o.d, "d", 10*time.Second, "send duration")
	fs.DurationVar(&o.grace, "grace", 5*time.Second, "longest wait for deliveries after sending stops")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "pause between connecting and sending")
	fs.DurationVar(&o.connTimeout, "conntimeout", 10*time.Second, "connect timeout (dial to namespace connected)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	raiseNofile()
	b, _ := json.Marshal(runMixed(context.Background(), o))
	fmt.Printf("%s\n", b)
	return 0
}

// mixedLoad is what the clients of one run share.
type mixedLoad struct {
	o      *mixedOpts
	base   time.Time
	ctx    context.Context
	cancel context.CancelFunc

	delivered                     [2]atomic.Int64 // by revision: [0] v3, [1] v4
	dropped                       [2]atomic.Int64
	dups, other, sent, sendErrors atomic.Int64
	lastNs                        atomic.Int64 // arrival of the latest delivery

	errOnce  sync.Once
	firstErr string
}

func (l *mixedLoad) now() int64 { return int64(time.Since(l.base)) }

func (l *mixedLoad) noteErr(err error) {
	l.errOnce.Do(func() { l.firstErr = err.Error() })
}

// wsClient is one websocket session of either revision.
type wsClient struct {
	id   int
	eio  int // 3 or 4
	l    *mixedLoad
	ws   *websocket.Conn
	wmu  sync.Mutex // one writer at a time: the pacer, pings, pongs
	done chan struct{}

	got receipts
}

func (c *wsClient) rev() int { return c.eio - 3 }

// runMixed runs the mixed fan-out: it opens o.n websocket sessions, half
// of each revision, has o.senders of them send at o.rate in all, and counts
// deliveries and latency by the receiver's revision. Long on purpose, as
// runPoll: the phases share the run's counters and read best in sequence.
func runMixed(parent context.Context, o *mixedOpts) *mixedResult {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	l := &mixedLoad{o: o, base: time.Now(), ctx: ctx, cancel: cancel}
	r := &mixedResult{Scenario: "mixed", Addr: o.addr, N: o.n, Rate: o.rate, DurationS: o.d.Seconds()}

	fmt.Fprintf(os.Stderr, "mixed: connecting %d to ws://%s%s (half EIO3, half EIO4) at %.0f/s\n", o.n, o.addr, o.path, o.connRate)
	clients, lat := l.connectAll()
	r.Established, r.Failed = len(clients), o.n-len(clients)
	r.ConnectP50Ms, r.ConnectP99Ms = quantileMs(lat, .5), quantileMs(lat, .99)
	if len(clients) == 0 {
		r.FirstError = l.firstErr
		return r
	}
	var alive [2]int64
	for _, c := range clients {
		alive[c.rev()]++
	}
	senders := clients
	if o.senders > 0 && o.senders < len(clients) {
		senders = make([]*wsClient, o.senders)
		for i := range senders {
			senders[i] = clients[i*len(clients)/o.senders]
		}
	}
	r.Senders = len(senders)
	time.Sleep(o.warmup)

	fmt.Fprintf(os.Stderr, "mixed: %d receivers (%d EIO3, %d EIO4), %d senders, %g msgs/s for %v\n", len(clients), alive[0], alive[1], len(senders), o.rate, o.d)
	var dropped0 [2]int64
	for i := range dropped0 {
		dropped0[i] = l.dropped[i].Load()
	}
	cpu, t0 := startCPU(o.pid), time.Now()
	startNs := l.now()
	total := int64(math.Round(o.d.Seconds() * o.rate))
	var buf []byte
	var lag time.Duration // how late the pacer sent, at worst: a stall of the generator, not the server
	for seq := int64(0); seq < total; {
		due := min(total, int64(time.Since(t0).Seconds()*o.rate)+1)
		for ; seq < due; seq++ {
			lag = max(lag, time.Since(t0.Add(time.Duration(float64(seq)/o.rate*1e9))))
			c := senders[seq%int64(len(senders))]
			buf = appendChat(buf[:0], c.id, seq, l.now())
			if err := c.write(buf); err != nil {
				l.sendErrors.Add(1)
				l.noteErr(err)
				continue
			}
			l.sent.Add(1)
		}
		if seq < total {
			time.Sleep(time.Until(t0.Add(time.Duration(float64(seq) / o.rate * 1e9))))
		}
	}
	r.Sent = l.sent.Load()
	r.SendLagMaxMs = float64(lag) / 1e6
	var want [2]int64
	for i := range want {
		want[i] = r.Sent * (alive[i] - (l.dropped[i].Load() - dropped0[i]))
	}
	r.Expected = want[0] + want[1]
	awaitDeliveries(o.grace, r.Expected, func() int64 { return l.delivered[0].Load() + l.delivered[1].Load() })
	r.ServerCPUS, r.ServerCPUPct, r.ClientCPUS, r.ClientCPUPct = cpu.stop()

	var all []time.Duration
	var byRev [2][]time.Duration
	for _, c := range clients {
		byRev[c.rev()] = c.got.appendLatencies(byRev[c.rev()])
	}
	for i, rr := range []*revisionResult{&r.EIO3, &r.EIO4} {
		d := byRev[i]
		all = append(all, d...)
		*rr = revisionResult{
			Receivers: int(alive[i]), Expected: want[i], Delivered: l.delivered[i].Load(),
			P50Ms: quantileMs(d, .5), P99Ms: quantileMs(d, .99), MaxMs: quantileMs(d, 1),
			Dropped: l.dropped[i].Load(),
		}
		rr.Lost = rr.Expected - rr.Delivered
		r.Delivered += rr.Delivered
		r.Dropped += rr.Dropped
	}
	r.Lost = r.Expected - r.Delivered
	if r.Expected > 0 {
		r.LostPct = 100 * float64(r.Lost) / float64(r.Expected)
	}
	if span := time.Duration(l.lastNs.Load() - startNs); span > 0 {
		r.DeliveriesPerS = float64(r.Delivered) / span.Seconds()
	}
	r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs = quantileMs(all, .5), quantileMs(all, .9), quantileMs(all, .99), quantileMs(all, 1)
	r.Duplicates, r.OtherPackets = l.dups.Load(), l.other.Load()
	r.SendErrors = l.sendErrors.Load()
	r.FirstError = l.firstErr
	if r.ClientCPUPct > 85 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the generator used %.0f%% of its core: the figures may be its limit", r.ClientCPUPct))
	}
	cancel()
	for _, c := range clients {
		c.ws.Close()
		<-c.done
	}
	return r
}

// connectAll opens o.n sessions, alternating the revisions (see
// connectPaced).
func (l *mixedLoad) connectAll() ([]*wsClient, []time.Duration) {
	return connectPaced(l.o.n, l.o.connRate,
		func(i int) (*wsClient, error) { return l.dial(i, 3+i%2) },
		func(c *wsClient) int { return c.id }, l.noteErr)
}

// dial opens one websocket session of revision eio and returns once its
// default namespace is connected, with its reader (and, for v3, its
// pinger) running.
func (l *mixedLoad) dial(id, eio int) (*wsClient, error) {
	ctx, cancel := context.WithTimeout(l.ctx, l.o.connTimeout)
	defer cancel()
	u := url.URL{Scheme: "ws", Host: l.o.addr, Path: l.o.path, RawQuery: "EIO=" + strconv.Itoa(eio) + "&transport=websocket"}
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	ws.SetReadDeadline(deadline)
	fail := func(err error) (*wsClient, error) {
		ws.Close()
		return nil, fmt.Errorf("EIO%d: %w", eio, err)
	}
	_, open, err := ws.ReadMessage()
	if err != nil {
		return fail(err)
	}
	var hs struct {
		SID          string `json:"sid"`
		PingInterval int64  `json:"pingInterval"`
	}
	if len(open) == 0 || open[0] != '0' || json.Unmarshal(open[1:], &hs) != nil || hs.SID == "" {
		return fail(fmt.Errorf("want an open packet, got %.80q", open))
	}
	if eio == 4 {
		// Socket.IO v5: the client asks for the default namespace.
		if err := ws.WriteMessage(websocket.TextMessage, []byte("40")); err != nil {
			return fail(err)
		}
	}
	for {
		_, p, err := ws.ReadMessage()
		if err != nil {
			return fail(err)
		}
		if len(p) >= 2 && p[0] == '4' && p[1] == '0' {
			if eio == 4 && len(p) == 2 {
				return fail(errors.New(`the server answered "40" without an id: it does not speak Socket.IO v5`))
			}
			break
		}
		if len(p) == 1 && p[0] == '2' && eio == 4 { // an early ping
			ws.WriteMessage(websocket.TextMessage, []byte("3"))
		}
	}
	ws.SetReadDeadline(time.Time{})
	c := &wsClient{id: id, eio: eio, l: l, ws: ws, done: make(chan struct{})}
	go c.readLoop()
	if eio == 3 && hs.PingInterval > 0 {
		go c.pingLoop(time.Duration(hs.PingInterval) * time.Millisecond)
	}
	return c, nil
}

func (c *wsClient) write(p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, p)
}

// readLoop reads the session's messages into one reused buffer until the
// session or the run ends.
func (c *wsClient) readLoop() {
	defer close(c.done)
	l := c.l
	buf := make([]byte, 0, 512)
	for {
		_, r, err := c.ws.NextReader()
		if err == nil {
			buf, err = readAll(r, buf[:0])
		}
		if err != nil {
			if l.ctx.Err() == nil {
				l.dropped[c.rev()].Add(1)
				l.noteErr(fmt.Errorf("EIO%d session: %w", c.eio, err))
			}
			return
		}
		c.packet(buf, l.now())
	}
}

// readAll appends what r holds to buf, growing it as needed.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// packet handles one Engine.IO packet received at now.
func (c *wsClient) packet(p []byte, now int64) {
	l := c.l
	switch {
	case len(p) > len(pollChatPrefix) && string(p[:len(pollChatPrefix)]) == string(pollChatPrefix):
		seq, ts, ok := parseChat(p[len(pollChatPrefix):])
		if !ok {
			l.other.Add(1)
			return
		}
		c.deliver(seq, ts, now)
	case len(p) == 1 && p[0] == '2' && c.eio == 4:
		// The v4 server's ping: answered at once.
		if err := c.write([]byte("3")); err != nil {
			l.noteErr(err)
		}
	case len(p) == 1 && (p[0] == '3' || p[0] == '6'):
		// a v3 pong, a noop
	default:
		l.other.Add(1)
	}
}

// deliver records message seq, sent at ts, arriving at now.
func (c *wsClient) deliver(seq, ts, now int64) {
	if !c.got.add(seq, ts, now) {
		c.l.dups.Add(1)
		return
	}
	c.l.delivered[c.rev()].Add(1)
	storeMax(&c.l.lastNs, now)
}

// pingLoop sends a v3 client's ping every interval until the session ends.
func (c *wsClient) pingLoop(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.write([]byte("2")); err != nil {
				return
			}
		}
	}
}
