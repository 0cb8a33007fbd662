package engineio

import (
	"context"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/peerlog"
	"github.com/siogen/siogen/runtime/engineio/codec"
)

// Conn is one Engine.IO session on the server. Send, Close and Abort may be
// called from any goroutine. Packets go out in the order Send queued them,
// over whichever transport the session uses at the time; none is lost,
// duplicated or reordered across an upgrade.
type Conn struct {
	srv     *Server
	id      string
	req     savedRequest
	version codec.Version
	b64     bool // the client cannot take binary polling payloads

	recvMu sync.Mutex // serialises delivery of inbound packets

	mu sync.Mutex
	// queue holds every outbound packet, bounded by SendQueueSize, and
	// exactly one party drains it at a time: the held polling GET, or, once
	// the websocket is the transport, one of the server's writers (the
	// ready list of writer.go; with MinWriteInterval, the session's own
	// flusher), taken on while the queue is non-empty and let go when it is
	// empty, so an idle session holds no writer goroutine (and on Linux no
	// reader either: see readPoller). An upgrade hands the queue from the
	// GET to the websocket; until the client's upgrade packet arrives,
	// packets keep going out by polling.
	queue       []codec.Packet
	wake        chan struct{} // signals the held GET; capacity 1; nil when opened over websocket
	transport   string
	ws          *websocket.Conn // the websocket, once it is the transport
	wsB64       bool
	probe       *websocket.Conn // a websocket being probed for an upgrade
	upgrading   bool            // probe answered, waiting for the upgrade packet
	getActive   bool
	postActive  bool
	flushing    bool            // a writer has the websocket's queue (writer.go), or its flusher runs
	flush       func()          // flushWebSocket(ws) with MinWriteInterval, bound once: go c.flush() allocates nothing
	wsRaw       syscall.RawConn // ws's socket, for writes that must not wait (nil: TLS, not Linux)
	wmu         sync.Mutex      // held across a websocket write that a slow peer took only part of
	lastWrite   time.Time       // the flusher's last write; flushers run one at a time
	closing     bool            // Close was called: end once the queue is drained
	closed      bool
	closeWith   codec.PacketType // what a held GET receives when the session dies
	closeReason string
	done        chan struct{}

	// pingTimer runs the heartbeat. v3: it fires when the session has been
	// silent for PingInterval+PingTimeout. v4: it fires to send the next
	// ping, then, re-armed, when its pong is overdue.
	pingTimer    *time.Timer
	awaitingPong bool // v4: a ping went out and its pong has not come
	pongExtended bool // v4: another packet already extended the wait once
	closeTimer   *time.Timer

	readPoll readPoller // the idle websocket's wait for its next packet

	peerLog peerlog.Log // the peer's misbehaviour, logged once per kind
}

func newConn(s *Server, id string, r *http.Request, v codec.Version, b64 bool) *Conn {
	// Keep what the layer above may read of the handshake request; drop the
	// body, and the context's cancellation, which end with the request, but
	// keep its values (what net/http middleware set: a user, a trace; the
	// context chain costs an idle session about 300 bytes). A shallow copy
	// with its header packed (savedRequest): net/http allocates the header
	// map and URL afresh for every request and never writes them after the
	// handler has them.
	req := r.WithContext(context.WithoutCancel(r.Context()))
	req.Body = http.NoBody
	c := &Conn{
		srv:       s,
		id:        id,
		version:   v,
		b64:       b64,
		transport: transportOf(r),
		done:      make(chan struct{}),
	}
	c.req.save(req)
	if c.transport == Polling {
		c.wake = make(chan struct{}, 1)
	}
	return c
}

func transportOf(r *http.Request) string {
	if r.URL.Query().Get("transport") == WebSocket {
		return WebSocket
	}
	return Polling
}

// ID returns the session id.
func (c *Conn) ID() string { return c.id }

// Request returns the handshake request: URL (with the query), headers and
// remote address. Its body is empty. Its context holds the values of the
// handshake request's context but is never cancelled: the session outlives
// the request. It must not be modified.
func (c *Conn) Request() *http.Request { return c.req.request() }

