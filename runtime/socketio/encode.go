package socketio

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// eventPacket builds the EVENT packet ["name", args...]; []byte anywhere in
// args becomes an attachment.
func eventPacket(nsp, name string, args []any) (*codec.Packet, error) {
	p := &codec.Packet{Type: codec.Event, Namespace: nsp}
	data, err := codec.AppendEvent(nil, name, args, &p.Attachments)
	if err != nil {
		return nil, fmt.Errorf("socketio: encode %q: %w", name, err)
	}
	p.Data = data
	if len(p.Attachments) > 0 {
		p.Type = codec.BinaryEvent
	}
	return p, nil
}

// ackPacket builds the ACK packet [args...] answering id.
func ackPacket(nsp string, id uint64, args []any) (*codec.Packet, error) {
	p := &codec.Packet{Type: codec.Ack, Namespace: nsp, ID: id, HasID: true}
	data, err := codec.AppendArray(nil, args, &p.Attachments)
	if err != nil {
		return nil, fmt.Errorf("socketio: encode ack: %w", err)
	}
	p.Data = data
	if len(p.Attachments) > 0 {
		p.Type = codec.BinaryAck
	}
	return p, nil
}

// errorPacket builds the ERROR packet refusing a namespace. Socket.IO v4
// (socket.io 2.x): the error's message, or its Data() when it has one (an
// object, say). v5 (socket.io 4.x's CONNECT_ERROR): the object
// {"message": …, "data": …}, data left out when the error has none.
func errorPacket(nsp string, err error, v codec.Version) *codec.Packet {
	var data any
	if d, ok := err.(interface{ Data() any }); ok {
		data = d.Data()
	}
	var payload any = err.Error()
	switch {
	case v == codec.V5:
		payload = connectError{err.Error(), data}
	case data != nil:
		payload = data
	}
	b, jerr := json.Marshal(payload)
	if jerr != nil { // a Data() that JSON cannot hold: the message alone
		payload = err.Error()
		if v == codec.V5 {
			payload = connectError{Message: err.Error()}
		}
		b, _ = json.Marshal(payload)
	}
	return &codec.Packet{Type: codec.Error, Namespace: nsp, Data: b}
}

// connectError is the payload of a Socket.IO v5 CONNECT_ERROR.
type connectError struct {
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// connectPacket builds the server's CONNECT accepting socket s: without
// payload in Socket.IO v4, with {"sid": <socket id>} in v5, and the pid of
// its session when the server keeps sessions for recovery.
func connectPacket(s *Socket) *codec.Packet {
	p := &codec.Packet{Type: codec.Connect, Namespace: s.nsp.name}
	if s.conn.version == codec.V5 {
		p.Data, _ = json.Marshal(struct {
			SID string `json:"sid"`
			PID string `json:"pid,omitempty"` // connection state recovery
		}{s.id, s.pid})
	}
	return p
}

// encode turns a packet into the engine messages that carry it: the text
// header, then each attachment as a binary message. The result is shared
// by every receiver of a broadcast and never modified.
func encode(p *codec.Packet, v codec.Version) []engineio.Message {
	if h := testHookEncode.Load(); h != nil {
		(*h)(p)
	}
	msgs := make([]engineio.Message, 1+len(p.Attachments))
	msgs[0] = engineio.Message{Data: codec.AppendPacket(nil, p, v)}
	for i, a := range p.Attachments {
		msgs[i+1] = engineio.Message{Data: a, Binary: true}
	}
	return msgs
}

// testHookEncode, when set, sees every packet encode encodes (a test counts
// the encodes of one broadcast).
var testHookEncode atomic.Pointer[func(*codec.Packet)]
