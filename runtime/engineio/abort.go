package engineio

import (
	"net/http"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// Abort ends the session at once, for a peer that broke the protocol of the
// layer above (a Socket.IO packet that does not parse): what is still queued
// is dropped, nothing more the peer sent is delivered, a held poll receives
// the close packet, a websocket a close frame, and from then on requests for
// the session are refused as unknown. The Handler's OnClose gets
// ReasonParseError. Unlike Close, it does not wait for a polling client to
// fetch its close packet, so a misbehaving client cannot keep the session
// alive for CloseTimeout.
func (c *Conn) Abort() {
	c.die(ReasonParseError, codec.Close)
}

// isClosing reports whether Close or Abort has begun ending the session.
// engine.io ignores what a peer sends from then on (but for its close
// packet): the layer above has let go of the session, and a client it
// disconnected must not be able to start over on it.
func (c *Conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing || c.closed
}

// dropPost ends the session whose POST body did not arrive (within
// PingInterval+PingTimeout, or the connection failed), and drops the
// connection without an answer, as engine.io 3.x does when the request's
// socket times out or closes: an empty 200 would tell the client its
// packets arrived. It does not return.
func (c *Conn) dropPost(err error) {
	c.peerLog.Info(c.srv.log, "engineio: POST body not received, closing session", "sid", c.id, "err", err)
	c.die(ReasonTransportError, codec.Close)
	panic(http.ErrAbortHandler)
}
