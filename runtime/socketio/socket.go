package socketio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// EventHandler handles one incoming event.
type EventHandler func(e *Event)

// Event is an incoming event, on a server Socket or a ClientSocket: its
// name, its still-encoded arguments, and the means to answer it when the
// sender asked for an ack.
type Event struct {
	Name string
	Args
	socket *Socket // nil on the client side
	nsp    string
	send   func(*codec.Packet) error
	report func(error) // where Reject reports; nil logs
	id     uint64
	hasAck bool
	acked  atomic.Bool

	log *slog.Logger // where AckError logs an error not meant for the peer; nil: slog's default
}

// Socket returns the server socket the event came from, or nil for an
// event received by a client.
func (e *Event) Socket() *Socket { return e.socket }

// HasAck reports whether the sender asked for an ack.
func (e *Event) HasAck() bool { return e.hasAck }

// Ack answers the event with args. Only the first call sends; an event
// without an ack request is not answered (calling Ack is then harmless).
func (e *Event) Ack(args ...any) error {
	if !e.hasAck || !e.acked.CompareAndSwap(false, true) {
		return nil
	}
	p, err := ackPacket(e.nsp, e.id, args)
	if err != nil {
		return err
	}
	return e.send(p)
}

// Reject reports err, for instance an *ArgError, to the socket's error
// handler and, when the sender asked for an ack, answers it with the object
// {"error": message}, which a JavaScript client can read. message is err's
// when err is meant for the peer (a *ClientError, an *ArgError, anywhere
// in its chain) and InternalErrorMessage otherwise.
func (e *Event) Reject(err error) {
	if e.report != nil {
		e.report(err)
	} else {
		slog.Warn("socketio: event rejected", "event", e.Name, "err", err)
	}
	msg, _ := forPeer(err)
	e.ackMessage(msg)
}

// RejectArg rejects the event because its argument i did not decode: it is
// Reject with an *ArgError naming the event and the argument.
func (e *Event) RejectArg(i int, err error) {
	e.Reject(&ArgError{Event: e.Name, Index: i, Err: err})
}

// AckError answers the event's ack with the object {"error": message}, the
// convention a JavaScript client can read and a generated Go client
// returns as a *RejectedError. It is how a handler's own error answers,
// and it keeps the server's secrets: message is err's only when err is
// meant for the peer (a *ClientError, an *ArgError, anywhere in its chain).
// Any other error is logged with log/slog, with the socket and the event,
// and the peer receives InternalErrorMessage. Unlike Reject it does not
// call the OnError handler.
func (e *Event) AckError(err error) error {
	msg, ok := forPeer(err)
	if !ok {
		where := []any{"nsp", e.nsp, "event", e.Name}
		if e.socket != nil {
			where = append(where, "id", e.socket.id)
		}
		logInternal(e.log, "socketio: handler error (the peer was told "+InternalErrorMessage+")", err, where...)
	}
	return e.ackMessage(msg)
}

// ackMessage answers the event's ack with {"error": msg}.
func (e *Event) ackMessage(msg string) error {
	return e.Ack(map[string]string{"error": msg})
}

// Socket is one client's presence in one namespace.
type Socket struct {
	id        string
	nsp       *Namespace
	conn      *conn
	hs        atomic.Pointer[Handshake]
	lazyDone  chan struct{}
	pid       string // v5 with recovery: the private id of its session
	recovered bool   // its session was restored by connection state recovery
	// What a recovered socket takes back while it connects: the packets it
	// missed and its rooms.
	missed    [][]engineio.Message
	keptRooms []string
	// What the handshake is made of beside the connection's request, so
	// that an idle socket whose handlers never read it keeps none.
	query url.Values      // a v4 CONNECT's query, merged over the request's
	auth  json.RawMessage // a v5 CONNECT's payload (nil: none)

	mu           sync.Mutex
	connected    bool
	ended        string         // why the socket's context ends (context.go); "" while it lives
	ctx          *socketContext // made by Context
	data         any            // Data, SetData
	handlers     []namedHandler // a handful per socket: a slice costs an idle socket less than a map
	onDisconnect []func(reason string)
	onError      func(err error)
	acks         map[uint64]chan *Args
	jobs         []func()
	running      bool
	bucket       eventBucket // Options.MaxEventRate

	// The listeners of OnAny and OnAnyOutgoing, under mu.
	onAny, onAnyOutgoing []func(event string, args *Args)

	// broadcastAcks: the broadcasts with acks (broadcastack.go) waiting
	// for this socket's answer, by ack id.
	broadcastAcks map[uint64]*ackWait
}

