package engineio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// DialOptions configures Dial. The zero value (or a nil *DialOptions) is a
// client that polls, upgrades to websocket when the server offers it, and
// drops every message it receives.
type DialOptions struct {
	// Transports lists the transports the client may use, in order: the first
	// one opens the session, the others may be upgraded to when the server
	// offers them. Nil or empty means {Polling, WebSocket}: poll, then
	// upgrade to websocket. {WebSocket} connects over websocket only, and
	// {Polling} never upgrades.
	Transports []string

	// Header holds extra headers sent with every HTTP request and websocket
	// handshake.
	Header http.Header

	// HTTPClient performs the polling requests. Nil means a client of its
	// own with a cookie jar, which is closed with the connection. A client
	// given here should not have a Timeout shorter than pingInterval, since
	// a poll is held by the server until it has data.
	HTTPClient *http.Client

	// Dialer opens websockets. Nil means a dialer with a HandshakeTimeout of
	// 10s that honours the proxy environment variables and shares the cookie
	// jar of HTTPClient (so that a sticky-session cookie set by the polling
	// handshake also reaches the upgrade).
	Dialer *websocket.Dialer

	// Protocol is the Engine.IO revision to speak: 4 (socket.io 3.x and
	// 4.x servers; the server pings and the client answers, and announces
	// maxPayload) or 3 (socket.io 2.x servers). Default 4, as
	// socketio.Manager's default (Socket.IO v5) speaks; the Manager sets it
	// from its own protocol. A siogen server serves both.
	Protocol int

	// ForceBase64 asks the server to send binary messages as base64 text
	// (the b64=1 query parameter), and makes the client send them that way,
	// as the reference client's forceBase64 option does. The Node.js client
	// always polls this way.
	ForceBase64 bool

	// SendQueueSize is the maximum number of messages queued by Send and not
	// yet written. Send fails with ErrQueueFull when it would overflow, and
	// the connection is then closed. Default 4096.
	SendQueueSize int

	// WriteTimeout bounds one websocket write. Default 10s.
	WriteTimeout time.Duration

	// OnMessage is called for each message received, in arrival order, on a
	// goroutine of the client, never concurrently with itself or OnClose. It
	// must not block for long: once a few hundred messages wait for it, the
	// client stops reading, and a long stall ends in a ping timeout. It may
	// keep m.Data, which the client does not reuse. Nil drops messages.
	OnMessage func(m Message)

	// OnClose is called exactly once when the connection ends, after the
	// last OnMessage, with one of the Reason* constants and the error that
	// caused it, if any: ReasonForcedClose after Close, ReasonServerClose
	// when the server sent a close packet, ReasonTransportClose when the
	// server closed the websocket or the TCP connection, ReasonTransportError
	// for a failed request or write, ReasonParseError for bytes that do not
	// decode, ReasonPingTimeout when the server stopped answering pings.
	OnClose func(reason string, err error)

	// Logger receives diagnostics. Nil means slog.Default().
	Logger *slog.Logger
}

// Defaults of DialOptions and limits of the client.
const (
	clientDefaultQueueSize   = 4096
	clientDefaultWriteTimout = 10 * time.Second
	clientHandshakeTimeout   = 10 * time.Second
	// clientUpgradeTimeout bounds the whole upgrade: probe, pause and the
	// upgrade packet. It is the reference server's upgradeTimeout.
	clientUpgradeTimeout = 10 * time.Second
	// clientCloseTimeout bounds how long Close waits for the queued messages
	// and the close packet to be written.
	clientCloseTimeout = 3 * time.Second
	// clientMaxBatch is the size in bytes above which a POST takes no more
	// packets: the reference server's default maxHttpBufferSize, since an
	// EIO3 server does not announce its limit. A single larger packet still
	// goes out alone.
	clientMaxBatch       = 1_000_000
	clientInboxSize      = 256
	clientErrorBodyLimit = 4 << 10
)

