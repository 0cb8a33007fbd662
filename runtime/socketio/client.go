package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// Disconnect reasons a ClientSocket reports to its OnDisconnect handlers, as
// socket.io-client 2.x and 4.x name them. The client also reports
// ReasonTransportClose, ReasonTransportError and ReasonPingTimeout.
const (
	// ReasonIOServerDisconnect: the server sent a DISCONNECT for the
	// namespace (Socket.Disconnect on the server). The socket does not
	// reconnect.
	ReasonIOServerDisconnect = "io server disconnect"
	// ReasonIOClientDisconnect: this side ended the socket, with
	// ClientSocket.Disconnect or Manager.Close. The socket does not
	// reconnect.
	ReasonIOClientDisconnect = "io client disconnect"
)

// Errors of the client.
var (
	// ErrClientClosed is returned by the emits of a socket whose Manager
	// was closed, and by EmitWithAck calls that were waiting at Close.
	ErrClientClosed = errors.New("socketio: client closed")
	// ErrSendBufferFull is returned by Emit and EmitWithAck on a socket that
	// is not connected and already buffers ManagerOptions.SendBufferSize
	// packets.
	ErrSendBufferFull = errors.New("socketio: send buffer full")
)

// ConnectError is the error a ClientSocket's OnConnectError handlers (and
// Dial) receive when the server refuses its namespace with an ERROR packet:
// an unknown namespace ("Invalid namespace") or a middleware error. Failures
// of the connection itself are reported as the engine's errors instead.
type ConnectError struct {
	// Namespace is the namespace refused, without query. An ERROR for "/"
	// refuses the whole connection and reaches every socket of the Manager.
	Namespace string
	// Message is the server's message: the ERROR packet's string, or the
	// JSON text of its data when that is an object.
	Message string
	// Data is the ERROR packet's JSON data as received; for a socket.io
	// 3.x/4.x server (protocol 5), the "data" of its CONNECT_ERROR, nil
	// when it has none.
	Data json.RawMessage
}

func (e *ConnectError) Error() string {
	return "socketio: connect " + e.Namespace + ": " + e.Message
}

// ManagerOptions configure a Manager. The zero value (or a nil pointer)
// selects the defaults of socket.io-client 2.5.0, stated on each field, and
// speaks the protocol of socket.io-client 4.x.
type ManagerOptions struct {
	// Protocol is the Socket.IO revision the Manager speaks: 5, for
	// socket.io 3.x and 4.x servers (over Engine.IO v4: every namespace
	// asked for with a CONNECT carrying Auth, socket ids of their own), or
	// 4, for socket.io 2.x servers (over Engine.IO v3: "/" joined
	// implicitly, the query of a namespace in its CONNECT). A siogen server
	// speaks both. Default 5. Engine.Protocol follows it.
	Protocol int

	// Auth is the CONNECT payload of every socket of the Manager
	// (socket.io-client 4.x's auth option), unless the socket has its own
	// (ClientSocket.SetAuth): a value that encodes to a JSON object, such as
	// map[string]string{"token": "…"}. Nil sends none. Protocol 5 only.
	Auth any

	// Engine configures the Engine.IO connections the Manager opens:
	// transports (default polling, then upgrade to websocket), headers,
	// HTTP client, websocket dialer, base64. Its OnMessage and OnClose are
	// the Manager's own: values set here are ignored. Its Logger defaults
	// to Logger.
	Engine engineio.DialOptions

	// Path is the path of the Engine.IO endpoint on the server (the
	// reference client's "path" option). Default DefaultPath.
	Path string

	// DisableReconnection turns automatic reconnection off (the reference's
	// reconnection: false). Reconnection is on by default.
	DisableReconnection bool
	// ReconnectionAttempts bounds the reconnection attempts after a
	// connection is lost (or fails to open) before the Manager gives up and
	// reports OnReconnectFailed. 0 means unlimited (the reference's
	// Infinity).
	ReconnectionAttempts int
	// ReconnectionDelay is the delay before the first attempt; each further
	// attempt doubles it. Default 1s.
	ReconnectionDelay time.Duration
	// ReconnectionDelayMax caps the delay between attempts. Default 5s.
	ReconnectionDelayMax time.Duration
	// RandomizationFactor is the jitter of the delay: each delay d becomes
	// a random value in [d-f*d, d+f*d], as the reference's backo2 draws it.
	// 0 selects the default 0.5 (as in the reference, where 0 is falsy); a
	// negative value disables the jitter; values above 1 count as 1.
	RandomizationFactor float64

	// Timeout bounds the opening of one Engine.IO connection (the
	// reference's connect timeout). Default 20s; a negative value means no
	// limit but the server's own.
	Timeout time.Duration

	// SendBufferSize bounds the packets one socket buffers while it is not
	// connected (the reference's unbounded sendBuffer); beyond it Emit fails
	// with ErrSendBufferFull. Default 1024.
	SendBufferSize int

	// Logger receives diagnostics, including recovered handler panics.
	// Default slog.Default().
	Logger *slog.Logger
}

