package codec

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// recordSeparator joins the packets of a v4 string payload.
const recordSeparator = 0x1e

// maxLengthDigits is the reference's guard on XHR2 length digits, meant as
// the 310 digits of JavaScript's Number.MAX_VALUE. The reference tests the
// digits read so far before appending the next, so it takes 311 and fails at
// the 312th (checked against engine.io-parser 2.2.1).
const maxLengthDigits = 311

// maxPrealloc bounds the packet slice a decoder allocates up front from a
// guess at the count, so that a garbage body of separators fails cheaply
// instead of reserving memory for packets it does not hold.
const maxPrealloc = 64

// AppendStringPayload appends packets as one string payload. v3: each packet
// as "<length>:<packet>" where length counts the UTF-16 code units of the
// encoded packet (see below), binary packets in base64 form; an empty list is
// "0:". v4: packets joined by 0x1e, binary ones as "b" + base64; an empty
// list appends nothing (the reference never sends one). v4 text data must
// not contain 0x1e, which the framing cannot escape.
//
// The v3 length is what JavaScript's String.length gives for the packet once
// the client has decoded the body as UTF-8: 1 per character up to U+FFFF, 2
// above. A byte that is not part of valid UTF-8 counts 1, as the U+FFFD a
// decoder puts in its place would. (The WHATWG decoder of browsers and Node
// replaces a truncated multi-byte sequence by a single U+FFFD, so for such
// input the count can differ; text packets are meant to hold valid UTF-8.)
func AppendStringPayload(dst []byte, packets []Packet, v Version) []byte {
	if v == V3 && len(packets) == 0 {
		return append(dst, "0:"...)
	}
	dst = slices.Grow(dst, stringPayloadSize(packets))
	for i, p := range packets {
		if v == V3 {
			dst = strconv.AppendInt(dst, int64(textUnits(p)), 10)
			dst = append(dst, ':')
		} else if i > 0 {
			dst = append(dst, recordSeparator)
		}
		dst = AppendText(dst, p, v)
	}
	return dst
}

// stringPayloadSize is an upper bound of the size of a string payload of
// packets, so that it can be appended with at most one allocation.
func stringPayloadSize(packets []Packet) int {
	n := 0
	for _, p := range packets {
		// Length digits, ':', "b4".
		n += 24
		if p.Binary {
			n += base64.StdEncoding.EncodedLen(len(p.Data))
		} else {
			n += len(p.Data)
		}
	}
	return n
}

// textUnits returns the v3 length of p's text form in UTF-16 code units.
func textUnits(p Packet) int {
	if p.Binary {
		// "b4" and base64, all ASCII.
		return 2 + base64.StdEncoding.EncodedLen(len(p.Data))
	}
	return 1 + utf16Len(p.Data)
}

// utf16Len returns the number of UTF-16 code units of s decoded as UTF-8,
// with each byte of an invalid sequence counting 1 (see AppendStringPayload).
// It walks the bytes instead of converting, to stay allocation-free, eight
// at a time while they are ASCII.
func utf16Len(s []byte) int {
	n := 0
	for i := 0; i < len(s); {
		if len(s)-i >= 8 && asciiWord(s[i:]) {
			n += 8
			i += 8
			continue
		}
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		// utf8.DecodeRune reports each invalid byte as (RuneError, 1).
		n += unitsOf(r)
		i += size
	}
	return n
}

// asciiWord reports whether the first eight bytes of s are all ASCII.
func asciiWord(s []byte) bool {
	return binary.LittleEndian.Uint64(s)&0x8080808080808080 == 0
}

