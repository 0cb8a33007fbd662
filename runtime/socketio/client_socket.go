package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// clientReserved are the event names socket.io-client 2.x keeps for its
// own events and never sends.
var clientReserved = map[string]bool{
	"connect": true, "connect_error": true, "connect_timeout": true, "connecting": true,
	"disconnect": true, "error": true, "reconnect": true, "reconnect_attempt": true,
	"reconnect_failed": true, "reconnect_error": true, "reconnecting": true,
	"ping": true, "pong": true,
}

// ClientSocket is a client's presence in one namespace of a server, over
// the connection of its Manager, as socket.io-client 2.x's Socket. Get one
// with Manager.Socket and Connect, or with Dial. Its methods are safe for concurrent use.
//
// Handlers (OnConnect, On, OnDisconnect, OnConnectError, OnError) run one at a time,
// in the order of the packets that caused them, on a goroutine of the
// socket (started when there is work); a panic in one is recovered and
// logged. Acks are resolved as they arrive, independently of the handlers,
// so a handler may wait in EmitWithAck.
type ClientSocket struct {
	m     *Manager
	nsp   string // namespace name, without query
	query string // sent with the CONNECT
	box   clientMailbox

	// Guarded by m.mu.
	active     bool            // wants to be connected: not disconnected on purpose
	connected  bool            // the server accepted it on ec
	ec         *clientEngine   // the connection it is joining or joined, or nil
	sent       bool            // its CONNECT is sent on ec, no answer yet
	auth       any             // v5 CONNECT payload; nil: ManagerOptions.Auth
	pid        string          // v5: the server's session id for recovery, "" if it keeps none
	lastOffset string          // v5: the recovery offset of the last event received
	recovered  bool            // v5: the last CONNECT recovered the session
	early      []*codec.Packet // v5: events that came before the CONNECT answer
	id         string
	ids        uint64 // next ack id, counted per socket from 0
	acks       map[uint64]*clientAck
	sendBuffer []*codec.Packet // packets emitted while not connected
	handlers   map[string]EventHandler

	onConnect      []func()
	onDisconnect   []func(reason string)
	onConnectError []func(err error)
	onError        []func(err error)
	waiters        []chan error // Connect calls waiting for the outcome
}

// clientAck is an EmitWithAck waiting for its answer.
type clientAck struct {
	ch chan clientAckResult // buffered: one result, sent by whoever removes the ack
	ec *clientEngine        // the connection the packet was sent on; nil while buffered
}

type clientAckResult struct {
	args *Args
	err  error
}

// Manager returns the Manager the socket belongs to.
func (s *ClientSocket) Manager() *Manager { return s.m }

// Namespace returns the socket's namespace, such as "/" or "/admin".
func (s *ClientSocket) Namespace() string { return s.nsp }

// ID returns the socket id while connected, as the server names the
// socket: protocol 5, the id of the server's CONNECT answer; protocol 4
// (socket.io-client 2.x), the Engine.IO session id on "/", "/nsp#"
// followed by it elsewhere. It is "" while not connected.
func (s *ClientSocket) ID() string {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.id
}

// Connected reports whether the server has accepted the socket and the
// connection is up.
func (s *ClientSocket) Connected() bool {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.connected
}

// Transport returns the Engine.IO transport of the socket's connection,
// "polling" or "websocket", or "" while not connected.
func (s *ClientSocket) Transport() string {
	s.m.mu.Lock()
	ec := s.ec
	connected := s.connected
	s.m.mu.Unlock()
	if !connected || ec == nil {
		return ""
	}
	return ec.c.Transport()
}

// On sets the handler of event, replacing any earlier one. Event names are
// arbitrary strings: a server event named "connect" or "disconnect" reaches
// only a handler set with On, never OnConnect or OnDisconnect. When the
// server asked for an ack, e.Ack answers it.
func (s *ClientSocket) On(event string, h EventHandler) {
	s.m.mu.Lock()
	if s.handlers == nil {
		s.handlers = make(map[string]EventHandler, 4)
	}
	s.handlers[event] = h
	s.m.mu.Unlock()
}

