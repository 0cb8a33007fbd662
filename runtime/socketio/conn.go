package socketio

import (
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/siogen/siogen/internal/peerlog"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// conn is the Socket.IO side of one Engine.IO session: it decodes packets,
// routes them to the socket of their namespace, and owns those sockets.
type conn struct {
	srv          *Server
	ec           *engineio.Conn
	version      codec.Version // V4 over Engine.IO v3, V5 over v4
	dec          codec.Decoder // used by receive only, which the engine serialises
	opened       time.Time     // for Handshake.Time
	connectTimer *time.Timer   // v5: closes a connection that joins no namespace; nil once one joined

	mu sync.Mutex
	// sockets and connecting are short slices, not maps: a client holds a
	// few namespaces at most (Options.MaxNamespaces), and an idle
	// connection costs less this way.
	sockets       []*Socket // connected, one per namespace
	connecting    []string  // namespaces whose middleware is running
	rootConnected bool      // v4: other namespaces wait for "/"
	waiting       []string  // CONNECTs that arrived before "/" was connected
	closeReason   string    // overrides the engine's reason
	gone          bool

	peerLog peerlog.Log // the client's misbehaviour, logged once per kind
}

func newConn(s *Server, ec *engineio.Conn) *conn {
	v := codec.V4
	if ec.Protocol() >= 4 {
		v = codec.V5
	}
	return &conn{
		srv:     s,
		ec:      ec,
		version: v,
		dec:     codec.Decoder{Version: v, MaxAttachments: s.opts.MaxAttachments, MaxDepth: s.opts.MaxDepth},
		opened:  time.Now(),
	}
}

// open starts the connection. Socket.IO v4 connects the default namespace
// for every connection without a CONNECT from the client. In v5 the client
// asks for every namespace, "/" included, and has ConnectTimeout to join
// one.
func (c *conn) open() {
	if c.version == codec.V4 {
		c.connect("/", nil, nil)
		return
	}
	c.mu.Lock()
	c.connectTimer = time.AfterFunc(c.srv.opts.ConnectTimeout, c.connectTimedOut)
	c.mu.Unlock()
}

// connectTimedOut closes a v5 connection that has joined no namespace.
func (c *conn) connectTimedOut() {
	c.mu.Lock()
	idle := len(c.sockets) == 0 && !c.gone
	if idle && c.closeReason == "" {
		c.closeReason = ReasonForcedServerClose
	}
	c.mu.Unlock()
	if idle {
		c.srv.log.Debug("socketio: no namespace joined within ConnectTimeout, closing", "sid", c.ec.ID())
		c.ec.Close()
	}
}

// invalidState closes a v5 connection that sent a packet its state does
// not allow: anything but a CONNECT for a namespace it is not in, or a
// CONNECT for one it is in. socket.io 4.x closes the connection then
// ("invalid state"). (A client's ERROR is a parse error, before this.)
func (c *conn) invalidState(p *codec.Packet) {
	c.peerLog.Info(c.srv.log, "socketio: packet in an invalid state, closing connection", "sid", c.ec.ID(), "type", p.Type, "nsp", p.Namespace)
	c.srv.refused("", RefusedBadPacket)
	c.mu.Lock()
	if c.closeReason == "" {
		c.closeReason = ReasonForcedServerClose
	}
	c.mu.Unlock()
	c.ec.Close()
}

// send encodes p and queues it on the connection.
func (c *conn) send(p *codec.Packet) error {
	return c.sendEncoded(encode(p, c.version))
}

func (c *conn) sendEncoded(msgs []engineio.Message) error {
	return c.ec.Send(msgs...)
}

// receive handles one engine message.
func (c *conn) receive(m engineio.Message) {
	p, err := c.dec.Add(m.Data, m.Binary)
	if err == nil && p != nil {
		err = checkClientPacket(p)
	}
	if err != nil {
		c.parseError(err)
		return
	}
	if p == nil {
		return // a binary packet waiting for attachments
	}
	if c.version == codec.V5 {
		c.receiveV5(p)
		return
	}
	switch p.Type {
	case codec.Connect:
		name, rawQuery, _ := strings.Cut(p.Namespace, "?")
		q, _ := url.ParseQuery(rawQuery)
		c.mu.Lock()
		if !c.rootConnected && name != "/" {
			if c.namespacesLocked()+len(c.waiting) >= c.srv.opts.MaxNamespaces {
				c.mu.Unlock()
				c.tooManyNamespaces(name)
				return
			}
			c.waiting = append(c.waiting, p.Namespace)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.connect(name, q, nil)
	case codec.Disconnect:
		if s := c.socket(p.Namespace); s != nil {
			s.onClose(ReasonClientNamespaceDisconnect)
		}
	case codec.Event, codec.BinaryEvent:
		if s := c.socket(p.Namespace); s != nil {
			s.onEvent(p)
		}
	case codec.Ack, codec.BinaryAck:
		if s := c.socket(p.Namespace); s != nil {
			s.onAck(p)
		}
	}
	// Packets for a namespace the client has not joined are dropped, as the
	// reference does.
}

// receiveV5 routes a decoded packet of a socket.io 3.x/4.x client. Unlike
// v4, no namespace waits for "/", the CONNECT payload is the auth object,
// and a packet that does not fit the namespace's state closes the
// connection, as socket.io 4.x does.
func (c *conn) receiveV5(p *codec.Packet) {
	s := c.socket(p.Namespace)
	switch {
	case p.Type == codec.Connect && s == nil:
		c.mu.Lock()
		busy := slices.Contains(c.connecting, p.Namespace)
		c.mu.Unlock()
		if busy {
			return // its middleware is running: as for v4, asked once
		}
		c.connect(p.Namespace, nil, p.Data)
	case s == nil, p.Type == codec.Connect:
		c.invalidState(p)
	case p.Type == codec.Disconnect:
		s.onClose(ReasonClientNamespaceDisconnect)
	case p.Type == codec.Event, p.Type == codec.BinaryEvent:
		s.onEvent(p)
	case p.Type == codec.Ack, p.Type == codec.BinaryAck:
		s.onAck(p)
	}
}

func (c *conn) socket(nsp string) *Socket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.socketLocked(nsp)
}

func (c *conn) socketLocked(nsp string) *Socket {
	for _, s := range c.sockets {
		if s.nsp.name == nsp {
			return s
		}
	}
	return nil
}

// connect joins the client to a namespace: refused with "Invalid
// namespace" when it does not exist, else through its middleware. A
// CONNECT for a namespace the client is in, or is being admitted to, is
// ignored, so a client cannot start its middleware twice. query is a v4
// CONNECT's, auth a v5 CONNECT's payload (nil: none).
func (c *conn) connect(name string, query url.Values, auth []byte) {
	nsp := c.srv.namespace(name)
	if nsp == nil {
		c.srv.refused("", RefusedInvalidNamespace)
		c.send(errorPacket(name, errInvalidNamespace, c.version))
		return
	}
	c.mu.Lock()
	if c.gone || c.socketLocked(name) != nil || slices.Contains(c.connecting, name) {
		c.mu.Unlock()
		return
	}
	if c.namespacesLocked() >= c.srv.opts.MaxNamespaces {
		c.mu.Unlock()
		c.tooManyNamespaces(name)
		return
	}
	c.connecting = append(c.connecting, name)
	c.mu.Unlock()
	// The payload aliases the engine message, which the decoder hands
	// over for good.
	s := newSocket(nsp, c, query, auth)
	if nsp.rec != nil && c.version == codec.V5 {
		s.pid = newSocketID()
		if pid, offset, ok := recoveryRequest(auth); ok {
			if kept, missed, ok := nsp.rec.restore(pid, offset); ok {
				s.id, s.pid, s.recovered = kept.id, kept.pid, true
				s.missed, s.keptRooms = missed, kept.rooms
				s.data = kept.data
			}
		}
	}
	nsp.admit(s)
}

// namespacesLocked counts the namespaces the client holds: connected, or
// in their middleware.
func (c *conn) namespacesLocked() int {
	return len(c.sockets) + len(c.connecting)
}

// tooManyNamespaces refuses the namespace past Options.MaxNamespaces and
// disconnects the client.
func (c *conn) tooManyNamespaces(name string) {
	c.peerLog.Warn(c.srv.log, "socketio: too many namespaces, disconnecting", "sid", c.ec.ID(), "max", c.srv.opts.MaxNamespaces)
	c.srv.refused("", RefusedTooManyNamespaces)
	c.send(errorPacket(name, errTooManyNamespaces, c.version))
	c.disconnectAll(ReasonTransportError)
}

// refused forgets a socket that its namespace's middleware turned down.
func (c *conn) refused(s *Socket) {
	c.srv.refused(s.nsp.name, RefusedMiddleware)
	c.mu.Lock()
	c.connecting = deleteName(c.connecting, s.nsp.name)
	c.mu.Unlock()
}

// deleteName removes name from names, keeping the array.
func deleteName(names []string, name string) []string {
	if names = slices.DeleteFunc(names, func(n string) bool { return n == name }); len(names) == 0 {
		return nil
	}
	return names
}

// admitted records an accepted socket; for "/" it replays the CONNECTs that
// waited for it.
func (c *conn) admitted(s *Socket) bool {
	c.mu.Lock()
	c.connecting = deleteName(c.connecting, s.nsp.name)
	if c.gone {
		c.mu.Unlock()
		return false
	}
	c.sockets = append(c.sockets, s)
	if c.connectTimer != nil {
		// Dropped, not only stopped: an idle connection need not keep it.
		c.connectTimer.Stop()
		c.connectTimer = nil
	}
	var replay []string
	if s.nsp.name == "/" {
		c.rootConnected = true
		replay, c.waiting = c.waiting, nil
	}
	c.mu.Unlock()
	for _, nsp := range replay {
		name, rawQuery, _ := strings.Cut(nsp, "?")
		q, _ := url.ParseQuery(rawQuery)
		c.connect(name, q, nil)
	}
	return true
}

func (c *conn) removeSocket(s *Socket) {
	c.mu.Lock()
	c.sockets = slices.DeleteFunc(c.sockets, func(o *Socket) bool { return o == s })
	c.mu.Unlock()
}

// disconnectAll sends a DISCONNECT for every namespace, ends the sockets
// with reason, then closes the connection once that is delivered.
func (c *conn) disconnectAll(reason string) {
	c.mu.Lock()
	sockets := slices.Clone(c.sockets)
	// The reason is set first: a client that sees its DISCONNECTs may
	// close the connection before the loop below ends, and its sockets
	// end with this reason, not the transport's.
	if c.closeReason == "" {
		c.closeReason = reason
	}
	c.mu.Unlock()
	for _, s := range sockets {
		s.send(&codec.Packet{Type: codec.Disconnect, Namespace: s.nsp.name})
	}
	// Closing the engine session before the sockets end makes the
	// DISCONNECTs the last packets out: ending a socket releases its
	// handlers, which may emit, and a closing session sends nothing more.
	c.ec.Close()
	for _, s := range sockets {
		s.onClose(reason)
	}
}

// closed ends every socket when the engine session has ended, and returns
// the reason they were given.
func (c *conn) closed(reason string) string {
	c.mu.Lock()
	c.gone = true
	if c.connectTimer != nil {
		c.connectTimer.Stop()
	}
	if c.closeReason != "" {
		reason = c.closeReason
	}
	sockets := slices.Clone(c.sockets)
	c.mu.Unlock()
	for _, s := range sockets {
		s.onClose(reason)
	}
	c.peerLog.Close(c.srv.log, "sid", c.ec.ID())
	return reason
}