// Defaults of ManagerOptions.
const (
	clientDefaultDelay          = time.Second
	clientDefaultDelayMax       = 5 * time.Second
	clientDefaultJitter         = 0.5
	clientDefaultTimeout        = 20 * time.Second
	clientDefaultSendBufferSize = 1024
)

func (o *ManagerOptions) withDefaults() ManagerOptions {
	var c ManagerOptions
	if o != nil {
		c = *o
	}
	if c.Protocol != 4 {
		c.Protocol = 5
	}
	c.Engine.Protocol = c.Protocol - 1
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if c.ReconnectionAttempts < 0 {
		c.ReconnectionAttempts = 0
	}
	if c.ReconnectionDelay <= 0 {
		c.ReconnectionDelay = clientDefaultDelay
	}
	if c.ReconnectionDelayMax <= 0 {
		c.ReconnectionDelayMax = clientDefaultDelayMax
	}
	switch {
	case c.RandomizationFactor == 0:
		c.RandomizationFactor = clientDefaultJitter
	case c.RandomizationFactor < 0:
		c.RandomizationFactor = 0
	case c.RandomizationFactor > 1:
		c.RandomizationFactor = 1
	}
	if c.Timeout == 0 {
		c.Timeout = clientDefaultTimeout
	}
	if c.SendBufferSize <= 0 {
		c.SendBufferSize = clientDefaultSendBufferSize
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Engine.Logger == nil {
		c.Engine.Logger = c.Logger
	}
	c.Engine.OnMessage, c.Engine.OnClose = nil, nil
	return c
}

// clientBackoff returns the delay before reconnection attempt number
// attempt (counted from 0), with the algorithm of backo2, which
// socket.io-client 2.x uses: min * 2^attempt, moved by up to
// jitter*itself in a direction chosen by the same random number r in
// [0,1), capped at max.
func clientBackoff(min, max time.Duration, jitter float64, attempt int, r float64) time.Duration {
	d := float64(min) * math.Pow(2, float64(attempt))
	if jitter > 0 {
		dev := math.Floor(r * jitter * d)
		if int(math.Floor(r*10))&1 == 0 {
			d -= dev
		} else {
			d += dev
		}
	}
	if d > float64(max) || math.IsNaN(d) {
		d = float64(max)
	}
	return time.Duration(d)
}

// Manager is a Socket.IO client connection to one server: one Engine.IO
// connection at a time, multiplexing one ClientSocket per namespace, and
// reopened with backoff when it is lost, as socket.io-client 2.x's Manager.
// Create it with NewManager (or use Dial); all its methods are safe for
// concurrent use.
//
// The Manager opens its connection when the first socket asks for it and
// closes it when the last socket has been disconnected deliberately (by
// either side); Close ends it for good.
type Manager struct {
	opts      ManagerOptions
	engineURL string // http(s)://host/path/?query
	urlErr    error  // a bad URL: every connection attempt fails with it
	nsp       string // namespace named by the URL's path, for Dial
	query     string // the URL's raw query
	log       *slog.Logger
	ctx       context.Context // canceled by Close: aborts a dial in flight
	cancel    context.CancelFunc
	events    clientMailbox // runs the manager's event handlers
	wg        sync.WaitGroup

	mu           sync.Mutex
	closed       bool
	engine       *clientEngine // the open connection, or nil
	opening      bool          // a dial is in flight
	reconnecting bool          // a reconnection timer or attempt is under way
	attempts     int           // reconnection attempts since the last success
	timer        *time.Timer
	timerGen     int
	sockets      map[string]*ClientSocket // by namespace
	order        []*ClientSocket          // in creation order

	onReconnectAttempt []func(attempt int)
	onReconnect        []func(attempt int)
	onReconnectFailed  []func()
	onError            []func(err error)
}

// NewManager returns a Manager for the server at rawURL, such as
// "http://127.0.0.1:3000" or "https://example.com/admin?token=x". It does
// not connect: ask for a socket with Socket.
//
// As with socket.io-client's io(url): the scheme is http, https, ws or wss;
// the URL's path names a namespace (the one Dial connects to; NewManager
// itself ignores it), not the Engine.IO endpoint, whose path is
// opts.Path (default DefaultPath); the URL's query is sent with every
// Engine.IO request, so the server sees it in the handshake of every
// namespace (Dial also puts it in the CONNECT of a namespace other than
// "/", as io(url) does). opts may be nil.
//
// A URL that does not parse is reported by Dial, and by OnConnectError and
// OnError when a socket of the Manager tries to connect.
func NewManager(rawURL string, opts *ManagerOptions) *Manager {
	m := &Manager{opts: opts.withDefaults(), sockets: make(map[string]*ClientSocket)}
	m.log = m.opts.Logger
	m.events.log = m.log
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.engineURL, m.nsp, m.query, m.urlErr = clientParseURL(rawURL, m.opts.Path)
	return m
}

// clientParseURL splits rawURL into the URL of the Engine.IO endpoint
// (below path, with rawURL's query) and the namespace and query rawURL
// names.
func clientParseURL(rawURL, path string) (engineURL, nsp, query string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", "", fmt.Errorf("socketio: bad URL: %w", err)
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss":
	default:
		return "", "", "", fmt.Errorf("socketio: bad URL %q: scheme must be http, https, ws or wss", rawURL)
	}
	if u.Host == "" {
		return "", "", "", fmt.Errorf("socketio: bad URL %q: no host", rawURL)
	}
	nsp = u.Path
	if nsp == "" {
		nsp = "/"
	}
	query = u.RawQuery
	e := url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host, Path: path, RawQuery: u.RawQuery}
	return e.String(), nsp, query, nil
}

