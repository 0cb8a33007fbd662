package codec

import "strconv"

// AppendPacket appends the text form of p (without the Engine.IO "4") to dst:
//
//	<type>[<len(Attachments)>-][<nsp>,][<id>][<Data>]
//
// Event and Ack packets with attachments are written as BinaryEvent and
// BinaryAck, as both reference encoders do. For V4, BinaryEvent and BinaryAck
// packets without attachments are written as Event and Ack, since v4 peers
// refuse an attachment count of 0; v5 peers accept it, so V5 writes them as
// they are. The attachments themselves travel as separate binary Engine.IO
// messages right after the text, in order, with nothing in between.
//
// AppendPacket trusts p: Data must be valid JSON (as AppendValue produces)
// and Namespace must not contain a ',' (a namespace of "" or "/" is left out).
func AppendPacket(dst []byte, p *Packet, v Version) []byte {
	t := p.Type
	n := len(p.Attachments)
	switch {
	case n > 0 && t == Event:
		t = BinaryEvent
	case n > 0 && t == Ack:
		t = BinaryAck
	case n == 0 && v != V5 && t == BinaryEvent:
		t = Event
	case n == 0 && v != V5 && t == BinaryAck:
		t = Ack
	}
	dst = append(dst, '0'+byte(t))
	if t == BinaryEvent || t == BinaryAck {
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, '-')
	}
	if p.Namespace != "" && p.Namespace != "/" {
		dst = append(dst, p.Namespace...)
		dst = append(dst, ',')
	}
	if p.HasID {
		dst = strconv.AppendUint(dst, p.ID, 10)
	}
	return append(dst, p.Data...)
}

// IsReserved reports whether name is one of the event names that Socket.IO
// v5 parsers refuse on the wire (connect, connect_error, disconnect,
// disconnecting, newListener, removeListener), because they name lifecycle
// events of a socket. The Decoder refuses them for V5; v4 peers send them
// freely, so a v4 server should still keep them away from its lifecycle
// handlers.
func IsReserved(name string) bool {
	switch name {
	case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
		return true
	}
	return false
}