// OnConnect adds a handler called each time the server accepts the socket:
// at first and after each reconnection.
func (s *ClientSocket) OnConnect(fn func()) {
	s.m.mu.Lock()
	s.onConnect = append(s.onConnect, fn)
	s.m.mu.Unlock()
}

// OnDisconnect adds a handler called each time the connected socket
// disconnects, after its last event, with the reason:
// ReasonIOServerDisconnect, ReasonIOClientDisconnect (neither reconnects),
// ReasonTransportClose, ReasonTransportError or ReasonPingTimeout (the
// Manager then reconnects, unless DisableReconnection).
func (s *ClientSocket) OnDisconnect(fn func(reason string)) {
	s.m.mu.Lock()
	s.onDisconnect = append(s.onDisconnect, fn)
	s.m.mu.Unlock()
}

// OnConnectError adds a handler called when the socket could not connect:
// with a *ConnectError when the server refused the namespace (an ERROR
// packet for it, or for "/", which refuses every namespace), or with the
// error of a connection attempt that failed.
func (s *ClientSocket) OnConnectError(fn func(err error)) {
	s.m.mu.Lock()
	s.onConnectError = append(s.onConnectError, fn)
	s.m.mu.Unlock()
}

// OnError adds a handler called with the errors of the socket's events,
// such as an event whose arguments a typed handler could not decode
// (Event.Reject). Without one, such errors are logged.
func (s *ClientSocket) OnError(fn func(err error)) {
	s.m.mu.Lock()
	s.onError = append(s.onError, fn)
	s.m.mu.Unlock()
}

// report hands err to the OnError handlers, or logs it.
func (s *ClientSocket) report(err error) {
	s.m.mu.Lock()
	fns := s.onError
	s.m.mu.Unlock()
	if len(fns) == 0 {
		s.m.log.Warn("socketio client: event rejected", "namespace", s.nsp, "err", err)
		return
	}
	for _, fn := range fns {
		fn(err)
	}
}

// Emit sends an event with args; []byte values anywhere in args (struct
// fields, maps, slices) travel as binary attachments. While the socket is
// not connected the packet is buffered, and sent once it is (again), as
// socket.io-client 2.x does; Emit fails only when the packet does not
// encode, the buffer is full (ErrSendBufferFull), the Manager is closed
// (ErrClientClosed), or event is a name socket.io-client reserves
// ("connect", "disconnect", "error", "reconnect", "ping", ...).
func (s *ClientSocket) Emit(event string, args ...any) error {
	p, err := clientEventPacket(s.nsp, event, args)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.sendLocked(p, nil)
}

// EmitWithAck sends an event asking the server for an ack and waits for
// it, for ctx to end, or for the connection the packet went out on to be
// lost (ErrDisconnected; the server can no longer answer). An ack answered
// with {"error": message} (Event.Reject's convention) returns a
// *RejectedError, as the generated emitters do. A packet
// emitted while not connected is buffered as with Emit, and its wait goes
// on across reconnections until it is sent. Ack ids are counted per socket
// from 0, as socket.io-client 2.x does.
func (s *ClientSocket) EmitWithAck(ctx context.Context, event string, args ...any) (*Args, error) {
	p, err := clientEventPacket(s.nsp, event, args)
	if err != nil {
		return nil, err
	}
	a := &clientAck{ch: make(chan clientAckResult, 1)}
	s.m.mu.Lock()
	if s.m.closed {
		s.m.mu.Unlock()
		return nil, ErrClientClosed
	}
	p.ID, p.HasID = s.ids, true
	s.ids++
	s.acks[p.ID] = a
	if err := s.sendLocked(p, a); err != nil {
		delete(s.acks, p.ID)
		s.m.mu.Unlock()
		return nil, err
	}
	s.m.mu.Unlock()
	select {
	case r := <-a.ch:
		if r.err != nil {
			return nil, r.err
		}
		if err := r.args.Rejected(); err != nil {
			return nil, err
		}
		return r.args, nil
	case <-ctx.Done():
		s.m.mu.Lock()
		if s.acks[p.ID] == a {
			delete(s.acks, p.ID)
		}
		s.m.mu.Unlock()
		return nil, ctx.Err()
	}
}