// version returns the Socket.IO revision the Manager speaks.
func (m *Manager) version() codec.Version {
	if m.opts.Protocol == 4 {
		return codec.V4
	}
	return codec.V5
}

// clientSplitNamespace splits "/admin?token=x" into its name and query.
func clientSplitNamespace(nsp string) (name, query string) {
	name, query, _ = strings.Cut(nsp, "?")
	if name == "" || name[0] != '/' {
		name = "/" + name
	}
	return name, query
}

// Socket returns the socket of namespace nsp ("/", "/admin"), creating it
// on first use, without connecting it: set its handlers, then call
// ClientSocket.Connect. Every socket of a Manager shares its one
// connection. A query in nsp ("/admin?token=secret") is sent in the
// namespace's CONNECT packet, where the server merges it over the
// handshake query; it is taken from the first call for a namespace only.
// Calling Socket again for a namespace returns the same socket.
func (m *Manager) Socket(nsp string) *ClientSocket {
	name, query := clientSplitNamespace(nsp)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.socketLocked(name, query)
}

// socketLocked returns the socket of name, creating it.
func (m *Manager) socketLocked(name, query string) *ClientSocket {
	s := m.sockets[name]
	if s == nil {
		s = &ClientSocket{m: m, nsp: name, query: query, acks: make(map[uint64]*clientAck)}
		s.box.log = m.log
		m.sockets[name] = s
		m.order = append(m.order, s)
	}
	return s
}

