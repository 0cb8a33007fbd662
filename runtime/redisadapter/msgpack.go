package redisadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/siogen/siogen/runtime/socketio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// socket.io-redis publishes a broadcast as notepack.io's msgpack of
// [uid, packet, opts]: packet is socket.io-parser's packet object
// {type, data, nsp} with every Buffer inline (msgpack bin) instead of the
// placeholders of the wire format, and opts is {rooms, except, flags}. The
// runtime keeps a packet as JSON with placeholders plus attachments, so a
// broadcast is transcoded each way, JSON tree by JSON tree.

// maxDepth bounds the nesting of a transcoded value, so that a hostile
// publication cannot exhaust the stack.
const maxDepth = 1000

// broadcastMessage is a decoded publication.
type broadcastMessage struct {
	uid    string
	packet *codec.Packet
	opts   socketio.BroadcastOptions
}

// encodeBroadcast returns the msgpack of [uid, {type, data, nsp}, {rooms,
// except, flags}] as notepack.io encodes it: the same types and the
// smallest forms, so that a Node node reads what it would have sent.
//
// With v4, it is written as @socket.io/redis-adapter 8.x writes it: a
// packet with binary is still of type EVENT (socket.io 4.x's encoder finds
// the binary itself, and would misread a BINARY_EVENT without an
// attachment count), and except is there even when empty.
func encodeBroadcast(uid string, p *codec.Packet, nsp string, opts socketio.BroadcastOptions, v4 bool) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(p.Data) + 64)
	e := msgpack.GetEncoder()
	defer msgpack.PutEncoder(e)
	e.Reset(&buf)
	e.EncodeArrayLen(3)
	e.EncodeString(uid)
	if err := encodePacket(e, p, nsp, v4); err != nil {
		return nil, err
	}
	encodeOpts(e, opts, 0, v4)
	return buf.Bytes(), nil // bytes.Buffer writes do not fail
}

// encodePacket writes the packet object {type, data, nsp}.
func encodePacket(e *msgpack.Encoder, p *codec.Packet, nsp string, v4 bool) error {
	data, err := parseJSON(p.Data, p.Attachments)
	if err != nil {
		return fmt.Errorf("redisadapter: encode broadcast: %w", err)
	}
	typ := codec.Event
	if len(p.Attachments) > 0 && !v4 {
		typ = codec.BinaryEvent
	}
	e.EncodeMapLen(3) // the key order of socket.io 2.x: type, data, then nsp set by the adapter
	e.EncodeString("type")
	e.EncodeInt(int64(typ))
	e.EncodeString("data")
	data.encode(e)
	e.EncodeString("nsp")
	e.EncodeString(nsp)
	return nil
}

// encodeOpts writes {rooms, except, flags}; flags holds timeout (in
// milliseconds) when it is positive.
func encodeOpts(e *msgpack.Encoder, opts socketio.BroadcastOptions, timeout time.Duration, v4 bool) {
	n := 2
	withExcept := len(opts.Except) > 0 || v4
	if withExcept {
		n++
	}
	e.EncodeMapLen(n)
	e.EncodeString("rooms")
	encodeStrings(e, opts.Rooms)
	if withExcept {
		e.EncodeString("except")
		encodeStrings(e, opts.Except)
	}
	e.EncodeString("flags")
	if timeout > 0 {
		e.EncodeMapLen(1)
		e.EncodeString("timeout")
		e.EncodeInt(timeout.Milliseconds())
	} else {
		e.EncodeMapLen(0)
	}
}