func newSocket(nsp *Namespace, c *conn, query url.Values, auth json.RawMessage) *Socket {
	var id string
	switch {
	case c.version == codec.V5:
		// socket.io 4.x: a fresh id per namespace connection, never the
		// engine session's, which a v5 client keeps private.
		id = newSocketID()
	case nsp.name == "/":
		id = c.ec.ID()
	default:
		id = nsp.name + "#" + c.ec.ID()
	}
	return &Socket{id: id, nsp: nsp, conn: c, query: query, auth: auth, connected: true}
}

// ID returns the socket id. For a socket.io 2.x client (Socket.IO v4): the
// engine session id on "/", "/nsp#" + it on other namespaces. For a 3.x or
// 4.x client (v5): 20 random URL-safe characters, fresh for every namespace
// connection, which the CONNECT answer tells the client.
func (s *Socket) ID() string { return s.id }

// Recovered reports whether the socket is a session restored by
// connection state recovery (Options.Recovery): it kept its id and rooms,
// and received what was sent to it while it was away. Its middleware did
// not run again (unless RecoveryOptions.RunMiddlewares).
func (s *Socket) Recovered() bool { return s.recovered }

// Protocol returns the Socket.IO revision the socket's client speaks: 4
// (socket.io 2.x) or 5 (socket.io 3.x and 4.x).
func (s *Socket) Protocol() int { return int(s.conn.version) }

// closedDone is the Done channel of a socket that ended before anyone
// asked for it.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// newSocketID returns 20 URL-safe characters from 15 random bytes, the form
// of socket.io's ids.
func newSocketID() string {
	var b [15]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// DecodeAuth decodes the socket's CONNECT payload (Handshake().Auth, the
// auth object of socket.io 3.x/4.x clients) into v, as generated
// middleware does for a schema's Auth type. A socket.io 2.x client sends
// none: v is left as it is and the error is nil. A payload that does not
// decode into v is an *AuthError.
func (s *Socket) DecodeAuth(v any) error {
	if s.conn.version != codec.V5 {
		return nil
	}
	auth := s.auth
	if auth == nil {
		auth = json.RawMessage("{}") // as Handshake().Auth
	}
	if err := codec.Unmarshal(auth, nil, v); err != nil {
		return &AuthError{Err: decodeFailure(auth, v, err)}
	}
	return nil
}

// AuthError reports a CONNECT payload that does not decode into the type
// the namespace expects. Returned by a middleware, it refuses the socket
// with the CONNECT_ERROR message "invalid auth: …".
type AuthError struct {
	Err error
}

func (e *AuthError) Error() string { return "invalid auth: " + e.Err.Error() }

func (e *AuthError) Unwrap() error { return e.Err }

// Namespace returns the socket's namespace.
func (s *Socket) Namespace() *Namespace { return s.nsp }

// Handshake returns the request that opened the connection.
//
// It is made on first use, so that an idle socket whose handlers never
// read it keeps none.
func (s *Socket) Handshake() *Handshake {
	if h := s.hs.Load(); h != nil {
		return h
	}
	h := newHandshake(s.conn.ec.Request(), s.conn.opened).withQuery(s.query)
	if s.conn.version == codec.V5 {
		h = h.withAuth(s.auth)
	}
	if !s.hs.CompareAndSwap(nil, h) {
		return s.hs.Load() // made meanwhile by another goroutine
	}
	return h
}

// Transport returns the current Engine.IO transport: "polling" or "websocket".
func (s *Socket) Transport() string { return s.conn.ec.Transport() }

// Connected reports whether the socket is still connected.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected
}

// Done returns a channel closed when the socket disconnects.
//
// The channel (lazyDone, always read through Done) is made on first use.
func (s *Socket) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lazyDone == nil {
		// Made when first asked for (under mu, as onClose closes it):
		// most sockets are never asked.
		s.lazyDone = make(chan struct{})
	}
	return s.lazyDone
}

// On sets the handler of the event name, replacing any earlier one. Names
// are arbitrary strings; lifecycle handlers have their own methods
// (OnDisconnect, OnError), so a client sending an event named "disconnect"
// reaches only a handler registered with On("disconnect").
func (s *Socket) On(name string, h EventHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.handlerIndex(name); i >= 0 {
		s.handlers[i].h = h
		return
	}
	s.handlers = append(s.handlers, namedHandler{name, h})
}

type namedHandler struct {
	name string
	h    EventHandler
}

// handlerIndex returns where the handler of the event name is in
// s.handlers, or -1; s.mu is held.
func (s *Socket) handlerIndex(name string) int {
	for i := range s.handlers {
		if s.handlers[i].name == name {
			return i
		}
	}
	return -1
}

// OnDisconnect adds a handler called once when the socket disconnects,
// with the reason (the Reason* constants), after its last event.
func (s *Socket) OnDisconnect(fn func(reason string)) {
	s.mu.Lock()
	s.onDisconnect = append(s.onDisconnect, fn)
	s.mu.Unlock()
}

