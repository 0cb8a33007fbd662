package socketio

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

var (
	errInvalidNamespace  = errors.New("Invalid namespace")
	errTooManyNamespaces = errors.New("Too many namespaces")
)

// Namespace is a communication channel that splits the logic of an
// application over one shared connection ("/", "/admin"). Get one with
// Server.Of.
type Namespace struct {
	name    string
	srv     *Server
	adapter Adapter
	ackSeq  atomic.Uint64 // socket.io 2.x counts server ack ids per namespace
	rec     *recovery     // nil unless Options.Recovery
	// UseEvent's middleware, read without a lock for every event.
	eventMiddleware atomic.Pointer[[]EventMiddleware]
	// How many sockets have an OnAnyOutgoing listener: while none does,
	// deliver looks for none.
	outgoingListeners atomic.Int32

	mu           sync.RWMutex
	middleware   []func(*Socket) error
	onConnection func(*Socket)
	sockets      map[string]*Socket
}

func newNamespace(s *Server, name string) *Namespace {
	n := &Namespace{name: name, srv: s, sockets: make(map[string]*Socket)}
	if s.opts.Recovery != nil {
		n.rec = newRecovery(*s.opts.Recovery)
	}
	n.adapter = s.opts.Adapter(n)
	return n
}

// Name returns the namespace's name, such as "/" or "/admin".
func (n *Namespace) Name() string { return n.name }

// Server returns the server the namespace belongs to.
func (n *Namespace) Server() *Server { return n.srv }

// Adapter returns the namespace's room and broadcast adapter.
func (n *Namespace) Adapter() Adapter { return n.adapter }

// Use adds a connection middleware. Middleware runs in the order added for
// every socket that connects to the namespace, before OnConnection; the
// first error refuses the connection, and the client receives an ERROR
// packet with the error's message (or, when the error has a method
// Data() any, with that value).
func (n *Namespace) Use(fn func(s *Socket) error) {
	n.mu.Lock()
	n.middleware = append(n.middleware, fn)
	n.mu.Unlock()
}

// OnConnection sets the handler called for every socket admitted to the
// namespace. It runs on the socket's event goroutine, before any of its
// events: register the socket's handlers there.
func (n *Namespace) OnConnection(fn func(s *Socket)) {
	n.mu.Lock()
	n.onConnection = fn
	n.mu.Unlock()
}

// Socket returns the connected socket with the given id, or nil.
func (n *Namespace) Socket(id string) *Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.sockets[id]
}

// Sockets returns the sockets connected to the namespace on this server.
func (n *Namespace) Sockets() []*Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make([]*Socket, 0, len(n.sockets))
	for _, s := range n.sockets {
		out = append(out, s)
	}
	return out
}

// Len returns how many sockets are connected to the namespace on this
// server, without listing them.
func (n *Namespace) Len() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.sockets)
}

// Emit sends an event to every socket of the namespace.
func (n *Namespace) Emit(event string, args ...any) error {
	return Broadcast{nsp: n}.Emit(event, args...)
}

// To selects the sockets in any of rooms, for a broadcast.
func (n *Namespace) To(rooms ...string) Broadcast {
	return Broadcast{nsp: n}.To(rooms...)
}

// Except selects every socket but those in rooms (a socket id names the
// room of that socket alone), for a broadcast.
func (n *Namespace) Except(rooms ...string) Broadcast {
	return Broadcast{nsp: n}.Except(rooms...)
}

// SocketsIn returns the ids of the sockets in any of rooms (all sockets
// when none are given), across every node the adapter spans.
func (n *Namespace) SocketsIn(ctx context.Context, rooms ...string) ([]string, error) {
	return n.adapter.Sockets(ctx, rooms)
}