// OnReconnectAttempt adds a handler called before each reconnection
// attempt, with its number (1 for the first), as the reference's
// reconnect_attempt event.
func (m *Manager) OnReconnectAttempt(fn func(attempt int)) {
	m.mu.Lock()
	m.onReconnectAttempt = append(m.onReconnectAttempt, fn)
	m.mu.Unlock()
}

// OnReconnect adds a handler called when a reconnection attempt opened a
// new connection, with the number of that attempt, as the reference's
// reconnect event. The sockets then rejoin their namespaces: each reports
// OnConnect once the server accepts it again.
func (m *Manager) OnReconnect(fn func(attempt int)) {
	m.mu.Lock()
	m.onReconnect = append(m.onReconnect, fn)
	m.mu.Unlock()
}

// OnReconnectFailed adds a handler called when the Manager gives up
// reconnecting after ReconnectionAttempts attempts, as the reference's
// reconnect_failed event. A later ClientSocket.Connect call
// starts over.
func (m *Manager) OnReconnectFailed(fn func()) {
	m.mu.Lock()
	m.onReconnectFailed = append(m.onReconnectFailed, fn)
	m.mu.Unlock()
}

// OnError adds a handler called with the errors of the connection itself:
// a connection (or reconnection) attempt that failed, a connection lost
// with an error, a packet from the server that does not decode.
func (m *Manager) OnError(fn func(err error)) {
	m.mu.Lock()
	m.onError = append(m.onError, fn)
	m.mu.Unlock()
}

// Close ends the Manager for good: it stops reconnecting, closes the
// connection (the sockets that were connected report
// ReasonIOClientDisconnect), fails the EmitWithAck calls still waiting with
// ErrClientClosed, and waits for the connection's goroutines to end.
// Handlers already queued still run, on their own goroutines, after Close
// returns. Close may be called from a handler. Closing twice is harmless.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.stopTimerLocked()
	ec := m.engine
	if ec != nil {
		ec.closeReason, ec.noReconnect = ReasonIOClientDisconnect, true
	}
	for _, s := range m.order {
		s.active = false
		s.sendBuffer = nil
		s.failAcksLocked(nil, ErrClientClosed)
		s.signalLocked(ErrClientClosed)
	}
	m.cancel()
	m.mu.Unlock()
	m.wg.Wait()
	if ec != nil {
		ec.c.Close()
		<-ec.c.Done()
	}
	return nil
}

// stopTimerLocked cancels a pending reconnection.
func (m *Manager) stopTimerLocked() {
	m.timerGen++
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	m.reconnecting = false
	m.attempts = 0
}

// anyActiveLocked reports whether a socket wants to be connected.
func (m *Manager) anyActiveLocked() bool {
	for _, s := range m.order {
		if s.active {
			return true
		}
	}
	return false
}

// wantOpenLocked opens the connection unless it is open, opening,
// or waiting to reconnect.
func (m *Manager) wantOpenLocked() {
	if m.closed || m.engine != nil || m.opening || m.reconnecting {
		return
	}
	m.startDialLocked(false)
}

func (m *Manager) startDialLocked(reconnect bool) {
	m.opening = true
	m.wg.Add(1)
	go m.dial(reconnect)
}

