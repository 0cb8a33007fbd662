package codec

import (
	"bytes"
	"fmt"
	"math"
)

// Defaults of the Decoder limits.
const (
	DefaultMaxAttachments = 10 // socket.io-parser's maxAttachments
	DefaultMaxDepth       = 32
)

// Decoder turns Engine.IO messages into packets, reassembling binary packets
// from their header and attachments, with the checks of socket.io-parser
// 3.4.5 (V4) and 4.x (V5). The zero value is ready to use with the defaults
// below. A Decoder belongs to one connection and is not safe for concurrent
// use.
//
// The Decoder does not copy: a returned packet's Data is a slice of the text
// message it was decoded from and its Attachments are the binary messages
// themselves. So a buffer passed to Add, text or binary, must not be modified
// or reused while the packet built from it (or anything Unmarshal decoded
// from that packet, since []byte values alias attachments) is in use; for a
// binary packet that includes the calls in which its later attachments
// arrive.
type Decoder struct {
	Version Version // zero means V4
	// MaxAttachments bounds the attachment count of one packet (the
	// reference's maxAttachments); zero means DefaultMaxAttachments.
	MaxAttachments int
	// MaxDepth bounds the JSON nesting of Data (each array or object is one
	// level); zero means DefaultMaxDepth.
	MaxDepth int

	pending *Packet // binary packet waiting for attachments
	want    int     // its attachment count
}

// Add feeds one Engine.IO message: data is the message's payload (for text,
// the Socket.IO packet without the Engine.IO "4"), binary tells which kind
// of message it was. Add returns the finished packet, or (nil, nil) while a
// binary packet still waits for attachments. Errors are *ProtocolError;
// after one the Decoder is reset, and the caller is expected to close the
// connection, as the reference does.
//
// Like the reference, Add accepts a packet of any type without payload ("2"
// is an EVENT with nil Data); the layer above decides what that means. It
// differs from the reference only where the reference accepts by accident:
// JavaScript's Number() reads "" and whitespace as 0, so the reference takes
// an empty message for a CONNECT, a "5-" for 0 attachments and a space after
// the type for ack id 0, where Add wants digits and leaves whitespace to the
// JSON; a placeholder's num must be an integer, placeholders inside a
// placeholder object are checked too, and a placeholder in a packet that
// announces 0 attachments (V5) is an error rather than left in place. Add
// checks placeholders as soon as the header arrives rather than after the
// last attachment, and refuses an ack id beyond uint64.
func (d *Decoder) Add(data []byte, binary bool) (*Packet, error) {
	if binary {
		p := d.pending
		if p == nil {
			return nil, protocolErrorf("binary message without a binary packet header")
		}
		p.Attachments = append(p.Attachments, data)
		if len(p.Attachments) < d.want {
			return nil, nil
		}
		d.Reset()
		return p, nil
	}
	if d.pending != nil {
		missing := d.want - len(d.pending.Attachments)
		d.Reset()
		return nil, protocolErrorf("text message while %d attachment(s) are still missing", missing)
	}
	p, n, err := d.parse(data)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		p.Attachments = make([][]byte, 0, n)
		d.pending, d.want = p, n
		return nil, nil
	}
	return p, nil
}

// Reset drops a partly reconstructed packet.
func (d *Decoder) Reset() {
	d.pending, d.want = nil, 0
}

func protocolErrorf(format string, args ...any) *ProtocolError {
	return &ProtocolError{Reason: fmt.Sprintf(format, args...)}
}