// OnError sets the handler of errors concerning the socket, such as an event
// whose arguments did not decode (reported by generated code). Default:
// logged, once per connection (later ones are counted, and the count logged
// when the connection ends), so that a client cannot flood the log.
func (s *Socket) OnError(fn func(err error)) {
	s.mu.Lock()
	s.onError = fn
	s.mu.Unlock()
}

// ReportError hands err to the OnError handler, or logs it (once per
// connection; repeats are counted and logged when the connection ends).
func (s *Socket) ReportError(err error) {
	s.mu.Lock()
	fn := s.onError
	s.mu.Unlock()
	if fn != nil {
		fn(err)
		return
	}
	s.conn.peerLog.Warn(s.nsp.srv.log, "socketio: socket error", "id", s.id, "err", err)
}

// Emit sends an event to the socket. []byte values anywhere in args travel
// as binary attachments. Once the socket has left it returns
// ErrDisconnected and sends nothing.
func (s *Socket) Emit(event string, args ...any) error {
	p, err := eventPacket(s.nsp.name, event, args)
	if err != nil {
		return err
	}
	s.notifyOutgoing(p)
	if rec := s.nsp.rec; rec != nil && s.conn.version == codec.V5 {
		// Kept for recovery as a broadcast to the socket's own room, as
		// socket.io does.
		if msgs := rec.record(p, BroadcastOptions{Rooms: []string{s.id}}); msgs != nil {
			if !s.Connected() {
				return ErrDisconnected
			}
			err := s.conn.sendEncoded(msgs)
			if err == nil {
				s.nsp.sent(event, 1)
			}
			return err
		}
	}
	err = s.send(p)
	if err == nil {
		s.nsp.sent(event, 1)
	}
	return err
}

// EmitWithAck sends an event asking the client for an ack and waits for it,
// for ctx to end, or for the socket to disconnect. An ack answered with
// {"error": message} (Event.Reject's convention) returns a *RejectedError,
// as the generated emitters do.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (*Args, error) {
	p, err := eventPacket(s.nsp.name, event, args)
	if err != nil {
		return nil, err
	}
	p.ID, p.HasID = s.nsp.ackSeq.Add(1)-1, true
	s.notifyOutgoing(p)
	reply := make(chan *Args, 1)
	s.mu.Lock()
	switch {
	case !s.connected:
		s.mu.Unlock()
		return nil, ErrDisconnected
	case len(s.acks)+len(s.broadcastAcks) >= s.nsp.srv.opts.MaxPendingAcks:
		s.mu.Unlock()
		return nil, ErrTooManyAcks
	}
	if s.acks == nil {
		s.acks = make(map[uint64]chan *Args)
	}
	s.acks[p.ID] = reply
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.acks, p.ID)
		s.mu.Unlock()
	}()
	start := time.Now()
	if err := s.send(p); err != nil {
		return nil, err
	}
	s.nsp.sent(event, 1)
	select {
	case a := <-reply:
		if o := s.nsp.srv.opts.Observer; o != nil {
			o.AckReceived(s.nsp.name, event, time.Since(start))
		}
		if err := a.Rejected(); err != nil {
			return nil, err
		}
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.Done():
		return nil, ErrDisconnected
	}
}

// Join adds the socket to rooms.
func (s *Socket) Join(rooms ...string) { s.nsp.adapter.AddAll(s.id, rooms) }

// Leave removes the socket from rooms.
func (s *Socket) Leave(rooms ...string) {
	for _, room := range rooms {
		s.nsp.adapter.Del(s.id, room)
	}
}

// Rooms returns the rooms the socket is in, its own included.
func (s *Socket) Rooms() []string { return s.nsp.adapter.SocketRooms(s.id) }

// To selects the sockets in any of rooms, except this one, for a broadcast.
func (s *Socket) To(rooms ...string) Broadcast {
	return Broadcast{nsp: s.nsp, except: []string{s.id}}.To(rooms...)
}

// Broadcast selects every socket of the namespace except this one.
func (s *Socket) Broadcast() Broadcast {
	return Broadcast{nsp: s.nsp, except: []string{s.id}}
}

// Disconnect makes the socket leave its namespace: the client receives a
// DISCONNECT and does not reconnect. With closeConn, every namespace of the
// client is left and the connection itself is closed.
func (s *Socket) Disconnect(closeConn bool) {
	if closeConn {
		s.conn.disconnectAll(ReasonServerNamespaceDisconnect)
		return
	}
	if s.Connected() {
		// The socket ends before its DISCONNECT goes out: a client that
		// closes its connection on seeing it must not make the socket end
		// with the transport's reason instead.
		s.onClose(ReasonServerNamespaceDisconnect)
		s.conn.send(&codec.Packet{Type: codec.Disconnect, Namespace: s.nsp.name})
	}
}