// RequestContext returns Request().Context() without making the request,
// which the session keeps as its fields until Request is first called.
func (c *Conn) RequestContext() context.Context {
	if c.req.ctx == nil {
		return context.Background()
	}
	return c.req.ctx
}

// Protocol returns the Engine.IO revision of the session: 3 or 4.
func (c *Conn) Protocol() int { return int(c.version) }

// Transport returns the current transport, Polling or WebSocket.
func (c *Conn) Transport() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transport
}

// Done returns a channel that is closed when the session has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Send queues messages for the peer. They are queued together, so no other
// message can come between them (a socket.io binary packet and its
// attachments). Send never waits for the network. It returns ErrClosed once
// the session is closing, and ErrQueueFull, closing the session, when the
// peer has stopped taking what it is sent.
func (c *Conn) Send(msgs ...Message) error {
	if len(msgs) == 1 {
		return c.enqueue(messagePacket(msgs[0]))
	}
	pkts := make([]codec.Packet, len(msgs))
	for i, m := range msgs {
		pkts[i] = messagePacket(m)
	}
	return c.enqueue(pkts...)
}

func (c *Conn) enqueue(pkts ...codec.Packet) error {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	if len(c.queue)+len(pkts) > c.srv.opts.SendQueueSize {
		transport := c.transport
		c.mu.Unlock()
		if o := c.srv.opts.Observer; o != nil {
			o.SendQueueOverflowed(transport, int(c.version))
		}
		c.peerLog.Warn(c.srv.log, "engineio: send queue full, closing session", "sid", c.id)
		c.die(ReasonTransportError, codec.Close)
		return ErrQueueFull
	}
	c.queue = append(c.queue, pkts...)
	c.kickLocked()
	c.mu.Unlock()
	return nil
}

// kickLocked makes the current transport take the queue.
func (c *Conn) kickLocked() {
	if c.ws != nil {
		if !c.flushing && len(c.queue) > 0 {
			c.flushing = true
			if c.srv.opts.MinWriteInterval > 0 {
				go c.flush()
			} else {
				c.srv.writers.schedule(c)
			}
		}
		return
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Close ends the session in order: what is queued is still delivered, then
// the transport is closed (polling: the client receives a close packet) and
// the Handler's OnClose is called with ReasonForcedClose.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return nil
	}
	c.closing = true
	c.queue = append(c.queue, codec.Packet{Type: codec.Close})
	c.kickLocked()
	if c.ws == nil {
		c.closeTimer = time.AfterFunc(c.srv.opts.CloseTimeout, func() { c.finish(ReasonForcedClose) })
	}
	c.mu.Unlock()
	return nil
}

// die ends the session at once: nothing more is delivered; a held GET
// receives a packet of type with (close, or noop when the client closed).
func (c *Conn) die(reason string, with codec.PacketType) {
	c.mu.Lock()
	if !c.closed {
		c.closeWith = with
	}
	c.mu.Unlock()
	c.finish(reason)
}

// finish marks the session closed, releases its transports and timers,
// and tells the Handler. It runs once; later calls do nothing.
func (c *Conn) finish(reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.closeReason = reason
	c.queue = nil
	ws, probe := c.ws, c.probe
	transport := c.transport
	close(c.done)
	c.mu.Unlock()

	if c.pingTimer != nil {
		c.pingTimer.Stop()
	}
	if c.closeTimer != nil {
		c.closeTimer.Stop()
	}
	if ws != nil {
		c.readPoll.stop()
		// Off the caller's goroutine: the caller may be a broadcast whose
		// enqueue overflowed, and the close frame waits for the flusher's
		// write, which a peer that stopped reading holds until WriteTimeout.
		go closeWebSocket(ws, &c.wmu)
	}
	if probe != nil {
		probe.Close()
	}
	c.srv.remove(c)
	c.peerLog.Close(c.srv.log, "sid", c.id)
	c.srv.log.Debug("engineio: session closed", "sid", c.id, "reason", reason)
	if o := c.srv.opts.Observer; o != nil {
		o.SessionClosed(transport, int(c.version), reason)
	}
	c.srv.handler.OnClose(c, reason)
}

