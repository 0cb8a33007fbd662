// Package codec encodes and decodes Engine.IO packets and polling payloads.
//
// It is pure: bytes in, values or an error out, no I/O and no state, so that
// every decoder can be fuzzed and benchmarked alone. Both protocol revisions
// are supported and chosen per call by a Version value: Engine.IO v3 (socket.io
// 2.x) and Engine.IO v4 (socket.io 3.x and 4.x).
//
// Encoders append to a caller-supplied slice (strconv.Append style) so that a
// transport can reuse its buffers. Decoders never panic on any input; they
// return a *ProtocolError describing the first bad byte they met.
package codec

import "fmt"

// Version is an Engine.IO protocol revision. Functions of this package treat
// every value other than V3 as V4.
type Version int

// The protocol revisions this package speaks.
const (
	V3 Version = 3 // socket.io 2.x: length-prefixed payloads, client pings
	V4 Version = 4 // socket.io 3.x/4.x: \x1e-separated payloads, server pings
)

// PacketType is the Engine.IO packet type, the first character (or byte) of a
// packet on the wire.
type PacketType byte

// The Engine.IO packet types.
const (
	Open    PacketType = 0 // server -> client, first packet of a session
	Close   PacketType = 1 // either side: end the session
	Ping    PacketType = 2 // v3: client -> server; v4: server -> client
	Pong    PacketType = 3 // the answer to Ping
	Message PacketType = 4 // application data, text or binary
	Upgrade PacketType = 5 // client -> server on the new transport
	Noop    PacketType = 6 // server -> client, releases a held poll
)

// String returns the lower-case protocol name of t ("open", "message", ...).
func (t PacketType) String() string {
	switch t {
	case Open:
		return "open"
	case Close:
		return "close"
	case Ping:
		return "ping"
	case Pong:
		return "pong"
	case Message:
		return "message"
	case Upgrade:
		return "upgrade"
	case Noop:
		return "noop"
	}
	return fmt.Sprintf("PacketType(%d)", byte(t))
}

// Packet is one Engine.IO packet.
//
// Data comes first so that the struct packs into 32 bytes: packets are held
// in every send queue.
type Packet struct {
	// Data is the packet's data, possibly empty. For a text packet it is
	// UTF-8 text; for a binary packet it is raw bytes. Decoders may return
	// Data aliasing their input (each says when), so a caller that reuses
	// the input buffer must copy Data first.
	Data []byte
	Type PacketType
	// Binary reports whether Data is binary. Only Message packets may be
	// binary.
	Binary bool
}

// ProtocolError is returned by every decoder for input that does not follow
// the protocol. The session that sent it is closed with reason "parse error".
type ProtocolError struct {
	What   string // what was being decoded: "packet", "payload", "jsonp body"
	Offset int    // byte offset of the problem in the input, or -1
	Reason string // what is wrong, in words
}

func (e *ProtocolError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("engineio: bad %s at byte %d: %s", e.What, e.Offset, e.Reason)
	}
	return fmt.Sprintf("engineio: bad %s: %s", e.What, e.Reason)
}