// encodeBroadcastRequest returns @socket.io/redis-adapter 8.x's request
// of a broadcast with acks: {uid, requestId, type, packet, opts}.
func encodeBroadcastRequest(uid, requestID string, p *codec.Packet, nsp string, opts socketio.BroadcastOptions, timeout time.Duration) ([]byte, error) {
	var buf bytes.Buffer
	e := msgpack.GetEncoder()
	defer msgpack.PutEncoder(e)
	e.Reset(&buf)
	e.EncodeMapLen(5)
	e.EncodeString("uid")
	e.EncodeString(uid)
	e.EncodeString("requestId")
	e.EncodeString(requestID)
	e.EncodeString("type")
	e.EncodeInt(request8Broadcast)
	e.EncodeString("packet")
	if err := encodePacket(e, p, nsp, true); err != nil {
		return nil, err
	}
	e.EncodeString("opts")
	encodeOpts(e, opts, timeout, true)
	return buf.Bytes(), nil
}

// decodeBroadcastRequest decodes a msgpack request of
// @socket.io/redis-adapter 8.x (the broadcast with acks) into req.
func decodeBroadcastRequest(payload string, req *request8Message) error {
	r := strings.NewReader(payload)
	d := msgpack.GetDecoder()
	defer msgpack.PutDecoder(d)
	d.Reset(r)
	t := &fromMsgpack{d: d, r: r}
	n, err := d.DecodeMapLen()
	if err != nil {
		return fmt.Errorf("redisadapter: request is not a map: %w", err)
	}
	for range n {
		key, err := d.DecodeString()
		if err != nil {
			return fmt.Errorf("redisadapter: request key: %w", err)
		}
		switch key {
		case "uid":
			req.UID, err = d.DecodeString()
		case "requestId":
			req.RequestID, err = d.DecodeString()
		case "type":
			req.Type, err = d.DecodeInt()
		case "packet":
			req.packet, err = t.packet()
		case "opts":
			req.bopts, req.timeout, err = t.optsWithTimeout()
		default:
			err = d.Skip()
		}
		if err != nil {
			return fmt.Errorf("redisadapter: request %s: %w", key, err)
		}
	}
	return nil
}

// optsWithTimeout decodes {rooms, except, flags} and flags.timeout (ms).
func (t *fromMsgpack) optsWithTimeout() (socketio.BroadcastOptions, time.Duration, error) {
	var o socketio.BroadcastOptions
	var timeout time.Duration
	n, err := t.d.DecodeMapLen()
	if err != nil || n < 0 {
		return o, 0, errors.New("opts is not a map")
	}
	for range n {
		key, err := t.d.DecodeString()
		if err != nil {
			return o, 0, err
		}
		switch key {
		case "rooms":
			o.Rooms, err = t.names()
		case "except":
			o.Except, err = t.names()
		case "flags":
			timeout, err = t.timeoutFlag()
		default:
			err = t.d.Skip()
		}
		if err != nil {
			return o, 0, err
		}
	}
	return o, timeout, nil
}

// timeoutFlag decodes the flags object, returning its timeout (ms).
func (t *fromMsgpack) timeoutFlag() (time.Duration, error) {
	c, err := t.d.PeekCode()
	if err != nil {
		return 0, err
	}
	if !msgpcode.IsFixedMap(c) && c != msgpcode.Map16 && c != msgpcode.Map32 {
		return 0, t.d.Skip()
	}
	n, err := t.d.DecodeMapLen()
	if err != nil {
		return 0, err
	}
	var timeout time.Duration
	for range n {
		key, err := t.d.DecodeString()
		if err != nil {
			return 0, err
		}
		if key != "timeout" {
			if err := t.d.Skip(); err != nil {
				return 0, err
			}
			continue
		}
		v, _, err := t.value(nil, 1)
		if err != nil {
			return 0, err
		}
		if ms, err := strconv.ParseFloat(string(v), 64); err == nil && ms > 0 && ms < float64(time.Hour/time.Millisecond) {
			timeout = time.Duration(ms * float64(time.Millisecond))
		}
	}
	return timeout, nil
}