// closeWebSocket sends a close frame without a status, as the reference
// does (the peer sees 1005), then closes the connection.
// wmu keeps it out of a data frame that a slow peer took only part of.
func closeWebSocket(ws *websocket.Conn, wmu *sync.Mutex) {
	wmu.Lock()
	ws.WriteControl(websocket.CloseMessage, nil, time.Now().Add(time.Second))
	wmu.Unlock()
	ws.Close()
}

// startHeartbeat arms the session's heartbeat, whose direction is the
// main difference between the protocol revisions. v3: the client pings,
// and a session silent for PingInterval+PingTimeout is dead. v4: the server
// pings every PingInterval and a session that does not answer within
// PingTimeout is dead.
func (c *Conn) startHeartbeat() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == codec.V3 {
		d := c.srv.opts.PingInterval + c.srv.opts.PingTimeout
		c.pingTimer = time.AfterFunc(d, func() { c.die(ReasonPingTimeout, codec.Close) })
		return
	}
	c.pingTimer = time.AfterFunc(c.srv.opts.PingInterval, c.pingOrTimeout)
}

// pingOrTimeout is the v4 heartbeat timer: it sends a ping, or, when the
// last one is still unanswered, ends the session.
func (c *Conn) pingOrTimeout() {
	c.mu.Lock()
	if c.awaitingPong {
		c.mu.Unlock()
		c.die(ReasonPingTimeout, codec.Close)
		return
	}
	c.awaitingPong, c.pongExtended = true, false
	c.pingTimer.Reset(c.srv.opts.PingTimeout)
	c.mu.Unlock()
	c.enqueue(codec.Packet{Type: codec.Ping})
}

// heard records an inbound packet in the heartbeat. v3: any packet re-arms
// the silence timer. v4: the pong ends the wait and schedules the next
// ping; any other packet extends the wait once per ping, as engine.io 6.x
// does for a client whose pong is stuck behind its own data.
func (c *Conn) heard(t codec.PacketType) {
	if c.version == codec.V3 {
		c.pingTimer.Reset(c.srv.opts.PingInterval + c.srv.opts.PingTimeout)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.awaitingPong {
		return
	}
	if t == codec.Pong {
		c.awaitingPong = false
		c.pingTimer.Reset(c.srv.opts.PingInterval)
	} else if !c.pongExtended {
		c.pongExtended = true
		c.pingTimer.Reset(c.srv.opts.PingTimeout)
	}
}

// onPacket handles one inbound packet; the caller holds recvMu.
func (c *Conn) onPacket(p codec.Packet) {
	if p.Type != codec.Close && c.isClosing() {
		return
	}
	c.heard(p.Type)
	switch p.Type {
	case codec.Ping:
		if c.version != codec.V3 {
			// A v4 client never pings on its transport (engine.io 6.x:
			// "invalid heartbeat direction").
			c.peerLog.Info(c.srv.log, "engineio: ping from a v4 client, closing session", "sid", c.id)
			c.die(ReasonTransportError, codec.Close)
			return
		}
		// The reference answers a ping on the active transport with a bare
		// pong, even "2probe".
		c.enqueue(codec.Packet{Type: codec.Pong})
	case codec.Message:
		c.srv.handler.OnMessage(c, Message{Data: p.Data, Binary: p.Binary})
	case codec.Close:
		c.die(ReasonTransportClose, codec.Noop)
	}
	// Pongs (v4: handled by heard; v3: never sent by a client), upgrade on
	// an established transport, and packets only a server sends, are
	// ignored, as engine.io 3.6.2 does.
}

// deliver hands decoded packets over one by one, stopping if the session
// closed meanwhile.
func (c *Conn) deliver(pkts []codec.Packet) {
	c.recvMu.Lock()
	defer c.recvMu.Unlock()
	for _, p := range pkts {
		select {
		case <-c.done:
			return
		default:
		}
		c.onPacket(p)
	}
}
