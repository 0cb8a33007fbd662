package codec

import (
	"encoding/base64"
	"fmt"
)

// AppendText appends the text form of p: the type digit then Data ("4hello",
// "3", "2probe"). A binary p is written in base64 form, as AppendBase64 does.
// This is the websocket text frame and the unit of a string payload.
//
// p.Type must be one of the PacketType constants; the encoders do not check
// what the decoders would reject.
func AppendText(dst []byte, p Packet, v Version) []byte {
	if p.Binary {
		return appendBase64(dst, p, v)
	}
	dst = append(dst, '0'+byte(p.Type))
	return append(dst, p.Data...)
}

// AppendBase64 appends p in base64 form: v3 "b4" + base64(Data), v4 "b" +
// base64(Data) (standard encoding, padded). Used for binary packets in string
// payloads and for websocket text frames of b64 sessions. A text p is written
// as AppendText does.
func AppendBase64(dst []byte, p Packet, v Version) []byte {
	if !p.Binary {
		return AppendText(dst, p, v)
	}
	return appendBase64(dst, p, v)
}

func appendBase64(dst []byte, p Packet, v Version) []byte {
	dst = append(dst, 'b')
	if v == V3 {
		dst = append(dst, '0'+byte(p.Type))
	}
	return base64.StdEncoding.AppendEncode(dst, p.Data)
}

// AppendBinary appends the websocket binary frame of a binary message p:
// v3 the raw type byte 0x04 then Data; v4 Data alone. p.Binary is not
// consulted: the caller chose the binary frame.
func AppendBinary(dst []byte, p Packet, v Version) []byte {
	if v == V3 {
		dst = append(dst, byte(p.Type))
	}
	return append(dst, p.Data...)
}

// DecodeText decodes a websocket text frame or one entry of a string payload:
// a type digit 0-6 then data, or a base64 binary message, "b" + base64 (v3:
// "b4" + base64; any other type after "b" is an error, since only messages
// may be binary). The base64 must be standard and padded.
//
// A text packet's Data aliases s; a base64 packet's Data is freshly
// allocated. Empty Data is nil.
func DecodeText(s []byte, v Version) (Packet, error) {
	p, err := decodeText(s, v, 0, "packet")
	if err != nil {
		return Packet{}, err
	}
	return p, nil
}

// DecodeBinary decodes a websocket binary frame: v3 the first byte is the raw
// packet type, which must be 4 (message); v4 the whole frame is the data of a
// binary message, so every frame, even an empty one, is valid.
//
// Data aliases b; empty Data is nil.
func DecodeBinary(b []byte, v Version) (Packet, error) {
	if v == V3 {
		if len(b) == 0 {
			return Packet{}, &ProtocolError{What: "packet", Offset: 0, Reason: "empty binary frame"}
		}
		if b[0] != byte(Message) {
			return Packet{}, &ProtocolError{What: "packet", Offset: 0, Reason: fmt.Sprintf("binary packet of type %d: only messages may be binary", b[0])}
		}
		b = b[1:]
	}
	return Packet{Type: Message, Data: nilIfEmpty(b), Binary: true}, nil
}

// decodeText is DecodeText for a packet found at offset off of a larger input
// (a payload), so that errors point into that input. It returns a concrete
// pointer, which callers must not store in an error interface when nil.
func decodeText(s []byte, v Version, off int, what string) (Packet, *ProtocolError) {
	if len(s) == 0 {
		return Packet{}, &ProtocolError{What: what, Offset: off, Reason: "empty packet"}
	}
	c := s[0]
	if c == 'b' {
		enc := s[1:]
		if v == V3 {
			// The reference accepts any character here and yields a packet of
			// type undefined; only a binary message has a meaning.
			if len(s) < 2 {
				return Packet{}, &ProtocolError{What: what, Offset: off + 1, Reason: "base64 packet without a type"}
			}
			if s[1] != '0'+byte(Message) {
				return Packet{}, &ProtocolError{What: what, Offset: off + 1, Reason: fmt.Sprintf("base64 packet of type %q: only messages may be binary", s[1])}
			}
			enc = s[2:]
		}
		start := off + len(s) - len(enc)
		data, err := base64.StdEncoding.AppendDecode(nil, enc)
		if err != nil {
			at := start
			if cie, ok := err.(base64.CorruptInputError); ok {
				at += int(cie)
			}
			return Packet{}, &ProtocolError{What: what, Offset: at, Reason: "bad base64"}
		}
		return Packet{Type: Message, Data: nilIfEmpty(data), Binary: true}, nil
	}
	if c < '0' || c > '0'+byte(Noop) {
		return Packet{}, &ProtocolError{What: what, Offset: off, Reason: fmt.Sprintf("unknown packet type %q", c)}
	}
	return Packet{Type: PacketType(c - '0'), Data: nilIfEmpty(s[1:])}, nil
}

// nilIfEmpty keeps an empty packet from pinning the input buffer through a
// zero-length sub-slice.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
