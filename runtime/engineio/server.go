package engineio

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// Handler receives the life of every session of a Server. Its methods are
// called from the goroutines serving the session's transports; for one Conn
// they are never called concurrently, and OnOpen comes before any OnMessage.
//
// OnOpen may already Send: what it queues reaches the client with (polling)
// or right after (websocket) the handshake, as socket.io 2.x's initial "40".
type Handler interface {
	OnOpen(c *Conn)
	// OnMessage is called for every message, in arrival order. m.Data is
	// owned by the handler from then on.
	OnMessage(c *Conn, m Message)
	// OnClose is called once, when the session has ended, with one of the
	// Reason* values.
	OnClose(c *Conn, reason string)
}

// RequestError is the error an AllowRequest hook returns to refuse a
// handshake with a chosen HTTP status and message.
type RequestError struct {
	Status  int    // HTTP status; 0 means 403
	Message string // the "message" of the JSON error body
}

func (e *RequestError) Error() string { return e.Message }

// The Engine.IO HTTP error codes; each maps to the exact status and body
// of engine.io 3.6.2, and code 5 to engine.io 6.x's.
const (
	errUnknownTransport   = 0
	errUnknownSession     = 1
	errBadHandshake       = 2
	errBadRequest         = 3
	errForbidden          = 4
	errUnsupportedVersion = 5
)

var errorMessages = [...]string{
	errUnknownTransport:   "Transport unknown",
	errUnknownSession:     "Session ID unknown",
	errBadHandshake:       "Bad handshake method",
	errBadRequest:         "Bad request",
	errForbidden:          "Forbidden",
	errUnsupportedVersion: "Unsupported protocol version",
}

// Server is an Engine.IO server: an http.Handler that owns sessions and
// their transports (long-polling, JSONP, websocket) and hands messages to a
// Handler. Mount it on any mux at Options.Path. Its methods are safe for
// concurrent use.
type Server struct {
	opts     Options
	handler  Handler
	log      *slog.Logger
	upgrader websocket.Upgrader
	writers  writeScheduler // the websocket writers of the default write policy
	// writeHook, set by tests and benchmarks before the server serves, is
	// called after every write of the default policy with the number of
	// packets it carried (-1: the rest of a write the peer did not take at
	// once).
	writeHook func(c *Conn, packets int)

	mu       sync.RWMutex
	sessions map[string]*Conn
	closing  bool
	closed   chan struct{} // closed when the last session ends after Shutdown began
}

// NewServer returns a server that delivers sessions to h. opts may be nil.
func NewServer(h Handler, opts *Options) *Server {
	s := &Server{
		opts:     opts.withDefaults(),
		handler:  h,
		sessions: make(map[string]*Conn),
	}
	s.log = s.opts.Logger
	s.upgrader = websocket.Upgrader{
		// Small buffers and a shared write pool keep idle connections
		// cheap. No ReadBufferSize: the reader is upgradeWebSocket's.
		WriteBufferSize: 1024,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(r *http.Request) bool { return true }, // checked by verify
		Error:           refuseHandshake,
	}
	return s
}

// Path returns the URL path the server answers under (Options.Path, with
// its defaults applied): the pattern to mount it at.
func (s *Server) Path() string { return s.opts.Path }

// Len returns the number of open sessions.
func (s *Server) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.sessions)
}

// Conn returns the open session with the given id, or nil.
func (s *Server) Conn(id string) *Conn {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sessions[id]
}