// dial opens one Engine.IO connection and, once it is open, joins
// every active socket's namespace over it.
func (m *Manager) dial(reconnect bool) {
	defer m.wg.Done()
	ec := &clientEngine{m: m, ready: make(chan struct{}), dec: codec.Decoder{Version: m.version()}}
	var c *engineio.Client
	err := m.urlErr
	if err == nil {
		opts := m.opts.Engine
		opts.OnMessage = ec.onMessage
		opts.OnClose = ec.onClose
		ctx, cancel := m.ctx, context.CancelFunc(func() {})
		if m.opts.Timeout > 0 {
			ctx, cancel = context.WithTimeout(ctx, m.opts.Timeout)
		}
		c, err = engineio.Dial(ctx, m.engineURL, &opts)
		cancel()
	}

	m.mu.Lock()
	m.opening = false
	if err != nil {
		if m.closed {
			m.mu.Unlock()
			return
		}
		m.log.Debug("socketio client: connection failed", "url", m.engineURL, "err", err)
		for _, s := range m.order {
			if s.active && !s.connected {
				s.connectErrorLocked(err)
			}
		}
		m.postError(err)
		m.reconnecting = false
		if m.urlErr == nil && m.anyActiveLocked() {
			m.reconnectLocked()
		}
		m.mu.Unlock()
		return
	}
	ec.c = c
	if m.closed || !m.anyActiveLocked() {
		// Closed, or every socket left, while dialing.
		ec.closeReason, ec.noReconnect = ReasonIOClientDisconnect, true
		m.mu.Unlock()
		close(ec.ready)
		c.Close()
		<-c.Done()
		return
	}
	m.engine = ec
	m.log.Debug("socketio client: open", "sid", c.ID(), "transport", c.Transport())
	if reconnect {
		attempt := m.attempts
		m.reconnecting, m.attempts = false, 0
		m.postEvent(func() {
			for _, fn := range clientHandlers(m, &m.onReconnect) {
				fn(attempt)
			}
		})
	}
	for _, s := range m.order {
		if s.active && !s.connected {
			s.joinLocked(ec)
		}
	}
	m.mu.Unlock()
	close(ec.ready)
}

// reconnectLocked schedules the next reconnection attempt, or gives
// up after ReconnectionAttempts, as the reference's Manager.reconnect.
func (m *Manager) reconnectLocked() {
	if m.closed || m.opts.DisableReconnection {
		m.reconnecting = false
		return
	}
	if max := m.opts.ReconnectionAttempts; max > 0 && m.attempts >= max {
		m.log.Debug("socketio client: reconnection failed", "attempts", m.attempts)
		m.reconnecting, m.attempts = false, 0
		m.postEvent(func() {
			for _, fn := range clientHandlers(m, &m.onReconnectFailed) {
				fn()
			}
		})
		return
	}
	delay := clientBackoff(m.opts.ReconnectionDelay, m.opts.ReconnectionDelayMax, m.opts.RandomizationFactor, m.attempts, rand.Float64())
	m.attempts++
	m.reconnecting = true
	m.timerGen++
	gen := m.timerGen
	m.log.Debug("socketio client: reconnecting", "attempt", m.attempts, "delay", delay)
	m.timer = time.AfterFunc(delay, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.closed || gen != m.timerGen {
			return
		}
		m.timer = nil
		if !m.anyActiveLocked() {
			m.reconnecting, m.attempts = false, 0
			return
		}
		attempt := m.attempts
		m.postEvent(func() {
			for _, fn := range clientHandlers(m, &m.onReconnectAttempt) {
				fn(attempt)
			}
		})
		m.startDialLocked(true)
	})
}

// maybeIdleLocked closes the connection, without reconnecting, once
// no socket wants it any more, as the reference's Manager.destroy.
func (m *Manager) maybeIdleLocked() {
	if m.anyActiveLocked() {
		return
	}
	m.stopTimerLocked()
	if ec := m.engine; ec != nil && !m.closed && !ec.noReconnect {
		ec.closeReason, ec.noReconnect = ReasonIOClientDisconnect, true
		m.closeEngineLocked(ec)
	}
}

