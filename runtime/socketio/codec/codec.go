// Package codec encodes and decodes Socket.IO packets, including binary
// attachments, and converts Go values to and from the JSON that carries them.
//
// It is pure: no I/O, no goroutines. The Decoder holds the only state, the
// binary packet being reconstructed, and belongs to one connection. Both
// protocol revisions are supported, chosen by a Version value: Socket.IO v4
// (socket.io 2.x) and Socket.IO v5 (socket.io 3.x and 4.x).
package codec

import "fmt"

// Version is a Socket.IO protocol revision.
type Version int

// The protocol revisions this package speaks.
const (
	V4 Version = 4 // socket.io 2.x (over Engine.IO v3)
	V5 Version = 5 // socket.io 3.x/4.x (over Engine.IO v4)
)

// PacketType is the Socket.IO packet type, the first character of a packet.
type PacketType byte

// The Socket.IO packet types.
const (
	Connect     PacketType = 0
	Disconnect  PacketType = 1
	Event       PacketType = 2
	Ack         PacketType = 3
	Error       PacketType = 4 // v5 calls it CONNECT_ERROR
	BinaryEvent PacketType = 5
	BinaryAck   PacketType = 6
)

// String returns the protocol name of t ("CONNECT", "EVENT", ...).
func (t PacketType) String() string {
	switch t {
	case Connect:
		return "CONNECT"
	case Disconnect:
		return "DISCONNECT"
	case Event:
		return "EVENT"
	case Ack:
		return "ACK"
	case Error:
		return "ERROR"
	case BinaryEvent:
		return "BINARY_EVENT"
	case BinaryAck:
		return "BINARY_ACK"
	}
	return fmt.Sprintf("PacketType(%d)", byte(t))
}

// Packet is one Socket.IO packet.
type Packet struct {
	Type PacketType
	// Namespace is the namespace, "/" when the wire form has none. For a
	// CONNECT it may carry a query ("/admin?token=secret"), as v4 clients send.
	Namespace string
	// ID is the ack id; it is meaningful only when HasID is set, since 0 is a
	// real id.
	ID    uint64
	HasID bool
	// Data is the JSON payload exactly as on the wire (placeholders included),
	// or nil when the packet has none.
	Data []byte
	// Attachments are the binary attachments of a BINARY_EVENT or BINARY_ACK,
	// in placeholder order.
	Attachments [][]byte
}

// ProtocolError is returned by the Decoder for input that does not follow
// the protocol. The reference closes the whole connection on it.
type ProtocolError struct {
	Reason string
}

func (e *ProtocolError) Error() string { return "socketio: bad packet: " + e.Reason }
