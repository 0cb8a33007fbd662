package socketio

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/siogen/siogen/runtime/engineio"
)

// DefaultPath is the URL path a Server answers under and a Manager dials
// unless told otherwise: "/socket.io/", as for socket.io's own.
const DefaultPath = engineio.DefaultPath

// Disconnect reasons, as socket.io 2.x's server names them.
const (
	ReasonServerNamespaceDisconnect = "server namespace disconnect" // Socket.Disconnect(false)
	ReasonClientNamespaceDisconnect = "client namespace disconnect" // the client left the namespace
	ReasonServerShutdown            = "server shutting down"        // Server.Shutdown
	ReasonForcedServerClose         = "forced server close"         // Socket.Disconnect(true) closed the connection
	ReasonTransportClose            = engineio.ReasonTransportClose
	ReasonTransportError            = engineio.ReasonTransportError
	ReasonPingTimeout               = engineio.ReasonPingTimeout
	ReasonParseError                = engineio.ReasonParseError
)

// Errors returned by emits.
var (
	// ErrDisconnected is returned when emitting on a socket that has left.
	ErrDisconnected = errors.New("socketio: socket disconnected")
	// ErrTooManyAcks is returned by EmitWithAck when the socket already
	// waits for Options.MaxPendingAcks acks.
	ErrTooManyAcks = errors.New("socketio: too many pending acks")
)

// Server is a Socket.IO server: an http.Handler serving the Engine.IO
// endpoint, and the registry of namespaces. Create it with NewServer.
type Server struct {
	opts       Options
	eio        *engineio.Server
	clientPath string
	log        *slog.Logger

	mu      sync.RWMutex
	nsps    map[string]*Namespace
	conns   map[*engineio.Conn]*conn
	closing bool // Shutdown began: new connections are closed at once
}

// NewServer returns a server with the default namespace "/". opts may be nil.
func NewServer(opts *Options) *Server {
	s := &Server{
		opts:  opts.withDefaults(),
		nsps:  make(map[string]*Namespace),
		conns: make(map[*engineio.Conn]*conn),
	}
	s.log = s.opts.Logger
	s.eio = engineio.NewServer(engineHandler{s}, &s.opts.Engine)
	s.clientPath = s.eio.Path() + "socket.io.js"
	s.Of("/")
	return s
}

// ServeHTTP serves the Engine.IO endpoint below Options.Engine.Path, and
// the browser client at <path>socket.io.js unless DisableServeClient.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.opts.DisableServeClient && r.Method == http.MethodGet && r.URL.Path == s.clientPath {
		serveBrowserClient(w, r)
		return
	}
	s.eio.ServeHTTP(w, r)
}

// Path returns the URL path the server answers under (Options.Engine.Path,
// DefaultPath unless set): the pattern to mount the server, or a typed
// server generated for one of its namespaces, at.
func (s *Server) Path() string { return s.eio.Path() }

// Engine returns the Engine.IO server underneath.
func (s *Server) Engine() *engineio.Server { return s.eio }

// Of returns the namespace with the given name ("/chat"), creating it on
// first use. Clients may connect only to namespaces created this way; others
// get the "Invalid namespace" error.
func (s *Server) Of(name string) *Namespace {
	if name == "" || name[0] != '/' {
		name = "/" + name
	}
	s.mu.RLock()
	nsp := s.nsps[name]
	s.mu.RUnlock()
	if nsp != nil {
		return nsp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if nsp = s.nsps[name]; nsp == nil {
		nsp = newNamespace(s, name)
		s.nsps[name] = nsp
	}
	return nsp
}

func (s *Server) namespace(name string) *Namespace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nsps[name]
}

// Shutdown stops accepting clients (a handshake then gets 503 {"code":4,
// "message":"Server shutting down"}), disconnects every client (each
// receives a DISCONNECT for each of its namespaces, so that it does not
// reconnect, after what was already queued for it), and waits for the
// connections to drain or ctx to end, when the rest are dropped and ctx's
// error is returned. Disconnect handlers run with ReasonServerShutdown.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.disconnectAll(ReasonServerShutdown)
	}
	return s.eio.Shutdown(ctx)
}

// engineHandler receives the engine's sessions; it is a separate type so
// that Server does not export the engineio.Handler methods.
type engineHandler struct{ s *Server }

func (h engineHandler) OnOpen(ec *engineio.Conn) {
	c := newConn(h.s, ec)
	h.s.mu.Lock()
	if h.s.closing {
		// A handshake that raced with Shutdown, before the engine
		// stopped accepting.
		h.s.mu.Unlock()
		ec.Close()
		return
	}
	h.s.conns[ec] = c
	h.s.mu.Unlock()
	c.open()
}

func (h engineHandler) OnMessage(ec *engineio.Conn, m engineio.Message) {
	h.s.mu.RLock()
	c := h.s.conns[ec]
	h.s.mu.RUnlock()
	if c != nil {
		c.receive(m)
	}
}

func (h engineHandler) OnClose(ec *engineio.Conn, reason string) {
	h.s.mu.Lock()
	c := h.s.conns[ec]
	delete(h.s.conns, ec)
	h.s.mu.Unlock()
	if c != nil {
		reason = c.closed(reason)
	}
	h.s.sessionClosed(ec, reason)
}
