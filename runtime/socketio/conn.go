package socketio

import (
	"net/url"
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
	srv       *Server
	ec        *engineio.Conn
	version   codec.Version
	dec       codec.Decoder // used by receive only, which the engine serialises
	handshake *Handshake

	mu            sync.Mutex
	sockets       map[string]*Socket // by namespace name
	connecting    map[string]bool    // namespaces whose middleware is running
	rootConnected bool               // v4: other namespaces wait for "/"
	waiting       []string           // CONNECTs that arrived before "/" was connected
	closeReason   string             // overrides the engine's reason
	gone          bool

	peerLog peerlog.Log // the client's misbehaviour, logged once per kind
}

func newConn(s *Server, ec *engineio.Conn) *conn {
	return &conn{
		srv:        s,
		ec:         ec,
		version:    codec.V4,
		dec:        codec.Decoder{Version: codec.V4, MaxAttachments: s.opts.MaxAttachments, MaxDepth: s.opts.MaxDepth},
		handshake:  newHandshake(ec.Request(), time.Now()),
		sockets:    make(map[string]*Socket, 1),
		connecting: make(map[string]bool, 1),
	}
}

// open connects the default namespace, which Socket.IO v4 does for every
// connection without a CONNECT from the client.
func (c *conn) open() {
	c.connect("/", nil)
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
		c.connect(name, q)
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

func (c *conn) socket(nsp string) *Socket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sockets[nsp]
}

// connect joins the client to a namespace: refused with "Invalid
// namespace" when it does not exist, else through its middleware. A
// CONNECT for a namespace the client is in, or is being admitted to, is
// ignored, so a client cannot start its middleware twice.
func (c *conn) connect(name string, query url.Values) {
	nsp := c.srv.namespace(name)
	if nsp == nil {
		c.send(errorPacket(name, errInvalidNamespace))
		return
	}
	c.mu.Lock()
	if c.gone || c.sockets[name] != nil || c.connecting[name] {
		c.mu.Unlock()
		return
	}
	if c.namespacesLocked() >= c.srv.opts.MaxNamespaces {
		c.mu.Unlock()
		c.tooManyNamespaces(name)
		return
	}
	c.connecting[name] = true
	c.mu.Unlock()
	s := newSocket(nsp, c, c.handshake.withQuery(query))
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
	c.send(errorPacket(name, errTooManyNamespaces))
	c.disconnectAll(ReasonTransportError)
}

// refused forgets a socket that its namespace's middleware turned down.
func (c *conn) refused(s *Socket) {
	c.mu.Lock()
	delete(c.connecting, s.nsp.name)
	c.mu.Unlock()
}

// admitted records an accepted socket; for "/" it replays the CONNECTs that
// waited for it.
func (c *conn) admitted(s *Socket) bool {
	c.mu.Lock()
	delete(c.connecting, s.nsp.name)
	if c.gone {
		c.mu.Unlock()
		return false
	}
	c.sockets[s.nsp.name] = s
	var replay []string
	if s.nsp.name == "/" {
		c.rootConnected = true
		replay, c.waiting = c.waiting, nil
	}
	c.mu.Unlock()
	for _, nsp := range replay {
		name, rawQuery, _ := strings.Cut(nsp, "?")
		q, _ := url.ParseQuery(rawQuery)
		c.connect(name, q)
	}
	return true
}

func (c *conn) removeSocket(s *Socket) {
	c.mu.Lock()
	if c.sockets[s.nsp.name] == s {
		delete(c.sockets, s.nsp.name)
	}
	c.mu.Unlock()
}

// disconnectAll sends a DISCONNECT for every namespace, ends the sockets
// with reason, then closes the connection once that is delivered.
func (c *conn) disconnectAll(reason string) {
	c.mu.Lock()
	sockets := make([]*Socket, 0, len(c.sockets))
	for _, s := range c.sockets {
		sockets = append(sockets, s)
	}
	c.mu.Unlock()
	for _, s := range sockets {
		s.send(&codec.Packet{Type: codec.Disconnect, Namespace: s.nsp.name})
	}
	c.mu.Lock()
	if c.closeReason == "" {
		c.closeReason = reason
	}
	c.mu.Unlock()
	// Closing the engine session before the sockets end makes the
	// DISCONNECTs the last packets out: ending a socket releases its
	// handlers, which may emit, and a closing session sends nothing more.
	c.ec.Close()
	for _, s := range sockets {
		s.onClose(reason)
	}
}

// closed ends every socket when the engine session has ended.
func (c *conn) closed(reason string) {
	c.mu.Lock()
	c.gone = true
	if c.closeReason != "" {
		reason = c.closeReason
	}
	sockets := make([]*Socket, 0, len(c.sockets))
	for _, s := range c.sockets {
		sockets = append(sockets, s)
	}
	c.mu.Unlock()
	for _, s := range sockets {
		s.onClose(reason)
	}
	c.peerLog.Close(c.srv.log, "sid", c.ec.ID())
}