// StatusError reports an HTTP request of the client (a poll, a POST, or a
// websocket handshake) that the server answered with an unexpected status.
type StatusError struct {
	StatusCode int // the HTTP status, such as 400 or 403
	// Code is the Engine.IO error code of a JSON error body
	// ({"code":1,"message":"Session ID unknown"}), or -1 if the body is not one.
	Code    int
	Message string // the JSON body's message, or the body itself
}

func (e *StatusError) Error() string {
	if e.Code >= 0 {
		return fmt.Sprintf("engineio: HTTP %d: code %d: %s", e.StatusCode, e.Code, e.Message)
	}
	if e.Message == "" {
		return fmt.Sprintf("engineio: HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("engineio: HTTP %d: %s", e.StatusCode, e.Message)
}

// clientStatusError builds the *StatusError of a response with status code
// and body b.
func clientStatusError(code int, b []byte) *StatusError {
	e := &StatusError{StatusCode: code, Code: -1, Message: strings.TrimSpace(string(b))}
	var j struct {
		Code    *int   `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &j) == nil && j.Code != nil {
		e.Code, e.Message = *j.Code, j.Message
	}
	return e
}

// Client is an Engine.IO client connection, made by Dial. Its methods may be
// called from any goroutine, including from OnMessage and OnClose.
type Client struct {
	// Set by Dial, then read-only.
	opts         DialOptions
	version      codec.Version
	base         *url.URL // http(s) URL: engine path and the application query
	log          *slog.Logger
	httpc        *http.Client
	ownTransport *http.Transport // closed at the end when the client made it
	dialer       *websocket.Dialer
	sid          string
	upgrades     []string
	pingInterval time.Duration
	pingTimeout  time.Duration
	maxBatch     int

	ctx     context.Context // canceled when the connection ends
	cancel  context.CancelFunc
	wg      sync.WaitGroup // network goroutines: polling, websocket, heartbeat
	inbox   chan Message   // received messages, for the dispatcher
	wake    chan struct{}  // kicks the writer of the current transport
	beat    chan struct{}  // a packet arrived
	pong    chan struct{}  // a pong arrived
	closing chan struct{}  // closed when the connection ends
	done    chan struct{}  // closed after OnClose returned

	closeSent     chan struct{} // closed once the close packet is written
	closeSentOnce sync.Once

	tsMu   sync.Mutex // cache buster state
	tsPrev string
	tsSeq  int

	mu        sync.Mutex
	queue     []codec.Packet // packets waiting for the writer
	queued    int            // messages in queue (control packets excluded)
	transport string
	poll      *clientPolling    // polling state; nil when the session never polls
	ws        *websocket.Conn   // the websocket in use, once there is one
	conns     []*websocket.Conn // websockets to close at the end (probe included)
	reason    string            // why the connection ends; "" while open
	err       error
	ended     bool // the teardown ran
}

// Dial opens an Engine.IO connection (v4, or v3 as opts.Protocol says) to rawURL, such as
// "http://127.0.0.1:3000/socket.io/?token=x". The scheme may be http, https,
// ws or wss. A URL without a path (or with "/") gets DefaultPath; a path
// always ends with a slash, as the reference client makes it. The query is
// kept and sent first, followed by EIO, transport, t (polling), b64 and sid.
//
// ctx bounds the handshake only: cancelling it after Dial returned does not
// close the connection. Dial returns once the server accepted the session;
// the upgrade to websocket, when allowed, then happens in the background.
// Errors from the server's HTTP answer are *StatusError.
func Dial(ctx context.Context, rawURL string, opts *DialOptions) (*Client, error) {
	c := &Client{version: codec.V4}
	if opts != nil {
		c.opts = *opts
	}
	switch c.opts.Protocol {
	case 0, 4:
	case 3:
		c.version = codec.V3
	default:
		return nil, fmt.Errorf("engineio: unknown protocol revision %d", c.opts.Protocol)
	}
	if err := c.setup(rawURL); err != nil {
		return nil, err
	}
	// Dial holds a count of c.wg until every goroutine is started, so that
	// their wg.Add never meets a dispatcher already in wg.Wait.
	c.wg.Add(1)
	defer c.wg.Done()
	var rest []codec.Packet
	var err error
	switch c.opts.Transports[0] {
	case Polling:
		rest, err = c.pollHandshake(ctx)
	case WebSocket:
		err = c.wsHandshake(ctx)
	}
	if err != nil {
		c.cancel()
		if c.ownTransport != nil {
			c.ownTransport.CloseIdleConnections()
		}
		u := *c.base
		u.RawQuery = "" // may hold credentials
		return nil, fmt.Errorf("engineio: dial %s: %w", u.Redacted(), err)
	}
	c.log.Debug("engineio client: open", "sid", c.sid, "transport", c.transport,
		"pingInterval", c.pingInterval, "pingTimeout", c.pingTimeout, "upgrades", c.upgrades)

	go c.dispatch()
	c.wg.Add(1)
	go c.heartbeat()
	// Packets that came with the open packet precede everything the loops
	// will read.
	for _, p := range rest {
		if !c.onPacket(p) {
			break
		}
	}
	switch c.transport {
	case Polling:
		c.mu.Lock()
		c.startPolling()
		c.mu.Unlock()
		if slices.Contains(c.upgrades, WebSocket) && slices.Contains(c.opts.Transports, WebSocket) {
			c.wg.Add(1)
			go c.upgrade()
		}
	case WebSocket:
		c.wg.Add(2)
		go func() {
			defer c.wg.Done()
			c.wsRead(c.ws)
		}()
		go func() {
			defer c.wg.Done()
			c.wsWrite(c.ws)
		}()
	}
	return c, nil
}

// setup applies the defaults of c.opts and parses rawURL.
func (c *Client) setup(rawURL string) error {
	o := &c.opts
	if len(o.Transports) == 0 {
		o.Transports = []string{Polling, WebSocket}
	}
	for _, t := range o.Transports {
		if t != Polling && t != WebSocket {
			return fmt.Errorf("engineio: unknown transport %q", t)
		}
	}
	if o.SendQueueSize <= 0 {
		o.SendQueueSize = clientDefaultQueueSize
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = clientDefaultWriteTimout
	}
	c.log = o.Logger
	if c.log == nil {
		c.log = slog.Default()
	}

	u, err := engineURL(rawURL)
	if err != nil {
		return err
	}
	c.base = u
	c.setupHTTP()

	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.inbox = make(chan Message, clientInboxSize)
	c.wake = make(chan struct{}, 1)
	c.beat = make(chan struct{}, 1)
	c.pong = make(chan struct{}, 1)
	c.closing = make(chan struct{})
	c.done = make(chan struct{})
	c.closeSent = make(chan struct{})
	c.maxBatch = clientMaxBatch
	return nil
}

// engineURL parses rawURL into the base URL of the engine endpoint: http or
// https, a path ending in a slash (DefaultPath for none), and the
// application's query only.
func engineURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("engineio: bad URL: %w", err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "http"
	case "https", "wss":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("engineio: bad URL %q: scheme must be http, https, ws or wss", rawURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("engineio: bad URL %q: no host", rawURL)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path, u.RawPath = DefaultPath, ""
	} else if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	u.RawQuery = clientAppQuery(u.RawQuery)
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// setupHTTP sets the HTTP client and websocket dialer of c: those of
// c.opts, or its own sharing one cookie jar (for sticky sessions).
func (c *Client) setupHTTP() {
	o := &c.opts
	c.httpc = o.HTTPClient
	var jar http.CookieJar
	if c.httpc != nil {
		jar = c.httpc.Jar
	} else {
		jar, _ = cookiejar.New(nil)
		c.ownTransport = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
		c.httpc = &http.Client{Transport: c.ownTransport, Jar: jar}
	}
	c.dialer = o.Dialer
	if c.dialer == nil {
		c.dialer = &websocket.Dialer{
			Proxy:            http.ProxyFromEnvironment,
			HandshakeTimeout: clientHandshakeTimeout,
			Jar:              jar,
		}
	}
}

// clientAppQuery returns the application's query without the parameters
// the engine sets itself, in its original order.
func clientAppQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		switch k {
		case "EIO", "transport", "t", "sid", "b64", "j":
			continue
		}
		kept = append(kept, kv)
	}
	return strings.Join(kept, "&")
}

// requestURL returns the URL of a request on transport: the application
// query first, then EIO, transport, t (polling only, as the reference), b64
// and sid (once the session exists).
func (c *Client) requestURL(transport string) string {
	u := *c.base
	var q strings.Builder
	if u.RawQuery != "" {
		q.WriteString(u.RawQuery)
		q.WriteByte('&')
	}
	q.WriteString("EIO=")
	q.WriteString(strconv.Itoa(int(c.version)))
	q.WriteString("&transport=")
	q.WriteString(transport)
	if transport == Polling {
		q.WriteString("&t=")
		q.WriteString(c.cacheBuster())
	} else if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	if c.opts.ForceBase64 {
		q.WriteString("&b64=1")
	}
	if c.sid != "" {
		q.WriteString("&sid=")
		q.WriteString(url.QueryEscape(c.sid))
	}
	u.RawQuery = q.String()
	return u.String()
}

// clientYeastAlphabet is the alphabet of the reference's yeast ids.
const clientYeastAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"

// cacheBuster returns a cache buster as the reference's yeast makes it:
// the time in milliseconds in base 64, with ".<n>" appended when several
// fall in the same millisecond.
func (c *Client) cacheBuster() string {
	var buf [12]byte
	i := len(buf)
	for n := time.Now().UnixMilli(); ; n /= 64 {
		i--
		buf[i] = clientYeastAlphabet[n%64]
		if n < 64 {
			break
		}
	}
	s := string(buf[i:])
	c.tsMu.Lock()
	defer c.tsMu.Unlock()
	if s == c.tsPrev {
		c.tsSeq++
		return s + "." + strconv.Itoa(c.tsSeq-1)
	}
	c.tsPrev, c.tsSeq = s, 0
	return s
}

// clientHandshakeData is the JSON data of the open packet.
type clientHandshakeData struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"` // v4 (engine.io >= 6.2)
}

// onOpen checks that p is the open packet and takes the session's
// parameters from it.
func (c *Client) onOpen(p codec.Packet) error {
	if p.Type != codec.Open || p.Binary {
		return &codec.ProtocolError{What: "handshake", Offset: -1, Reason: "first packet is " + p.Type.String() + ", not open"}
	}
	var h clientHandshakeData
	if err := json.Unmarshal(p.Data, &h); err != nil {
		return &codec.ProtocolError{What: "handshake", Offset: -1, Reason: "open packet: " + err.Error()}
	}
	if h.SID == "" || h.PingInterval <= 0 || h.PingTimeout <= 0 {
		return &codec.ProtocolError{What: "handshake", Offset: -1, Reason: "open packet lacks sid, pingInterval or pingTimeout: " + string(p.Data)}
	}
	c.sid = h.SID
	c.upgrades = h.Upgrades
	c.pingInterval = time.Duration(h.PingInterval) * time.Millisecond
	c.pingTimeout = time.Duration(h.PingTimeout) * time.Millisecond
	if h.MaxPayload > 0 {
		c.maxBatch = int(h.MaxPayload)
	}
	return nil
}

// ID returns the session id the server assigned.
func (c *Client) ID() string { return c.sid }

// Transport returns the name of the transport in use: Polling or WebSocket.
func (c *Client) Transport() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transport
}

// PingInterval returns the server's ping interval from the handshake.
func (c *Client) PingInterval() time.Duration { return c.pingInterval }

// PingTimeout returns the server's ping timeout from the handshake.
func (c *Client) PingTimeout() time.Duration { return c.pingTimeout }

// Done returns a channel that is closed once the connection has ended and
// OnClose has returned.
func (c *Client) Done() <-chan struct{} { return c.done }

// Send queues msgs to be sent, in order, with no other packet between them
// (a socket.io binary packet and its attachments stay together). It never
// waits for the network. Send does not copy the messages' Data: the caller
// must not modify it afterwards. It returns ErrClosed once the connection is
// ending, and ErrQueueFull (then closes the connection with
// ReasonTransportError) when the queue would exceed SendQueueSize.
func (c *Client) Send(msgs ...Message) error {
	c.mu.Lock()
	if c.reason != "" {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.queued+len(msgs) > c.opts.SendQueueSize {
		c.mu.Unlock()
		c.end(ReasonTransportError, ErrQueueFull)
		return ErrQueueFull
	}
	for _, m := range msgs {
		c.queue = append(c.queue, messagePacket(m))
	}
	c.queued += len(msgs)
	c.mu.Unlock()
	c.kick()
	return nil
}

// Close sends the messages still queued and a close packet (over websocket,
// then a close frame), waiting at most a few seconds for them to be written,
// then closes the connection and waits for the client's network goroutines
// to exit. OnClose receives ReasonForcedClose; it runs on the client's
// goroutine and Close does not wait for it (see Done), so Close may be called
// from OnMessage. Close returns ErrClosed if the connection had already ended
// or was being closed.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.reason != "" {
		c.mu.Unlock()
		return ErrClosed
	}
	c.reason = ReasonForcedClose
	c.queue = append(c.queue, codec.Packet{Type: codec.Close})
	c.mu.Unlock()
	c.kick()

	t := time.NewTimer(clientCloseTimeout)
	select {
	case <-c.closeSent:
	case <-c.closing:
	case <-t.C:
		c.log.Debug("engineio client: close packet not written in time", "sid", c.sid)
	}
	t.Stop()

	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	if ws != nil {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	}
	c.end(ReasonForcedClose, nil)
	c.wg.Wait()
	return nil
}

// kick wakes the writer of the current transport.
func (c *Client) kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// enqueueControl queues a packet of the engine itself (ping, pong),
// outside the SendQueueSize limit, unless the connection is ending.
func (c *Client) enqueueControl(p codec.Packet) {
	c.mu.Lock()
	if c.reason != "" {
		c.mu.Unlock()
		return
	}
	c.queue = append(c.queue, p)
	c.mu.Unlock()
	c.kick()
}

// take removes and returns the queued packets, at most about limit
// bytes of them (limit <= 0: all), but at least one. c.mu must be held.
func (c *Client) take(limit int) []codec.Packet {
	n := len(c.queue)
	if limit > 0 {
		size := 0
		for i, p := range c.queue {
			size += len(p.Data)*4/3 + 16
			if size > limit && i > 0 {
				n = i
				break
			}
		}
	}
	batch := c.queue[:n:n]
	c.queue = c.queue[n:]
	if len(c.queue) == 0 {
		c.queue = nil
	}
	for _, p := range batch {
		if p.Type == codec.Message {
			c.queued--
		}
	}
	return batch
}

// written is called by a writer after batch was written.
func (c *Client) written(batch []codec.Packet) {
	for _, p := range batch {
		if p.Type == codec.Close {
			c.closeSentOnce.Do(func() { close(c.closeSent) })
		}
	}
}

// onPacket handles a packet received on the current transport. It
// returns false when the reader should stop: the connection ended.
func (c *Client) onPacket(p codec.Packet) bool {
	select {
	case c.beat <- struct{}{}:
	default:
	}
	switch p.Type {
	case codec.Message:
		select {
		case c.inbox <- Message{Data: p.Data, Binary: p.Binary}:
		case <-c.closing:
			return false
		}
	case codec.Pong:
		select {
		case c.pong <- struct{}{}:
		default:
		}
	case codec.Ping:
		if c.version >= codec.V4 { // v4: the server pings, the client answers
			c.enqueueControl(codec.Packet{Type: codec.Pong, Data: p.Data})
		}
	case codec.Close:
		c.end(ReasonServerClose, nil)
		return false
	case codec.Noop, codec.Upgrade:
	default: // open: only the first packet of a session
		c.log.Debug("engineio client: unexpected packet", "sid", c.sid, "type", p.Type)
	}
	return true
}

// end ends the connection for reason, unless it already ended: the
// first reason wins (Close sets its own before flushing). It cancels the
// requests in flight and closes the websockets, which makes every network
// goroutine return; the dispatcher then calls OnClose.
func (c *Client) end(reason string, err error) {
	c.mu.Lock()
	if c.reason == "" {
		c.reason, c.err = reason, err
	}
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	conns := c.conns
	c.conns = nil
	reason, err = c.reason, c.err
	c.mu.Unlock()
	if err != nil {
		c.log.Debug("engineio client: closed", "sid", c.sid, "reason", reason, "err", err)
	} else {
		c.log.Debug("engineio client: closed", "sid", c.sid, "reason", reason)
	}
	close(c.closing)
	c.cancel()
	for _, ws := range conns {
		ws.Close()
	}
}

// track registers ws to be closed when the connection ends. It
// returns false (and closes ws) if the connection already ended.
func (c *Client) track(ws *websocket.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		ws.Close()
		return false
	}
	c.conns = append(c.conns, ws)
	return true
}