// encodeBroadcastAck returns the answer carrying a client's ack to a
// broadcast with acks: {type, requestId, packet: the ack's first argument}.
func encodeBroadcastAck(requestID string, ack *socketio.Args) ([]byte, error) {
	var buf bytes.Buffer
	e := msgpack.GetEncoder()
	defer msgpack.PutEncoder(e)
	e.Reset(&buf)
	e.EncodeMapLen(3)
	e.EncodeString("type")
	e.EncodeInt(request8BroadcastAck)
	e.EncodeString("requestId")
	e.EncodeString(requestID)
	e.EncodeString("packet")
	if ack == nil || ack.Len() == 0 {
		e.EncodeNil()
		return buf.Bytes(), nil
	}
	v, err := parseJSON(ack.Raw[0], ack.Attachments)
	if err != nil {
		return nil, err
	}
	v.encode(e)
	return buf.Bytes(), nil
}

// decodeBroadcastAck decodes the answer encodeBroadcastAck writes.
func decodeBroadcastAck(payload string) (requestID string, ack *socketio.Args, err error) {
	r := strings.NewReader(payload)
	d := msgpack.GetDecoder()
	defer msgpack.PutDecoder(d)
	d.Reset(r)
	t := &fromMsgpack{d: d, r: r}
	n, err := d.DecodeMapLen()
	if err != nil {
		return "", nil, fmt.Errorf("redisadapter: answer is not a map: %w", err)
	}
	ack = &socketio.Args{}
	for range n {
		key, err := d.DecodeString()
		if err != nil {
			return "", nil, fmt.Errorf("redisadapter: answer key: %w", err)
		}
		switch key {
		case "requestId":
			requestID, err = d.DecodeString()
		case "packet":
			var v []byte
			v, _, err = t.value(nil, 0)
			ack.Raw = [][]byte{v}
		default:
			err = d.Skip()
		}
		if err != nil {
			return "", nil, fmt.Errorf("redisadapter: answer %s: %w", key, err)
		}
	}
	ack.Attachments = t.attachments
	return requestID, ack, nil
}

func encodeStrings(e *msgpack.Encoder, ss []string) {
	e.EncodeArrayLen(len(ss))
	for _, s := range ss {
		e.EncodeString(s)
	}
}

