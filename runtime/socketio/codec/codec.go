// Package codec encodes and decodes Socket.IO packets, including binary
// attachments, and converts Go values to and from the JSON that carries them.
//
// It is pure: no I/O, no goroutines. The Decoder holds the only state, the
// binary packet being reconstructed, and belongs to one connection. Both
// protocol revisions are supported, chosen by a Version value: Socket.IO v4
// (socket.io 2.x) and Socket.IO v5 (socket.io 3.x and 4.x).
//
// Sending: AppendValue (or AppendEvent, AppendArray) turns Go values into the
// JSON payload, replacing every []byte by a placeholder and collecting it as
// an attachment; AppendPacket writes the packet text; the attachments follow
// as binary Engine.IO messages. Receiving: a Decoder turns Engine.IO messages
// into packets; EventName or SplitArray split the payload into raw
// arguments; Unmarshal decodes each one, putting the attachments back.
//
// Nothing is copied on the way: packets alias the messages handed to the
// Decoder, raw arguments alias the packet, decoded []byte values alias the
// attachments, and attachments produced by AppendValue alias the values
// encoded. Buffers must therefore stay untouched while anything derived from
// them is in use.
//
// Every function here takes untrusted input: malformed input is an error,
// never a panic, and the work done is linear in the input (JSON nesting is
// bounded: Decoder.MaxDepth for packets, 10000 levels elsewhere).
package codec

import "fmt"

// Version is a Socket.IO protocol revision. Functions of this package treat
// every value other than V5 as V4, so the zero value means V4.
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
	// or nil when the packet has none. From a Decoder it is a slice of the
	// text message.
	Data []byte
	// Attachments are the binary attachments of a BINARY_EVENT or BINARY_ACK,
	// indexed by placeholder num. From a Decoder they are the binary
	// messages themselves.
	Attachments [][]byte
}

// ProtocolError is returned by the Decoder, EventName and SplitArray for
// input that does not follow the protocol. The reference closes the whole
// connection on it.
type ProtocolError struct {
	Reason string // what was wrong, for logs
}

// Error returns the reason with a prefix naming the layer.
func (e *ProtocolError) Error() string { return "socketio: bad packet: " + e.Reason }