// untrack closes ws and forgets it.
func (c *Client) untrack(ws *websocket.Conn) {
	c.mu.Lock()
	if i := slices.Index(c.conns, ws); i >= 0 {
		c.conns = slices.Delete(c.conns, i, i+1)
	}
	c.mu.Unlock()
	ws.Close()
}

// dispatch runs the callbacks: OnMessage in arrival order, then, once
// the connection ended and every network goroutine returned, the messages
// still pending and OnClose.
func (c *Client) dispatch() {
	defer close(c.done)
	for {
		select {
		case m := <-c.inbox:
			c.deliver(m)
			continue
		case <-c.closing:
		}
		break
	}
	c.wg.Wait()
	for {
		select {
		case m := <-c.inbox:
			c.deliver(m)
			continue
		default:
		}
		break
	}
	if c.ownTransport != nil {
		c.ownTransport.CloseIdleConnections()
	}
	c.mu.Lock()
	reason, err := c.reason, c.err
	c.mu.Unlock()
	if c.opts.OnClose != nil {
		c.callback("OnClose", func() { c.opts.OnClose(reason, err) })
	}
}

// deliver hands m to OnMessage.
func (c *Client) deliver(m Message) {
	if c.opts.OnMessage != nil {
		c.callback("OnMessage", func() { c.opts.OnMessage(m) })
	}
}

