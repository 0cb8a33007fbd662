package socketio

import (
	"errors"

	"github.com/siogen/siogen/runtime/socketio/codec"
)

// errClientError is the parse error of an ERROR packet from a client.
var errClientError = errors.New("socketio: ERROR packet from a client: only a server sends ERROR (CONNECT_ERROR)")

// checkClientPacket refuses, as a parse error, a packet of a type a client
// never sends: ERROR (CONNECT_ERROR from Socket.IO v5 on) answers a CONNECT
// and goes from server to client only. Accepting it would let a client make
// the server report (and log) an error per packet, outside the limit on
// pending events.
func checkClientPacket(p *codec.Packet) error {
	if p.Type == codec.Error {
		return errClientError
	}
	return nil
}

// parseError ends the connection of a client whose packet does not parse:
// at once and on every transport, without DISCONNECT, as the reference
// closes the whole connection (only this client is affected). The session
// does not wait for a polling client to fetch its close packet: nothing
// the client sends after the bad packet is delivered, and its next request
// is refused as an unknown session.
func (c *conn) parseError(err error) {
	c.peerLog.Info(c.srv.log, "socketio: bad packet, closing connection", "sid", c.ec.ID(), "err", err)
	c.srv.refused("", RefusedBadPacket)
	c.mu.Lock()
	c.closeReason = ReasonParseError
	c.mu.Unlock()
	c.ec.Abort()
}