// send writes p to the socket's connection. A socket that has left sends
// nothing: handlers still running or queued when it left (a disconnect
// from the server, a limit) must not follow its DISCONNECT.
func (s *Socket) send(p *codec.Packet) error {
	if !s.Connected() {
		return ErrDisconnected
	}
	return s.conn.send(p)
}

// onEvent queues an incoming event for the socket's handlers.
func (s *Socket) onEvent(p *codec.Packet) {
	name, args, ok, err := codec.EventName(p.Data)
	if err != nil || !ok {
		return // a number as the name is valid on the wire and matches nothing
	}
	if !s.allowEvent() {
		return
	}
	e := &Event{Name: name, Args: Args{Raw: args, Attachments: p.Attachments}, socket: s, nsp: s.nsp.name, send: s.send, report: s.ReportError, log: s.nsp.srv.log, id: p.ID, hasAck: p.HasID}
	s.mu.Lock()
	full := len(s.jobs) >= s.nsp.srv.opts.MaxPendingEvents
	s.mu.Unlock()
	if full {
		s.nsp.srv.refused(s.nsp.name, RefusedPendingEvents)
		s.conn.peerLog.Warn(s.nsp.srv.log, "socketio: too many pending events, disconnecting", "id", s.id)
		s.conn.disconnectAll(ReasonTransportError)
		return
	}
	s.post(func() {
		if !s.beforeHandler(e) {
			return
		}
		s.mu.Lock()
		var h EventHandler
		if i := s.handlerIndex(name); i >= 0 {
			h = s.handlers[i].h
		}
		s.mu.Unlock()
		s.dispatch(h, e)
	})
}

// onAck resolves the EmitWithAck waiting for p's id; an unknown or already
// answered id is ignored.
func (s *Socket) onAck(p *codec.Packet) {
	if !p.HasID {
		return
	}
	raw, err := codec.SplitArray(p.Data)
	if err != nil {
		return
	}
	s.mu.Lock()
	ch := s.acks[p.ID]
	delete(s.acks, p.ID)
	w := s.broadcastAcks[p.ID]
	delete(s.broadcastAcks, p.ID)
	s.mu.Unlock()
	if ch != nil {
		ch <- &Args{Raw: raw, Attachments: p.Attachments}
	}
	if w != nil {
		w.events <- ackEvent{id: s.id, args: &Args{Raw: raw, Attachments: p.Attachments}}
	}
}

// onClose ends the socket once: it leaves its rooms and namespace, pending
// acks fail, and the disconnect handlers run after any queued event.
func (s *Socket) onClose(reason string) {
	s.mu.Lock()
	if !s.connected {
		s.mu.Unlock()
		return
	}
	s.connected = false
	if s.lazyDone != nil {
		close(s.lazyDone)
	} else {
		s.lazyDone = closedDone
	}
	s.dropOutgoing()
	handlers := s.onDisconnect
	lost := s.broadcastAcks
	s.broadcastAcks = nil
	s.mu.Unlock()
	for _, w := range lost {
		w.events <- ackEvent{id: s.id} // unanswered at once
	}
	s.endContext(reason)
	if rec := s.nsp.rec; rec != nil && s.conn.version == codec.V5 {
		rec.gone()
		if slices.Contains(recoverableReasons, reason) {
			rec.keep(s.id, s.pid, s.Rooms(), s.Data())
		}
	}
	s.nsp.remove(s)
	s.conn.removeSocket(s)
	s.post(func() {
		// Handlers added by the connection handler run too: read them now.
		s.mu.Lock()
		handlers = s.onDisconnect
		s.mu.Unlock()
		for _, fn := range handlers {
			fn(reason)
		}
	})
}

// post queues job on the socket's event goroutine, starting it if idle.
func (s *Socket) post(job func()) {
	s.mu.Lock()
	s.jobs = append(s.jobs, job)
	if !s.running {
		s.running = true
		go s.run()
	}
	s.mu.Unlock()
}

func (s *Socket) run() {
	for {
		s.mu.Lock()
		if len(s.jobs) == 0 {
			s.running = false
			s.jobs = nil
			s.mu.Unlock()
			return
		}
		job := s.jobs[0]
		s.jobs[0] = nil
		s.jobs = s.jobs[1:]
		s.mu.Unlock()
		s.safely(job)
	}
}

// safely runs a handler, recovering and logging a panic so that one bad
// handler never takes the server down.
func (s *Socket) safely(job func()) {
	defer func() {
		if r := recover(); r != nil {
			s.conn.peerLog.Error(s.nsp.srv.log, "socketio: panic in handler", "id", s.id, "nsp", s.nsp.name, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	job()
}