// callback runs a user callback, logging a panic instead of crashing.
func (c *Client) callback(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("engineio client: panic in "+name, "sid", c.sid, "panic", r)
		}
	}()
	f()
}

// heartbeat runs the heartbeat. v3: ping every pingInterval after the
// last pong, and end with ReasonPingTimeout when nothing arrives within
// pingTimeout of a ping; any packet pushes the deadline to
// pingInterval+pingTimeout, as the reference client does. v4: the server
// pings; only the deadline runs.
func (c *Client) heartbeat() {
	defer c.wg.Done()
	deadline := time.NewTimer(c.pingInterval + c.pingTimeout)
	defer deadline.Stop()
	ping := time.NewTimer(c.pingInterval)
	defer ping.Stop()
	if c.version >= codec.V4 {
		ping.Stop()
	}
	for {
		select {
		case <-c.closing:
			return
		case <-ping.C:
			c.enqueueControl(codec.Packet{Type: codec.Ping})
			deadline.Reset(c.pingTimeout)
		case <-c.beat:
			deadline.Reset(c.pingInterval + c.pingTimeout)
		case <-c.pong:
			ping.Reset(c.pingInterval)
		case <-deadline.C:
			c.end(ReasonPingTimeout, nil)
			return
		}
	}
}

// clientNetReason classifies a transport failure: the server going away
// (EOF, reset, websocket close) is ReasonTransportClose, anything else
// ReasonTransportError.
func clientNetReason(err error) string {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET):
		return ReasonTransportClose
	}
	return ReasonTransportError
}