// closeEngineLocked closes ec on a goroutine of its own, since
// engineio.Client.Close waits for the last writes. Close waits for it.
func (m *Manager) closeEngineLocked(ec *clientEngine) {
	if m.closed {
		return // Close closes the connection itself
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		ec.c.Close()
		<-ec.c.Done()
	}()
}

// postEvent runs job on the manager's event goroutine.
func (m *Manager) postEvent(job func()) { m.events.post(job) }

// postError hands err to the OnError handlers.
func (m *Manager) postError(err error) {
	m.postEvent(func() {
		for _, fn := range clientHandlers(m, &m.onError) {
			fn(err)
		}
	})
}

// clientHandlers returns the handlers in *list, read under m.mu.
func clientHandlers[F any](m *Manager, list *[]F) []F {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *list
}

// clientReason maps the reason an Engine.IO connection ended to the
// disconnect reason of socket.io-client 2.x.
func clientReason(engineReason string) string {
	switch engineReason {
	case engineio.ReasonPingTimeout:
		return ReasonPingTimeout
	case engineio.ReasonTransportClose, engineio.ReasonServerClose:
		return ReasonTransportClose
	case engineio.ReasonForcedClose:
		return ReasonIOClientDisconnect
	}
	return ReasonTransportError // transport error, parse error
}

// clientEngine is one Engine.IO connection of a Manager and the Socket.IO
// state that lives as long as it does.
type clientEngine struct {
	m     *Manager
	c     *engineio.Client // set before ready is closed
	ready chan struct{}    // closed once c is set and the sockets joined
	dec   codec.Decoder    // used by onMessage only, which the engine serialises

	// Guarded by m.mu.
	rootReady   bool   // the server connected "/" once: other namespaces may join
	rootIn      bool   // the server has this client in "/" now
	rootRefused bool   // the server refused "/"
	rootErr     error  // how, when rootRefused
	closeReason string // set when this side ends the connection: reported instead of the engine's
	noReconnect bool   // the end is deliberate: no reconnection
}