// parse decodes the text of one packet and returns it with its attachment
// count. It follows socket.io-parser's decodeString step by step.
func (d *Decoder) parse(s []byte) (*Packet, int, error) {
	if len(s) == 0 {
		return nil, 0, protocolErrorf("empty packet")
	}
	if s[0] < '0' || s[0] > '6' {
		return nil, 0, protocolErrorf("unknown packet type %s", quoteByte(s[0]))
	}
	p := &Packet{Type: PacketType(s[0] - '0'), Namespace: "/"}
	i := 1

	// Attachment count: digits up to a '-'.
	n := 0
	if p.Type == BinaryEvent || p.Type == BinaryAck {
		limit := d.MaxAttachments
		if limit <= 0 {
			limit = DefaultMaxAttachments
		}
		start := i
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
			n = n*10 + int(s[i]-'0')
			if n > limit {
				return nil, 0, protocolErrorf("more than %d attachments", limit)
			}
		}
		if i == start || i == len(s) || s[i] != '-' {
			return nil, 0, protocolErrorf("illegal attachment count")
		}
		if n == 0 && d.Version != V5 {
			return nil, 0, protocolErrorf("attachment count 0")
		}
		i++
	}

	// Namespace, only if the next character is '/': up to the first ',' (which
	// is consumed) or the end.
	if i < len(s) && s[i] == '/' {
		start := i
		for i < len(s) && s[i] != ',' {
			i++
		}
		if nsp := s[start:i]; len(nsp) != 1 {
			p.Namespace = string(nsp)
		}
		if i < len(s) {
			i++
		}
	}

	// Ack id: the longest run of digits. 0 is a real id.
	if i < len(s) && '0' <= s[i] && s[i] <= '9' {
		p.HasID = true
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
			digit := uint64(s[i] - '0')
			if p.ID > (math.MaxUint64-digit)/10 {
				return nil, 0, protocolErrorf("ack id overflows")
			}
			p.ID = p.ID*10 + digit
		}
	}

	if i < len(s) {
		p.Data = s[i:]
		if err := d.checkData(p, n); err != nil {
			return nil, 0, err
		}
	}
	return p, n, nil
}

// checkData validates p.Data as JSON of the shape p.Type requires, with its
// placeholders for binary packets.
func (d *Decoder) checkData(p *Packet, attachments int) error {
	if p.Type == Disconnect {
		return protocolErrorf("invalid payload for DISCONNECT: it takes none")
	}
	depth := d.MaxDepth
	if depth <= 0 {
		depth = DefaultMaxDepth
	}
	binary := p.Type == BinaryEvent || p.Type == BinaryAck
	sc := scanner{data: p.Data, maxDepth: depth, placeholders: binary, attachments: attachments}
	kind, err := sc.document()
	if err != nil {
		return protocolErrorf("invalid payload for %v: %v", p.Type, err)
	}
	switch p.Type {
	case Connect:
		if kind != kindObject {
			return protocolErrorf("invalid payload for CONNECT: %s, want an object", kindName(kind))
		}
	case Error:
		if kind != kindString && kind != kindObject {
			return protocolErrorf("invalid payload for ERROR: %s, want a string or an object", kindName(kind))
		}
	case Ack, BinaryAck:
		if kind != kindArray {
			return protocolErrorf("invalid payload for %v: %s, want an array", p.Type, kindName(kind))
		}
	case Event, BinaryEvent:
		if kind != kindArray {
			return protocolErrorf("invalid payload for %v: %s, want an array", p.Type, kindName(kind))
		}
		return d.checkEventName(p)
	}
	return nil
}

// checkEventName checks the first element of a valid event array: a string
// (not a reserved name in V5) or a number.
func (d *Decoder) checkEventName(p *Packet) error {
	sc := scanner{data: p.Data, maxDepth: maxNesting}
	sc.skipSpace()
	sc.pos++ // [
	sc.skipSpace()
	start := sc.pos
	if sc.data[sc.pos] == ']' {
		return protocolErrorf("invalid payload for %v: empty array, want an event name", p.Type)
	}
	kind, _ := sc.value(1) // valid: checked by the caller
	switch {
	case kind == kindNumber:
	case kind != kindString:
		return protocolErrorf("invalid payload for %v: event name is %s, want a string or a number", p.Type, kindName(kind))
	case d.Version == V5:
		if isReservedLiteral(sc.data[start:sc.pos]) {
			return protocolErrorf("invalid payload for %v: reserved event name %s", p.Type, sc.data[start:sc.pos])
		}
	}
	return nil
}

// isReservedLiteral reports whether the JSON string literal raw (quotes
// included, valid) names a reserved event. The unescaped case, which is all
// real traffic, converts nothing.
func isReservedLiteral(raw []byte) bool {
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return IsReserved(string(body))
	}
	name, err := unquote(raw)
	return err != nil || IsReserved(name)
}