// decodeBroadcast decodes a publication of socket.io-redis 5.x (or of this
// package) into a packet ready for local delivery. A publication of the
// node whose uid is self is left undecoded: the result is nil, nil.
// Anything but an EVENT or BINARY_EVENT packet is an error.
func decodeBroadcast(payload, self string) (*broadcastMessage, error) {
	r := strings.NewReader(payload)
	d := msgpack.GetDecoder()
	defer msgpack.PutDecoder(d)
	d.Reset(r)
	t := &fromMsgpack{d: d, r: r}
	n, err := d.DecodeArrayLen()
	if err != nil || n < 2 {
		return nil, errors.New("redisadapter: publication is not an array [uid, packet, opts]")
	}
	m := &broadcastMessage{}
	if m.uid, err = d.DecodeString(); err != nil {
		return nil, fmt.Errorf("redisadapter: publication uid: %w", err)
	}
	if m.uid == self {
		return nil, nil
	}
	m.packet, err = t.packet()
	if err != nil {
		return nil, err
	}
	if n > 2 {
		if m.opts, err = t.opts(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// fromMsgpack turns msgpack values into JSON with placeholders plus
// attachments.
type fromMsgpack struct {
	d           *msgpack.Decoder
	r           *strings.Reader // what d reads, to bound lengths by what is left
	attachments [][]byte
}

func (t *fromMsgpack) packet() (*codec.Packet, error) {
	n, err := t.d.DecodeMapLen()
	if err != nil {
		return nil, fmt.Errorf("redisadapter: publication packet: %w", err)
	}
	if n < 0 {
		return nil, errors.New("redisadapter: publication packet is nil")
	}
	p := &codec.Packet{Type: codec.Event, Namespace: "/"} // socket.io-redis: nsp undefined means "/"
	typ := -1
	for range n {
		key, err := t.d.DecodeString()
		if err != nil {
			return nil, fmt.Errorf("redisadapter: publication packet key: %w", err)
		}
		switch key {
		case "type":
			if typ, err = t.d.DecodeInt(); err != nil {
				return nil, fmt.Errorf("redisadapter: publication packet type: %w", err)
			}
		case "nsp":
			if p.Namespace, err = t.d.DecodeString(); err != nil {
				return nil, fmt.Errorf("redisadapter: publication packet nsp: %w", err)
			}
		case "data":
			var undefined bool
			p.Data, undefined, err = t.value(nil, 0)
			if err != nil {
				return nil, fmt.Errorf("redisadapter: publication packet data: %w", err)
			}
			if undefined {
				p.Data = nil
			}
		default:
			if err := t.d.Skip(); err != nil {
				return nil, fmt.Errorf("redisadapter: publication packet: %w", err)
			}
		}
	}
	switch codec.PacketType(typ) {
	case codec.Event, codec.BinaryEvent:
	default:
		return nil, fmt.Errorf("redisadapter: publication packet of type %d, want an event", typ)
	}
	if _, _, _, err := codec.EventName(p.Data); err != nil {
		return nil, fmt.Errorf("redisadapter: publication packet data: %w", err)
	}
	p.Attachments = t.attachments
	if len(p.Attachments) > 0 {
		p.Type = codec.BinaryEvent
	}
	return p, nil
}

func (t *fromMsgpack) opts() (socketio.BroadcastOptions, error) {
	var o socketio.BroadcastOptions
	c, err := t.d.PeekCode()
	if err != nil {
		return o, err
	}
	if c == msgpcode.Nil {
		return o, t.d.DecodeNil()
	}
	n, err := t.d.DecodeMapLen()
	if err != nil {
		return o, fmt.Errorf("redisadapter: publication opts: %w", err)
	}
	for range n {
		key, err := t.d.DecodeString()
		if err != nil {
			return o, fmt.Errorf("redisadapter: publication opts key: %w", err)
		}
		switch key {
		case "rooms":
			o.Rooms, err = t.names()
		case "except":
			o.Except, err = t.names()
		default: // flags: volatile and compress mean nothing to this runtime; local is never published
			err = t.d.Skip()
		}
		if err != nil {
			return o, fmt.Errorf("redisadapter: publication opts %s: %w", key, err)
		}
	}
	return o, nil
}

// names decodes a list of room names or socket ids. JavaScript lets a
// number name a room (socket.join(5) joins "5"), so numbers become strings.
func (t *fromMsgpack) names() ([]string, error) {
	c, err := t.d.PeekCode()
	if err != nil {
		return nil, err
	}
	if c == msgpcode.Nil {
		return nil, t.d.DecodeNil()
	}
	n, err := t.d.DecodeArrayLen()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, min(n, t.r.Len()))
	for range n {
		v, undefined, err := t.value(nil, 1)
		if err != nil {
			return nil, err
		}
		if undefined {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v) // a number, as JavaScript's String(n) writes it
		}
		out = append(out, s)
	}
	return out, nil
}

// value appends the JSON of the next msgpack value to dst, replacing each
// binary value by a placeholder and collecting it as an attachment.
// undefined reports notepack's undefined (fixext 1 of type 0), which
// JSON.stringify leaves out of objects and writes as null in arrays; the
// JSON written for it is null.
// Long on purpose: one switch over the msgpack type byte, as the
// format's table reads.
func (t *fromMsgpack) value(dst []byte, depth int) (out []byte, undefined bool, err error) {
	if depth > maxDepth {
		return dst, false, errors.New("nesting too deep")
	}
	d := t.d
	c, err := d.PeekCode()
	if err != nil {
		return dst, false, err
	}
	switch {
	case c == msgpcode.Nil:
		return append(dst, "null"...), false, d.DecodeNil()
	case c == msgpcode.True || c == msgpcode.False:
		b, err := d.DecodeBool()
		return strconv.AppendBool(dst, b), false, err
	case c == msgpcode.Uint64:
		u, err := d.DecodeUint64()
		return strconv.AppendUint(dst, u, 10), false, err
	case msgpcode.IsFixedNum(c) || (c >= msgpcode.Uint8 && c <= msgpcode.Int64):
		i, err := d.DecodeInt64()
		return strconv.AppendInt(dst, i, 10), false, err
	case c == msgpcode.Float || c == msgpcode.Double:
		f, err := d.DecodeFloat64()
		return appendNumber(dst, f), false, err
	case msgpcode.IsString(c):
		s, err := d.DecodeString()
		if err != nil {
			return dst, false, err
		}
		return appendString(dst, s), false, nil
	case msgpcode.IsBin(c):
		n, err := d.DecodeBytesLen()
		if err != nil {
			return dst, false, err
		}
		b, err := t.read(n)
		if err != nil {
			return dst, false, err
		}
		return t.placeholder(dst, b), false, nil
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		n, err := d.DecodeArrayLen()
		if err != nil {
			return dst, false, err
		}
		dst = append(dst, '[')
		for i := range n {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, _, err = t.value(dst, depth+1); err != nil {
				return dst, false, err
			}
		}
		return append(dst, ']'), false, nil
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		n, err := d.DecodeMapLen()
		if err != nil {
			return dst, false, err
		}
		dst = append(dst, '{')
		first := true
		for range n {
			mark := len(dst)
			if !first {
				dst = append(dst, ',')
			}
			if dst, err = t.key(dst, depth+1); err != nil {
				return dst, false, err
			}
			dst = append(dst, ':')
			var undef bool
			if dst, undef, err = t.value(dst, depth+1); err != nil {
				return dst, false, err
			}
			if undef {
				dst = dst[:mark] // JSON.stringify drops a key whose value is undefined
				continue
			}
			first = false
		}
		return append(dst, '}'), false, nil
	case msgpcode.IsExt(c):
		return t.ext(dst, c)
	}
	return dst, false, fmt.Errorf("msgpack: invalid code %#x", c)
}

// key writes an object key: JavaScript keys are strings, and notepack
// decodes any value as a key, so numbers are written as strings.
func (t *fromMsgpack) key(dst []byte, depth int) ([]byte, error) {
	c, err := t.d.PeekCode()
	if err != nil {
		return dst, err
	}
	if msgpcode.IsString(c) {
		s, err := t.d.DecodeString()
		return appendString(dst, s), err
	}
	v, _, err := t.value(nil, depth)
	if err != nil {
		return dst, err
	}
	if len(v) == 0 || v[0] == '[' || v[0] == '{' {
		return dst, errors.New("msgpack: object key is not a string or a number")
	}
	return appendString(dst, string(v)), nil
}

// ext decodes notepack's extension types: undefined (fixext 1, type 0),
// Date (fixext 8, type 0: milliseconds since the epoch, which
// JSON.stringify writes in ISO form), ArrayBuffer (ext 8/16/32, type 0:
// binary). Any other extension decodes, as in notepack, to [type, bin].
func (t *fromMsgpack) ext(dst []byte, c byte) ([]byte, bool, error) {
	id, n, err := t.d.DecodeExtHeader()
	if err != nil {
		return dst, false, err
	}
	b, err := t.read(n)
	if err != nil {
		return dst, false, err
	}
	switch {
	case id == 0 && c == msgpcode.FixExt1:
		return append(dst, "null"...), true, nil
	case id == 0 && c == msgpcode.FixExt8:
		hi := int64(int32(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])))
		lo := int64(uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7]))
		ms := hi<<32 + lo
		return appendString(dst, time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")), false, nil
	case id == 0 && !msgpcode.IsFixedExt(c):
		return t.placeholder(dst, b), false, nil
	}
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, int64(id), 10)
	dst = append(dst, ',')
	return append(t.placeholder(dst, b), ']'), false, nil
}