// onMessage decodes a message from the server and routes the packet.
// Acks are resolved here, so that a handler may wait for one.
func (ec *clientEngine) onMessage(msg engineio.Message) {
	<-ec.ready
	m := ec.m
	p, err := ec.dec.Add(msg.Data, msg.Binary)
	if err != nil {
		m.log.Info("socketio client: bad packet, closing connection", "sid", ec.c.ID(), "err", err)
		m.mu.Lock()
		if m.engine == ec && ec.closeReason == "" {
			ec.closeReason = ReasonTransportError
			m.postError(err)
			m.closeEngineLocked(ec)
		}
		m.mu.Unlock()
		return
	}
	if p == nil {
		return // a binary packet waiting for its attachments
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.engine != ec || ec.closeReason != "" {
		return
	}
	name, _ := clientSplitNamespace(p.Namespace)
	s := m.sockets[name]
	switch p.Type {
	case codec.Connect:
		ec.onConnectLocked(name, s, p.Data)
	case codec.Error:
		ec.onErrorLocked(name, p.Data)
	case codec.Disconnect:
		if name == "/" {
			ec.rootIn = false
		}
		if s != nil && s.ec == ec && s.connected {
			s.active = false
			s.lostLocked(ReasonIOServerDisconnect)
			m.maybeIdleLocked()
		}
	case codec.Event, codec.BinaryEvent:
		switch {
		case s != nil && s.ec == ec && s.connected:
			s.onEventLocked(ec, p)
		case s != nil && s.ec == ec && s.sent && m.version() == codec.V5 && len(s.early) < m.opts.SendBufferSize:
			// A server recovering the socket's session sends what it
			// missed before its CONNECT answer: held until then, as
			// socket.io-client 4.x does.
			s.early = append(s.early, p)
		}
	case codec.Ack, codec.BinaryAck:
		if s != nil && p.HasID {
			s.onAckLocked(p)
		}
	}
}

// onConnectLocked handles the server's CONNECT for namespace name,
// with its payload data (v5: {"sid": <socket id>}).
func (ec *clientEngine) onConnectLocked(name string, s *ClientSocket, data []byte) {
	if ec.m.version() == codec.V5 {
		var answer struct {
			SID string `json:"sid"`
			PID string `json:"pid"` // the server keeps sessions for recovery
		}
		json.Unmarshal(data, &answer)
		switch {
		case s != nil && s.active && !s.connected && s.ec == ec:
			// Recovered when the server kept the session this socket
			// asked for with its pid, as socket.io-client 4.x decides.
			s.recovered = answer.PID != "" && answer.PID == s.pid
			s.pid = answer.PID
			if s.pid == "" {
				s.lastOffset = ""
			}
			s.connectedLocked(answer.SID)
		case s != nil && !s.active:
			// Left while the server was admitting it: leave again.
			ec.c.Send(encode(&codec.Packet{Type: codec.Disconnect, Namespace: name}, codec.V5)...)
		}
		return
	}
	if name == "/" {
		ec.rootReady, ec.rootIn, ec.rootRefused, ec.rootErr = true, true, false, nil
	}
	leave := false
	switch {
	case s != nil && s.active && !s.connected && s.ec == ec:
		s.connectedLocked("")
	case s != nil && !s.active:
		leave = true // left while the server was admitting it: leave again
	}
	if name == "/" {
		// Namespaces wait for "/" (socket.io 2.x's server buffers their
		// CONNECTs until then; others may not).
		for _, o := range ec.m.order {
			if o.nsp != "/" && o.active && !o.connected && o.ec == ec && !o.sent {
				o.sendConnectLocked()
			}
		}
	}
	if leave {
		// After the CONNECTs above: the reference stops admitting other
		// namespaces of a client that has left "/".
		ec.c.Send(encode(&codec.Packet{Type: codec.Disconnect, Namespace: name}, codec.V4)...)
		if name == "/" {
			ec.rootIn = false
		}
	}
}

// onErrorLocked handles an ERROR packet: the server refused
// namespace name; in v4, for "/" that refuses every socket of the
// connection. A v5 CONNECT_ERROR is {"message": …, "data": …}.
func (ec *clientEngine) onErrorLocked(name string, data []byte) {
	cerr := &ConnectError{Namespace: name, Data: json.RawMessage(append([]byte(nil), data...))}
	v5 := ec.m.version() == codec.V5
	var v any
	if json.Unmarshal(data, &v) == nil {
		switch v := v.(type) {
		case string:
			cerr.Message = v
		case map[string]any:
			if msg, ok := v["message"].(string); ok && v5 {
				cerr.Message = msg
				if d, ok := v["data"]; ok {
					cerr.Data, _ = json.Marshal(d)
				} else {
					cerr.Data = nil
				}
			}
		}
	}
	if cerr.Message == "" {
		cerr.Message = string(data)
	}
	if name == "/" && !v5 {
		ec.rootRefused, ec.rootErr = true, cerr
	}
	for _, s := range ec.m.order {
		if (name == "/" && !v5 || s.nsp == name) && s.active && !s.connected && s.ec == ec {
			s.ec, s.sent = nil, false
			s.connectErrorLocked(cerr)
		}
	}
}

// onClose runs when the Engine.IO connection has ended: the sockets
// connected over it disconnect, and the Manager reconnects unless the end
// was deliberate.
func (ec *clientEngine) onClose(reason string, err error) {
	<-ec.ready
	m := ec.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.engine != ec {
		return
	}
	m.engine = nil
	r := clientReason(reason)
	if ec.closeReason != "" {
		r = ec.closeReason
	}
	m.log.Debug("socketio client: connection closed", "sid", ec.c.ID(), "reason", r, "err", err)
	for _, s := range m.order {
		if s.ec == ec {
			if !s.connected {
				s.signalLocked(fmt.Errorf("socketio: connection lost before the namespace was joined: %s", r))
			}
			s.lostLocked(r)
		}
	}
	if err != nil && !ec.noReconnect && ec.closeReason == "" {
		m.postError(err)
	}
	if !ec.noReconnect && !m.closed && m.anyActiveLocked() {
		m.attempts = 0
		m.reconnectLocked()
	}
}

// Dial connects to the namespace named by rawURL's path ("/" when it has
// none) on the server it names, and waits until the server accepted it,
// refused it, or ctx is done. It is NewManager(rawURL, opts) followed by
// Socket and Connect, with rawURL's query sent in the handshake and, for a namespace
// other than "/", in its CONNECT too, as socket.io-client's io(url) does:
//
//	s, err := socketio.Dial(ctx, "http://127.0.0.1:3000/admin?token=secret", nil)
//
// A refusal by the server is a *ConnectError carrying its message. Dial
// fails on the first error of the connection too (the server is down, the
// handshake is refused); to keep retrying in the background instead, use
// NewManager, Socket and Connect. On failure the Manager is closed. The socket
// reconnects by itself later, as configured; end it with Disconnect, or
// with s.Manager().Close(), which also ends the other sockets the
// Manager gave out.
func Dial(ctx context.Context, rawURL string, opts *ManagerOptions) (*ClientSocket, error) {
	m := NewManager(rawURL, opts)
	m.mu.Lock()
	s := m.socketLocked(m.nsp, m.query)
	m.mu.Unlock()
	if err := s.Connect(ctx); err != nil {
		m.Close()
		return nil, err
	}
	return s, nil
}

// DialNamespace connects to namespace nsp on the server rawURL names, as
// Dial does, for a client that knows its namespace, such as a generated
// DialX. rawURL names the server ("http://127.0.0.1:3000", with "/" or no
// path) or nsp itself ("http://127.0.0.1:3000/admin" for "/admin"); a
// path naming another namespace is an error rather than a connection to
// nsp the caller did not ask for. Its query is sent as with Dial.
func DialNamespace(ctx context.Context, rawURL, nsp string, opts *ManagerOptions) (*ClientSocket, error) {
	m := NewManager(rawURL, opts)
	if m.urlErr == nil && m.nsp != "/" && m.nsp != nsp {
		m.Close()
		return nil, fmt.Errorf("socketio: URL %q names namespace %q, not %q; give the server's URL, or one naming %q", rawURL, m.nsp, nsp, nsp)
	}
	m.mu.Lock()
	s := m.socketLocked(nsp, m.query)
	m.mu.Unlock()
	if err := s.Connect(ctx); err != nil {
		m.Close()
		return nil, err
	}
	return s, nil
}

// clientMailbox runs jobs one at a time, in order, on a goroutine that is
// started when there is work and ends when there is none, recovering and
// logging panics, as the server Socket's post/run.
type clientMailbox struct {
	log     *slog.Logger
	mu      sync.Mutex
	jobs    []func()
	running bool
}

func (b *clientMailbox) post(job func()) {
	b.mu.Lock()
	b.jobs = append(b.jobs, job)
	if !b.running {
		b.running = true
		go b.run()
	}
	b.mu.Unlock()
}

func (b *clientMailbox) run() {
	for {
		b.mu.Lock()
		if len(b.jobs) == 0 {
			b.running = false
			b.jobs = nil
			b.mu.Unlock()
			return
		}
		job := b.jobs[0]
		b.jobs[0] = nil
		b.jobs = b.jobs[1:]
		b.mu.Unlock()
		b.safely(job)
	}
}

func (b *clientMailbox) safely(job func()) {
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("socketio client: panic in handler", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	job()
}
