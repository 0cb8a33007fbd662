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

// errorPacket builds the ERROR packet refusing a namespace; data is a
// string, or an object when the error carries one (ErrorData).
func errorPacket(nsp string, err error) *codec.Packet {
	var data any = err.Error()
	if d, ok := err.(interface{ Data() any }); ok && d.Data() != nil {
		data = d.Data()
	}
	b, jerr := json.Marshal(data)
	if jerr != nil {
		b, _ = json.Marshal(err.Error())
	}
	return &codec.Packet{Type: codec.Error, Namespace: nsp, Data: b}
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