// read reads n bytes, refusing lengths beyond what the payload holds
// before allocating anything.
func (t *fromMsgpack) read(n int) ([]byte, error) {
	if n < 0 || n > t.r.Len() {
		return nil, errors.New("msgpack: length beyond the end of the payload")
	}
	b := make([]byte, n)
	return b, t.d.ReadFull(b)
}

func (t *fromMsgpack) placeholder(dst, b []byte) []byte {
	dst = append(dst, `{"_placeholder":true,"num":`...)
	dst = strconv.AppendInt(dst, int64(len(t.attachments)), 10)
	t.attachments = append(t.attachments, b)
	return append(dst, '}')
}

// appendString writes s as JSON the way JSON.stringify does (no HTML
// escaping).
func appendString(dst []byte, s string) []byte {
	out, err := codec.AppendValue(dst, s, nil)
	if err != nil { // strings always encode; keep dst valid regardless
		return append(dst, `""`...)
	}
	return out
}

// appendNumber writes f as JSON.stringify does: NaN and the infinities
// become null, the rest the shortest form that reads back the same, which
// is what encoding/json writes.
func appendNumber(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	out, err := codec.AppendValue(dst, f, nil)
	if err != nil {
		return append(dst, "null"...)
	}
	return out
}

// jsonValue is a parsed JSON value, kept so that the length of every array
// and object is known before msgpack writes its header.
type jsonValue struct {
	kind byte        // 'n' null, 'b' bool, 's' string, '0' number, '[' array, '{' object, 'x' binary
	text string      // string value; number text; "true"/"false"
	bin  []byte      // binary
	kids []jsonValue // array elements; object keys and values, alternating
}