// Shutdown stops accepting handshakes, closes every session in order (what
// is queued is still delivered), and waits until they have ended or ctx is
// done, in which case the remaining sessions are dropped at once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	conns := make([]*Conn, 0, len(s.sessions))
	for _, c := range s.sessions {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	for {
		if s.Len() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			s.mu.RLock()
			conns = conns[:0]
			for _, c := range s.sessions {
				conns = append(conns, c)
			}
			s.mu.RUnlock()
			for _, c := range conns {
				c.finish(ReasonForcedClose)
			}
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *Server) remove(c *Conn) {
	s.mu.Lock()
	if s.sessions[c.id] == c {
		delete(s.sessions, c.id)
	}
	s.mu.Unlock()
}

// ServeHTTP serves the Engine.IO endpoint: handshakes, polling requests and
// websocket upgrades below Options.Path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, s.opts.Path) {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	transport := q.Get("transport")
	isWS := websocket.IsWebSocketUpgrade(r)
	if !slices.Contains(s.opts.Transports, transport) {
		s.refuse(w, r, isWS, errUnknownTransport)
		return
	}
	sid := q.Get("sid")
	if sid == "" {
		s.handshake(w, r, q, transport, isWS)
		return
	}
	c := s.Conn(sid)
	if c == nil {
		s.refuse(w, r, isWS, errUnknownSession)
		return
	}
	if (q.Get("EIO") == "4") != (c.version == codec.V4) {
		// engine.io 6.x's protocol mismatch: a request of a session must
		// speak the session's revision (there "EIO=4" is v4, anything else
		// v3).
		s.refuse(w, r, isWS, errBadRequest)
		return
	}
	if transport == WebSocket {
		if !isWS {
			s.refuse(w, r, false, errBadRequest)
			return
		}
		c.serveUpgrade(w, r)
		return
	}
	if isWS {
		s.acceptAndClose(w, r)
		return
	}
	c.servePolling(w, r)
}

// acceptAndClose completes a websocket handshake for a transport that does
// not take websockets (transport=polling with upgrade headers) and closes it
// at once, as engine.io 3.6.2 does; no session is created or touched.
func (s *Server) acceptAndClose(w http.ResponseWriter, r *http.Request) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // refuseHandshake has answered
	}
	ws.WriteControl(websocket.CloseMessage, nil, time.Now().Add(time.Second))
	ws.Close()
}

// handshake creates a session for a request without sid.
func (s *Server) handshake(w http.ResponseWriter, r *http.Request, q url.Values, transport string, isWS bool) {
	if r.Method != http.MethodGet {
		s.refuse(w, r, isWS, errBadHandshake)
		return
	}
	if transport == WebSocket && !isWS {
		s.refuse(w, r, false, errBadRequest)
		return
	}
	if !s.originAllowed(r) {
		s.refuse(w, r, isWS, errForbidden)
		return
	}
	if s.opts.AllowRequest != nil {
		if err := s.opts.AllowRequest(r); err != nil {
			s.refuseRequest(w, r, isWS, err)
			return
		}
	}
	s.mu.RLock()
	closing := s.closing
	s.mu.RUnlock()
	if closing {
		s.refuseRequest(w, r, isWS, &RequestError{Status: http.StatusServiceUnavailable, Message: "Server shutting down"})
		return
	}
	version, ok := protocolOf(q)
	if !ok || !slices.Contains(s.opts.Protocols, int(version)) {
		s.refuse(w, r, isWS, errUnsupportedVersion)
		return
	}
	if isWS && transport != WebSocket {
		s.acceptAndClose(w, r)
		return
	}

	c := newConn(s, newSessionID(), r, version, q.Get("b64") != "")
	var ws *websocket.Conn
	var br *bufio.Reader
	if transport == WebSocket {
		var err error
		if ws, br, err = s.upgradeWebSocket(w, r, s.cookieHeader(c.id)); err != nil {
			return // refuseHandshake has answered
		}
	}
	s.mu.Lock()
	s.sessions[c.id] = c
	s.mu.Unlock()

	// The open packet goes first; what OnOpen sends follows it.
	upgrades := []string{}
	if transport == Polling && !s.opts.DisableUpgrades && slices.Contains(s.opts.Transports, WebSocket) {
		upgrades = []string{WebSocket}
	}
	open := openPacket{
		SID:          c.id,
		Upgrades:     upgrades,
		PingInterval: s.opts.PingInterval.Milliseconds(),
		PingTimeout:  s.opts.PingTimeout.Milliseconds(),
	}
	if version == codec.V4 {
		open.MaxPayload = s.opts.MaxBufferSize
	}
	data, _ := json.Marshal(open)
	c.queue = append(c.queue, codec.Packet{Type: codec.Open, Data: data})
	c.startHeartbeat()
	s.log.Debug("engineio: session opened", "sid", c.id, "transport", transport)
	if o := s.opts.Observer; o != nil {
		o.SessionOpened(transport, int(version))
	}
	s.handler.OnOpen(c)

	if ws != nil {
		c.serveWebSocket(ws, br, q.Get("b64") != "")
		return
	}
	c.servePolling(w, r)
}

