package engineio

import (
	"errors"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// Message is one application message carried by an Engine.IO "message"
// packet: UTF-8 text, or binary data when Binary is set.
//
// The engine never modifies or retains Data beyond delivery of the message,
// so one Message may be handed to many connections (a broadcast encodes once).
type Message struct {
	Data   []byte
	Binary bool
}

// DefaultPath is the URL path a Server answers under and a Client dials
// unless told otherwise, as for socket.io's own server and client.
const DefaultPath = "/socket.io/"

// Transport names, as they appear in the "transport" query parameter.
const (
	Polling   = "polling"
	WebSocket = "websocket"
)

// Close reasons handed to the layer above, as socket.io 2.x names them.
const (
	ReasonTransportClose = "transport close" // the peer closed the connection, or its poll session ended
	ReasonTransportError = "transport error" // a read or write on the transport failed
	ReasonParseError     = "parse error"     // the peer sent bytes that do not decode
	ReasonPingTimeout    = "ping timeout"    // no packet within pingInterval+pingTimeout
	ReasonForcedClose    = "forced close"    // this side called Close
	ReasonServerClose    = "server close"    // client side: the server sent a close packet
)

// Errors returned by Send and Dial, and the HTTP error codes of the server.
var (
	// ErrClosed is returned by Send after the connection closed.
	ErrClosed = errors.New("engineio: connection closed")
	// ErrQueueFull is returned by Send when the peer does not read fast enough
	// and its send queue is full; the connection is then closed.
	ErrQueueFull = errors.New("engineio: send queue full")
)

func messagePacket(m Message) codec.Packet {
	return codec.Packet{Type: codec.Message, Data: m.Data, Binary: m.Binary}
}