// parseJSON parses data (JSON with placeholders, as codec.AppendValue
// writes it) into a tree, putting attachments in place of their
// placeholders. With no attachments, placeholder-shaped objects are
// ordinary objects, as in codec.Unmarshal.
func parseJSON(data []byte, attachments [][]byte) (jsonValue, error) {
	p := jsonParser{src: data, attachments: attachments}
	v, err := p.value(0)
	if err != nil {
		return v, err
	}
	p.space()
	if p.pos != len(p.src) {
		return v, p.errorf("trailing data")
	}
	return v, nil
}

type jsonParser struct {
	src         []byte
	pos         int
	attachments [][]byte
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("json at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *jsonParser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (jsonValue, error) {
	if depth > maxDepth {
		return jsonValue{}, p.errorf("nesting too deep")
	}
	p.space()
	if p.pos >= len(p.src) {
		return jsonValue{}, p.errorf("unexpected end")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		p.pos++
		v := jsonValue{kind: '['}
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			return v, nil
		}
		for {
			kid, err := p.value(depth + 1)
			if err != nil {
				return v, err
			}
			v.kids = append(v.kids, kid)
			if done, err := p.next(']'); err != nil || done {
				return v, err
			}
		}
	case c == '"':
		s, err := p.str()
		return jsonValue{kind: 's', text: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		for p.pos < len(p.src) && strings.IndexByte("+-0123456789.eE", p.src[p.pos]) >= 0 {
			p.pos++
		}
		text := string(p.src[start:p.pos])
		if !json.Valid(p.src[start:p.pos]) {
			return jsonValue{}, p.errorf("bad number %q", text)
		}
		return jsonValue{kind: '0', text: text}, nil
	default:
		for _, lit := range [...]string{"null", "true", "false"} {
			if bytes.HasPrefix(p.src[p.pos:], []byte(lit)) {
				p.pos += len(lit)
				if lit == "null" {
					return jsonValue{kind: 'n'}, nil
				}
				return jsonValue{kind: 'b', text: lit}, nil
			}
		}
		return jsonValue{}, p.errorf("unexpected %q", c)
	}
}

// next consumes the ',' between elements or the closing delimiter.
func (p *jsonParser) next(end byte) (done bool, err error) {
	p.space()
	if p.pos >= len(p.src) {
		return false, p.errorf("unexpected end")
	}
	switch p.src[p.pos] {
	case ',':
		p.pos++
		return false, nil
	case end:
		p.pos++
		return true, nil
	}
	return false, p.errorf("unexpected %q", p.src[p.pos])
}

func (p *jsonParser) object(depth int) (jsonValue, error) {
	p.pos++
	v := jsonValue{kind: '{'}
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return v, p.errorf("object key expected")
		}
		k, err := p.str()
		if err != nil {
			return v, err
		}
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return v, p.errorf("':' expected")
		}
		p.pos++
		kid, err := p.value(depth + 1)
		if err != nil {
			return v, err
		}
		v.kids = append(v.kids, jsonValue{kind: 's', text: k}, kid)
		done, err := p.next('}')
		if err != nil {
			return v, err
		}
		if done {
			break
		}
	}
	if b, ok, err := p.placeholder(v); ok || err != nil {
		return jsonValue{kind: 'x', bin: b}, err
	}
	return v, nil
}