// openPacket is the data of the open packet, in the reference's key order.
// Engine.IO v4 adds maxPayload (engine.io 6.2 and later), the largest POST
// body the server takes, which the client sizes its batches by.
type openPacket struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload,omitempty"`
}

// protocolOf returns the Engine.IO revision a handshake asks for in its EIO
// query parameter: none or "3" is v3 (socket.io 2.x clients send "3";
// engine.io 3.x never read it), "4" is v4. ok is false for anything else.
func protocolOf(q url.Values) (v codec.Version, ok bool) {
	switch q.Get("EIO") {
	case "", "3":
		return codec.V3, true
	case "4":
		return codec.V4, true
	}
	return 0, false
}

// newSessionID returns 20 URL-safe characters from 15 random bytes, the form
// of the reference's ids: they travel in query strings and cookies.
func newSessionID() string {
	var b [15]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// refuse answers a request with one of the Engine.IO error codes: the JSON
// body with CORS headers for polling, the error message as plain text for
// websocket requests, as engine.io 3.6.2 does.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, isWS bool, code int) {
	status := http.StatusBadRequest
	if code == errForbidden {
		status = http.StatusForbidden
	}
	s.writeError(w, r, isWS, status, code, errorMessages[code])
}

func (s *Server) refuseRequest(w http.ResponseWriter, r *http.Request, isWS bool, err error) {
	status, msg := http.StatusForbidden, err.Error()
	var re *RequestError
	if errors.As(err, &re) && re.Status != 0 {
		status = re.Status
	}
	s.writeError(w, r, isWS, status, errForbidden, msg)
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, isWS bool, status, code int, msg string) {
	h := w.Header()
	if isWS {
		// engine.io's abortConnection: the message itself is the body.
		// Its status is always 400; a refused origin, AllowRequest or
		// Shutdown keeps its own status here, as on polling.
		writeRawRefusal(w, status, msg)
		return
	}
	if status != http.StatusForbidden {
		setCORS(h, r)
	}
	body, _ := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, msg})
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// refuseHandshake answers a websocket handshake that the upgrader rejects
// (no or bad Sec-WebSocket-Key, unsupported version, not a GET) as ws 7.x
// does under engine.io 3.6.2: 400 with the status text.
func refuseHandshake(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status != http.StatusInternalServerError { // hijacking failed: not the peer's fault
		status = http.StatusBadRequest
	}
	writeRawRefusal(w, status, http.StatusText(status))
}

// writeRawRefusal writes a refusal of a websocket upgrade: plain text that
// ends the connection.
func writeRawRefusal(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Connection", "close")
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	w.WriteHeader(status)
	w.Write([]byte(msg))
}

// setCORS reflects the request's Origin with credentials, or allows every
// origin when there is none, as engine.io 3.x does.
func setCORS(h http.Header, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
}

func (s *Server) cookieHeader(sid string) http.Header {
	if s.opts.DisableCookie {
		return nil
	}
	return http.Header{"Set-Cookie": {s.opts.CookieName + "=" + sid + "; Path=/; HttpOnly; SameSite=Strict"}}
}

// originAllowed applies Options.AllowedOrigins to the Origin (or Referer)
// header, with socket.io 2.x's patterns.
func (s *Server) originAllowed(r *http.Request) bool {
	if s.opts.AllowedOrigins == nil {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = r.Header.Get("Referer")
	}
	if origin == "" {
		return slices.Contains(s.opts.AllowedOrigins, "*")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	host := u.Hostname()
	for _, o := range s.opts.AllowedOrigins {
		switch o {
		case "*", "*:*", u.Scheme + "://" + host + ":" + port, host + ":" + port, host + ":*", "*:" + port:
			return true
		}
		if o == u.Scheme+"://"+u.Host || o == u.Host {
			return true
		}
	}
	return false
}