func unitsOf(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// advanceUnits returns the offset in s reached by walking n UTF-16 code units
// from offset i, counted as utf16Len does. ok is false when s ends first or
// when the n-th unit would fall inside a character above U+FFFF (the
// reference would cut a surrogate pair in two there).
func advanceUnits(s []byte, i, n int) (end int, ok bool) {
	if n > len(s)-i {
		// Every unit takes at least one byte.
		return i, false
	}
	for n > 0 {
		if i >= len(s) {
			return i, false
		}
		if n >= 8 && len(s)-i >= 8 && asciiWord(s[i:]) {
			i += 8
			n -= 8
			continue
		}
		if s[i] < utf8.RuneSelf {
			i++
			n--
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		u := unitsOf(r)
		if u > n {
			return i, false
		}
		n -= u
		i += size
	}
	return i, true
}

// AppendBinaryPayload appends packets as a v3 XHR2 binary payload: per packet
// a flag byte (0 string, 1 binary), the length as one raw byte 0-9 per decimal
// digit, 0xff, then the packet (string packets as UTF-8 text with the type
// digit, counted in bytes; binary packets as the type byte + data). An empty
// list appends nothing, as the reference does. There is no v4 form.
func AppendBinaryPayload(dst []byte, packets []Packet) []byte {
	n := 0
	for _, p := range packets {
		n += 24 + len(p.Data)
	}
	dst = slices.Grow(dst, n)
	for _, p := range packets {
		typ := '0' + byte(p.Type)
		if p.Binary {
			dst = append(dst, 1)
			typ = byte(p.Type)
		} else {
			dst = append(dst, 0)
		}
		digits := len(dst)
		dst = strconv.AppendInt(dst, int64(1+len(p.Data)), 10)
		for i := digits; i < len(dst); i++ {
			dst[i] -= '0'
		}
		dst = append(dst, 0xff, typ)
		dst = append(dst, p.Data...)
	}
	return dst
}

// DecodePayload decodes a polling body. binary is true for a body sent with
// Content-Type application/octet-stream (a v3 XHR2 payload; an error for v4).
// An empty body is an error, and so is every v4 entry that is empty; a
// zero-length v3 string entry ("0:") is skipped, as the reference does.
//
// On error the packets decoded before the bad entry are returned with it, as
// the reference hands them over one by one before it fails. The exception is
// an XHR2 framing error (flag, length digits, a length past the end): the
// reference splits the whole body before it decodes any packet, so then no
// packet is returned.
//
// Data of text and XHR2 binary packets aliases body; only base64 packets get
// fresh memory.
//
// Where the reference is lenient about input no client sends, this decoder
// refuses it: a v3 length must be decimal digits (the reference's Number()
// also takes " 12" or "0x1f"); a v3 length ending inside a character above
// U+FFFF fails before that packet (the reference hands over half a surrogate
// pair, then fails); an XHR2 flag must be 0 or 1, its length digits raw
// 0-9, and the length must fit (the reference truncates); base64 must be
// standard and padded (Node skips bad characters).
func DecodePayload(body []byte, binary bool, v Version) ([]Packet, error) {
	if len(body) == 0 {
		return nil, &ProtocolError{What: "payload", Offset: -1, Reason: "empty payload"}
	}
	var (
		pkts []Packet
		err  *ProtocolError
	)
	switch {
	case binary && v != V3:
		return nil, &ProtocolError{What: "payload", Offset: -1, Reason: "binary payload in protocol v4"}
	case binary:
		pkts, err = decodeBinaryPayload(body)
	case v == V3:
		pkts, err = decodeStringPayloadV3(body)
	default:
		pkts, err = decodeStringPayloadV4(body)
	}
	if err != nil {
		return pkts, err
	}
	return pkts, nil
}

func decodeStringPayloadV3(body []byte) ([]Packet, *ProtocolError) {
	// Every entry has one ':', so their count bounds the packets; but JSON
	// data holds many more, so the guess is kept small.
	pkts := make([]Packet, 0, min(bytes.Count(body, []byte{':'}), 8))
	for i := 0; i < len(body); {
		start := i
		n := 0
		for ; i < len(body) && body[i] != ':'; i++ {
			c := body[i]
			if c < '0' || c > '9' {
				return pkts, &ProtocolError{What: "payload", Offset: i, Reason: fmt.Sprintf("length character %q is not a digit", c)}
			}
			// Saturate: any length beyond len(body) is past the end anyway,
			// and stopping there keeps n from overflowing.
			if n <= len(body) {
				n = n*10 + int(c-'0')
			}
		}
		if i == len(body) {
			return pkts, &ProtocolError{What: "payload", Offset: start, Reason: "trailing characters without ':'"}
		}
		if i == start {
			return pkts, &ProtocolError{What: "payload", Offset: i, Reason: "empty length"}
		}
		i++ // ':'
		end, ok := advanceUnits(body, i, n)
		if !ok {
			return pkts, &ProtocolError{What: "payload", Offset: start, Reason: "length runs past the end or splits a character"}
		}
		if end == i {
			continue
		}
		p, err := decodeText(body[i:end], V3, i, "payload")
		if err != nil {
			return pkts, err
		}
		pkts = append(pkts, p)
		i = end
	}
	return pkts, nil
}

func decodeStringPayloadV4(body []byte) ([]Packet, *ProtocolError) {
	pkts := make([]Packet, 0, min(bytes.Count(body, []byte{recordSeparator})+1, maxPrealloc))
	for off := 0; ; {
		end := len(body)
		j := bytes.IndexByte(body[off:], recordSeparator)
		if j >= 0 {
			end = off + j
		}
		p, err := decodeText(body[off:end], V4, off, "payload")
		if err != nil {
			return pkts, err
		}
		pkts = append(pkts, p)
		if j < 0 {
			return pkts, nil
		}
		off = end + 1
	}
}

// decodeBinaryPayload decodes a v3 XHR2 payload. It keeps walking the framing
// after a bad packet so that a framing error anywhere wins and returns no
// packets, as in the reference (see DecodePayload).
func decodeBinaryPayload(body []byte) ([]Packet, *ProtocolError) {
	var (
		pkts   = make([]Packet, 0, min(countXHR2Entries(body), maxPrealloc))
		badPkt *ProtocolError
	)
	for i := 0; i < len(body); {
		start := i
		flag := body[i]
		if flag > 1 {
			// The reference takes any non-zero flag as binary; only 0 and 1
			// are ever written.
			return nil, &ProtocolError{What: "payload", Offset: i, Reason: fmt.Sprintf("flag byte %d is neither 0 (string) nor 1 (binary)", flag)}
		}
		i++
		n, digits := 0, 0
		for ; i < len(body) && body[i] != 0xff; i++ {
			d := body[i]
			if d > 9 {
				return nil, &ProtocolError{What: "payload", Offset: i, Reason: fmt.Sprintf("length byte %d is not a digit 0-9", d)}
			}
			digits++
			if digits > maxLengthDigits {
				return nil, &ProtocolError{What: "payload", Offset: i, Reason: "length has more than 311 digits"}
			}
			if n <= len(body) {
				n = n*10 + int(d)
			}
		}
		if i == len(body) {
			return nil, &ProtocolError{What: "payload", Offset: start, Reason: "length not terminated by 0xff"}
		}
		if digits == 0 {
			return nil, &ProtocolError{What: "payload", Offset: i, Reason: "empty length"}
		}
		i++ // 0xff
		if n > len(body)-i {
			return nil, &ProtocolError{What: "payload", Offset: start, Reason: "length runs past the end"}
		}
		entry := body[i : i+n]
		if badPkt == nil {
			var p Packet
			if flag == 0 {
				p, badPkt = decodeXHR2Text(entry, i)
			} else {
				p, badPkt = decodeXHR2Binary(entry, i)
			}
			if badPkt == nil {
				pkts = append(pkts, p)
			}
		}
		i += n
	}
	return pkts, badPkt
}

// decodeXHR2Text decodes a string entry of an XHR2 payload. Unlike a string
// payload, which the server decodes leniently as a whole, the reference runs
// each such entry through a UTF-8 decoder that throws on malformed input.
func decodeXHR2Text(s []byte, off int) (Packet, *ProtocolError) {
	if at, ok := validXHR2Text(s); !ok {
		return Packet{}, &ProtocolError{What: "payload", Offset: off + at, Reason: "string packet is not valid UTF-8"}
	}
	return decodeText(s, V3, off, "payload")
}

// validXHR2Text reports whether the reference's decoder (utf8.js, non-strict)
// accepts s, and if not the offset of the first bad byte. That is well-formed
// UTF-8 plus encoded surrogates (ED A0-BF 80-BF), which browsers write for
// lone surrogates of a JavaScript string; the reference turns them into
// U+FFFD, here they are kept as they are.
func validXHR2Text(s []byte) (int, bool) {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2]&0xC0 == 0x80 {
				i += 3
				continue
			}
			return i, false
		}
		i += size
	}
	return 0, true
}