// admit runs the middleware for a new socket, then connects it. Without
// middleware this happens at once, so that the CONNECT of "/" rides in the
// handshake response as with socket.io 2.x; otherwise it runs on a goroutine
// so that slow middleware (a database lookup) holds up nothing else.
func (n *Namespace) admit(s *Socket) {
	n.mu.RLock()
	mw := n.middleware
	n.mu.RUnlock()
	if s.recovered && !n.rec.opts.RunMiddlewares {
		mw = nil
	}
	if len(mw) == 0 {
		n.connect(s)
		return
	}
	go func() {
		for _, fn := range mw {
			if err := n.runMiddleware(fn, s); err != nil {
				s.conn.refused(s)
				s.endContext(reasonRefused)
				s.conn.send(errorPacket(n.name, n.refusal(s, err), s.conn.version))
				return
			}
		}
		n.connect(s)
	}()
}

func (n *Namespace) runMiddleware(fn func(*Socket) error, s *Socket) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.conn.peerLog.Error(n.srv.log, "socketio: panic in middleware", "nsp", n.name, "panic", r)
			err = errors.New("socketio: panic in middleware")
		}
	}()
	return fn(s)
}

func (n *Namespace) connect(s *Socket) {
	if !s.conn.admitted(s) {
		s.endContext(ReasonTransportClose) // the connection ended meanwhile
		return
	}
	if s.recovered {
		// What it missed goes first, as socket.io sends it: before the
		// socket is among the targets of new broadcasts (the client holds
		// events until the CONNECT answer).
		for _, msgs := range s.missed {
			s.conn.sendEncoded(msgs)
		}
		s.missed = nil
	}
	n.mu.Lock()
	n.sockets[s.id] = s
	onConnection := n.onConnection
	n.mu.Unlock()
	if n.rec != nil && s.conn.version == codec.V5 {
		n.rec.connected()
	}
	n.adapter.AddAll(s.id, []string{s.id})
	if len(s.keptRooms) > 0 {
		n.adapter.AddAll(s.id, s.keptRooms)
		s.keptRooms = nil
	}
	if onConnection == nil {
		s.send(connectPacket(s))
		return
	}
	// The connection handler is queued before the CONNECT goes out, so that
	// an event the client sends on seeing it (with middleware, this runs
	// off the reader) cannot run before the handler registered its
	// handlers; and it starts after, so that what it emits follows the
	// CONNECT.
	s.mu.Lock()
	s.jobs = append(s.jobs, func() { onConnection(s) })
	held := !s.running
	s.running = true
	s.mu.Unlock()
	s.send(connectPacket(s))
	if held {
		go s.run()
	}
}

func (n *Namespace) remove(s *Socket) {
	n.mu.Lock()
	if n.sockets[s.id] == s {
		delete(n.sockets, s.id)
	}
	n.mu.Unlock()
	n.adapter.DelAll(s.id)
}

// Deliver hands a packet to the local sockets ids, encoding it once per
// protocol revision among them (Socket.IO v4 for socket.io 2.x clients, v5
// for 3.x and 4.x ones). It is meant for adapters; one that embeds
// MemoryAdapter has its broadcasts kept for connection state recovery too.
func (n *Namespace) Deliver(p *codec.Packet, ids []string) {
	n.deliver(p, ids, nil)
}

// deliver is Deliver for the broadcast opts (nil: not a broadcast), which
// connection state recovery keeps, with an offset for the v5 sockets, even
// when no socket is connected to take it now.
func (n *Namespace) deliver(p *codec.Packet, ids []string, opts *BroadcastOptions) {
	var v4, v5 []engineio.Message
	watched := n.outgoingListeners.Load() > 0
	if opts != nil && n.rec != nil && recordable(p) {
		v5 = n.rec.record(p, *opts)
	}
	if len(ids) == 0 {
		return
	}
	sent := 0
	for _, id := range ids {
		s := n.Socket(id)
		if s == nil {
			continue
		}
		if watched {
			s.notifyOutgoing(p)
		}
		var msgs []engineio.Message
		if s.conn.version == codec.V5 {
			if v5 == nil {
				v5 = encode(p, codec.V5)
			}
			msgs = v5
		} else {
			if v4 == nil {
				v4 = encode(p, codec.V4)
			}
			msgs = v4
		}
		if s.conn.sendEncoded(msgs) == nil {
			sent++
		}
	}
	n.sentPacket(p, sent)
}