// placeholder recognises {"_placeholder":true,"num":N} when the packet has
// attachments, and returns attachment N.
func (p *jsonParser) placeholder(v jsonValue) ([]byte, bool, error) {
	if len(p.attachments) == 0 || len(v.kids) != 4 {
		return nil, false, nil
	}
	var isPlaceholder bool
	num := -1
	for i := 0; i < 4; i += 2 {
		k, val := v.kids[i].text, v.kids[i+1]
		switch {
		case k == "_placeholder" && val.kind == 'b' && val.text == "true":
			isPlaceholder = true
		case k == "num" && val.kind == '0':
			n, err := strconv.Atoi(val.text)
			if err != nil {
				return nil, false, p.errorf("placeholder num %q", val.text)
			}
			num = n
		}
	}
	if !isPlaceholder || num == -1 {
		return nil, false, nil
	}
	if num < 0 || num >= len(p.attachments) {
		return nil, false, p.errorf("placeholder num %d out of range", num)
	}
	return p.attachments[num], true, nil
}

// str parses a JSON string at p.pos.
func (p *jsonParser) str() (string, error) {
	start := p.pos
	p.pos++
	escaped := false
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '\\':
			escaped = true
			p.pos += 2
			continue
		case '"':
			p.pos++
			raw := p.src[start:p.pos]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", p.errorf("bad string: %v", err)
			}
			return s, nil
		}
		p.pos++
	}
	return "", p.errorf("unterminated string")
}

// encode writes v as notepack.io encodes the JavaScript value JSON.parse
// would give: integers in the smallest int form, other numbers as float 64,
// binary as bin.
func (v *jsonValue) encode(e *msgpack.Encoder) {
	switch v.kind {
	case 'n':
		e.EncodeNil()
	case 'b':
		e.EncodeBool(v.text == "true")
	case 's':
		e.EncodeString(v.text)
	case 'x':
		e.EncodeBytes(v.bin)
	case '0':
		encodeNumber(e, v.text)
	case '[':
		e.EncodeArrayLen(len(v.kids))
		for i := range v.kids {
			v.kids[i].encode(e)
		}
	case '{':
		e.EncodeMapLen(len(v.kids) / 2)
		for i := range v.kids {
			v.kids[i].encode(e)
		}
	}
}

// encodeNumber follows notepack.io: a number equal to an integer is an int
// (uint 64 and int 64 included), anything else a float 64. Integers too
// large for 64 bits, which JavaScript holds only approximately, travel as
// float 64.
func encodeNumber(e *msgpack.Encoder, text string) {
	if strings.IndexAny(text, ".eE") < 0 {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			e.EncodeInt(i)
			return
		}
		if u, err := strconv.ParseUint(text, 10, 64); err == nil {
			e.EncodeUint(u)
			return
		}
	}
	f, _ := strconv.ParseFloat(text, 64) // validated by the parser; ±Inf when out of range
	if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
		e.EncodeInt(int64(f))
		return
	}
	e.EncodeFloat64(f)
}