// decodeXHR2Binary decodes a binary entry of an XHR2 payload: the raw type
// byte then the data.
func decodeXHR2Binary(b []byte, off int) (Packet, *ProtocolError) {
	if len(b) == 0 {
		return Packet{}, &ProtocolError{What: "payload", Offset: off, Reason: "empty binary packet"}
	}
	if b[0] != byte(Message) {
		return Packet{}, &ProtocolError{What: "payload", Offset: off, Reason: fmt.Sprintf("binary packet of type %d: only messages may be binary", b[0])}
	}
	return Packet{Type: Message, Data: nilIfEmpty(b[1:]), Binary: true}, nil
}

// countXHR2Entries counts the entries of an XHR2 payload by skipping from
// length to length, stopping at the first thing out of place, so that the
// packet slice can be allocated once. It is cheap: it never looks inside an
// entry.
func countXHR2Entries(body []byte) int {
	count := 0
	for i := 0; i < len(body); count++ {
		i++ // flag
		n, digits := 0, 0
		for ; i < len(body) && body[i] <= 9 && digits < 19; i++ {
			n = n*10 + int(body[i])
			digits++
		}
		if i >= len(body) || body[i] != 0xff || n > len(body)-i-1 {
			return count + 1
		}
		i += 1 + n
	}
	return count
}