// Disconnect leaves the namespace: it sends a DISCONNECT when connected,
// and the OnDisconnect handlers receive ReasonIOClientDisconnect. The socket
// does not reconnect until Connect is called. When no socket of the Manager
// wants the connection any more, it is closed. Packets emitted afterwards
// are buffered for a later Connect.
func (s *ClientSocket) Disconnect() error {
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if !s.active {
		return nil
	}
	s.active = false
	if s.connected {
		ec := s.ec
		ec.c.Send(encode(&codec.Packet{Type: codec.Disconnect, Namespace: s.nsp}, s.m.version())...)
		if s.nsp == "/" {
			ec.rootIn = false
		}
		s.lostLocked(ReasonIOClientDisconnect)
	} else {
		s.ec, s.sent = nil, false
		s.signalLocked(errors.New("socketio: disconnected before connecting"))
	}
	m.maybeIdleLocked()
	return nil
}

// Connect joins the namespace and waits until the server accepted the
// socket (nil), refused it (a *ConnectError), the connection attempt failed
// (its error), or ctx ended (ctx.Err()). The Manager opens its connection
// if it has none. Set the handlers first: events the server sends on
// connection go to the handlers set by then.
//
// Connect also connects the socket again after Disconnect, after the server
// disconnected it, or after the server refused it. It returns nil at once
// when the socket is connected. When a connection attempt fails (or ctx
// ends first), the Manager goes on trying in the background with its
// reconnection backoff, and OnConnect reports success; call Disconnect or
// Manager.Close to stop it.
func (s *ClientSocket) Connect(ctx context.Context) error {
	m := s.m
	wait := make(chan error, 1)
	m.mu.Lock()
	switch {
	case m.closed:
		m.mu.Unlock()
		return ErrClientClosed
	case m.urlErr != nil:
		m.mu.Unlock()
		return m.urlErr
	case s.connected:
		m.mu.Unlock()
		return nil
	}
	s.waiters = append(s.waiters, wait)
	s.startLocked()
	m.mu.Unlock()
	select {
	case err := <-wait:
		return err
	case <-ctx.Done():
		m.mu.Lock()
		for i, w := range s.waiters {
			if w == wait {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				break
			}
		}
		m.mu.Unlock()
		return ctx.Err()
	}
}

// startLocked marks the socket active and joins the namespace over
// the Manager's connection, opening one if needed.
func (s *ClientSocket) startLocked() {
	m := s.m
	if s.connected || (s.active && s.ec != nil && s.ec == m.engine) {
		return // connected or joining
	}
	s.active = true
	if ec := m.engine; ec != nil {
		if ec.closeReason == "" {
			s.joinLocked(ec)
		}
		// else the connection is ending; its end opens a new one.
		return
	}
	m.wantOpenLocked()
}

// clientEventPacket builds the EVENT packet ["event", args...].
func clientEventPacket(nsp, event string, args []any) (*codec.Packet, error) {
	if clientReserved[event] || codec.IsReserved(event) {
		// The 2.x client's names, and those a v5 server refuses by closing
		// the connection.
		return nil, fmt.Errorf("socketio: %q is a reserved event name", event)
	}
	p := &codec.Packet{Type: codec.Event, Namespace: nsp}
	data, err := codec.AppendEvent(nil, event, args, &p.Attachments)
	if err != nil {
		return nil, fmt.Errorf("socketio: encode %q: %w", event, err)
	}
	p.Data = data
	if len(p.Attachments) > 0 {
		p.Type = codec.BinaryEvent
	}
	return p, nil
}

// sendLocked sends p when connected, else buffers it. a is p's ack,
// if any.
func (s *ClientSocket) sendLocked(p *codec.Packet, a *clientAck) error {
	if s.m.closed {
		return ErrClientClosed
	}
	if s.connected {
		err := s.ec.c.Send(encode(p, s.m.version())...)
		if err == nil {
			if a != nil {
				a.ec = s.ec
			}
			return nil
		}
		if !errors.Is(err, engineio.ErrClosed) {
			return err
		}
		// The connection is ending: keep the packet for the next one.
	}
	if len(s.sendBuffer) >= s.m.opts.SendBufferSize {
		return ErrSendBufferFull
	}
	s.sendBuffer = append(s.sendBuffer, p)
	return nil
}

// sendOn sends p (an ack of an event received on ec) if ec is still
// the socket's connection.
func (s *ClientSocket) sendOn(ec *clientEngine, p *codec.Packet) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.engine != ec || s.ec != ec || !s.connected {
		return ErrDisconnected
	}
	return ec.c.Send(encode(p, s.m.version())...)
}

// joinLocked starts joining the namespace over ec. v5: every
// namespace sends its CONNECT at once. v4: "/" needs no CONNECT on a fresh
// connection: the server connects every client to it (after its
// middleware); other namespaces send theirs once "/" is connected.
func (s *ClientSocket) joinLocked(ec *clientEngine) {
	s.ec, s.sent = ec, false
	if s.m.version() == codec.V5 {
		s.sendConnectLocked()
		return
	}
	if s.nsp == "/" {
		switch {
		case ec.rootIn:
			s.connectedLocked("")
		case ec.rootReady || ec.rootRefused:
			// Left or refused earlier on this connection: ask again.
			s.sendConnectLocked()
		}
		return
	}
	switch {
	case ec.rootReady:
		s.sendConnectLocked()
	case ec.rootRefused:
		// "/" was refused, so no namespace can be joined on ec.
		s.ec = nil
		s.connectErrorLocked(ec.rootErr)
	}
}

// sendConnectLocked sends the CONNECT of the socket's namespace: v4
// with its query, v5 with its auth payload.
func (s *ClientSocket) sendConnectLocked() {
	p := &codec.Packet{Type: codec.Connect, Namespace: s.nsp}
	if s.m.version() == codec.V5 {
		p.Data = s.authLocked()
	} else if s.query != "" {
		p.Namespace += "?" + s.query
	}
	s.ec.c.Send(encode(p, s.m.version())...)
	s.sent = true
}

// authLocked returns the JSON of the socket's CONNECT payload, or nil
// for none (or one that does not encode to an object, which is logged).
// When the server keeps the socket's session, the payload also asks for its
// recovery ({"pid", "offset"} first, as socket.io-client 4.x sends them).
func (s *ClientSocket) authLocked() []byte {
	auth := s.auth
	if auth == nil {
		auth = s.m.opts.Auth
	}
	var b []byte
	if auth != nil {
		var err error
		b, err = json.Marshal(auth)
		if err != nil || len(b) == 0 || b[0] != '{' {
			s.m.log.Warn("socketio client: auth is not a JSON object; sending none", "nsp", s.nsp, "err", err)
			b = nil
		}
	}
	if s.pid == "" {
		return b
	}
	rec, _ := json.Marshal(struct {
		PID    string `json:"pid"`
		Offset string `json:"offset"`
	}{s.pid, s.lastOffset})
	if len(b) > 2 { // a non-empty object: append its members
		rec = append(append(rec[:len(rec)-1], ','), b[1:]...)
	}
	return rec
}

// Recovered reports whether the server restored the socket's session on its
// last connection (socket.io 4.6+'s connection state recovery): the socket
// kept its id and rooms, and the events sent to it meanwhile arrived.
// Protocol 5 only.
func (s *ClientSocket) Recovered() bool {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.recovered && s.connected
}

// SetAuth sets the payload of the socket's CONNECT packets, overriding
// ManagerOptions.Auth: a value that encodes to a JSON object. It is sent
// with the next CONNECT (Connect, or a reconnection). Protocol 5 only: a
// socket.io 2.x server takes no payload.
func (s *ClientSocket) SetAuth(auth any) {
	s.m.mu.Lock()
	s.auth = auth
	s.m.mu.Unlock()
}

// connectedLocked marks the socket connected on s.ec under id (v4:
// "", the id derives from the engine session's): the buffered packets go
// out, then the OnConnect handlers run.
func (s *ClientSocket) connectedLocked(id string) {
	ec := s.ec
	s.connected, s.sent = true, false
	s.id = id
	if s.m.version() == codec.V4 {
		s.id = ec.c.ID()
		if s.nsp != "/" {
			s.id = s.nsp + "#" + s.id
		}
	}
	early := s.early
	s.early = nil
	for _, p := range early {
		s.onEventLocked(ec, p)
	}
	buf := s.sendBuffer
	s.sendBuffer = nil
	for i, p := range buf {
		if err := ec.c.Send(encode(p, s.m.version())...); err != nil {
			s.sendBuffer = buf[i:] // the connection is ending: keep the rest
			break
		}
		if p.HasID {
			if a := s.acks[p.ID]; a != nil {
				a.ec = ec
			}
		}
	}
	s.box.post(func() {
		s.m.mu.Lock()
		fns := s.onConnect
		s.m.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
	})
	s.signalLocked(nil)
}

// lostLocked ends the socket's presence on its connection: the acks
// sent over it fail, and the OnDisconnect handlers run if it was connected.
func (s *ClientSocket) lostLocked(reason string) {
	s.early = nil
	was, ec := s.connected, s.ec
	s.connected, s.sent, s.ec, s.id = false, false, nil, ""
	if ec != nil {
		s.failAcksLocked(ec, ErrDisconnected)
	}
	if was {
		s.box.post(func() {
			s.m.mu.Lock()
			fns := s.onDisconnect
			s.m.mu.Unlock()
			for _, fn := range fns {
				fn(reason)
			}
		})
	}
}

// failAcksLocked fails the acks whose packet went out on ec (all of
// them when ec is nil) with err.
func (s *ClientSocket) failAcksLocked(ec *clientEngine, err error) {
	for id, a := range s.acks {
		if ec == nil || a.ec == ec {
			delete(s.acks, id)
			a.ch <- clientAckResult{err: err}
		}
	}
}

// connectErrorLocked reports a failure to connect.
func (s *ClientSocket) connectErrorLocked(err error) {
	s.box.post(func() {
		s.m.mu.Lock()
		fns := s.onConnectError
		s.m.mu.Unlock()
		for _, fn := range fns {
			fn(err)
		}
	})
	s.signalLocked(err)
}

// signalLocked tells the Connect calls waiting for the socket how
// connecting ended.
func (s *ClientSocket) signalLocked(err error) {
	for _, w := range s.waiters {
		w <- err // buffered, and each waiter is signalled once
	}
	s.waiters = nil
}

// onEventLocked queues an event from the server for its handler.
func (s *ClientSocket) onEventLocked(ec *clientEngine, p *codec.Packet) {
	name, args, ok, err := codec.EventName(p.Data)
	if err != nil || !ok {
		return // a number as the name is valid on the wire and names no handler
	}
	if s.pid != "" && !p.HasID && len(args) > 0 && len(args[len(args)-1]) > 0 && args[len(args)-1][0] == '"' {
		// A server that keeps sessions for recovery appends the event's
		// offset to every event that asks for no ack: remember it for the
		// next CONNECT, and hand the handler the event's own arguments.
		codec.Unmarshal(args[len(args)-1], nil, &s.lastOffset)
		args = args[:len(args)-1]
	}
	e := &Event{Name: name, Args: Args{Raw: args, Attachments: p.Attachments}, nsp: s.nsp, report: s.report, log: s.m.log, id: p.ID, hasAck: p.HasID}
	e.send = func(ap *codec.Packet) error { return s.sendOn(ec, ap) }
	s.box.post(func() {
		s.m.mu.Lock()
		h := s.handlers[name]
		s.m.mu.Unlock()
		if h != nil {
			h(e)
		}
	})
}

// onAckLocked resolves the EmitWithAck waiting for p's id; an
// unknown or already answered id is ignored.
func (s *ClientSocket) onAckLocked(p *codec.Packet) {
	a := s.acks[p.ID]
	if a == nil {
		return
	}
	var raw [][]byte
	if p.Data != nil {
		var err error
		if raw, err = codec.SplitArray(p.Data); err != nil {
			return // the decoder checked it is an array
		}
	}
	delete(s.acks, p.ID)
	a.ch <- clientAckResult{args: &Args{Raw: raw, Attachments: p.Attachments}}
}
