package redisadapter

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/siogen/siogen/runtime/socketio/codec"
)

// What notepack.io (the encoder of @socket.io/redis-adapter 8.3.0) writes
// for a broadcast with acks and for a client's ack, as the Node node
// publishes them.
var (
	notepackBroadcastRequest = mustHex("85a3756964a6416243313233a9726571756573744964a6724571343536a47479706507" +
		"a67061636b657483a47479706502a46461746193a361736ba171c4020102a36e7370a12f" +
		"a46f70747383a5726f6f6d7391a172a665786365707490a5666c61677381a774696d656f7574cd0bb8")
	notepackBroadcastAck = mustHex("83a47479706509a9726571756573744964a6724571343536a67061636b657481a1619201c401ff")
)

func TestDecodeBroadcastRequestFromNotepack(t *testing.T) {
	var req request8Message
	if err := decodeBroadcastRequest(string(notepackBroadcastRequest), &req); err != nil {
		t.Fatal(err)
	}
	if req.UID != "AbC123" || req.RequestID != "rEq456" || req.Type != request8Broadcast || req.timeout != 3*time.Second {
		t.Fatalf("decoded %+v", req)
	}
	if got := string(req.packet.Data); got != `["ask","q",{"_placeholder":true,"num":0}]` || !bytes.Equal(req.packet.Attachments[0], []byte{1, 2}) {
		t.Fatalf("packet %s %x", got, req.packet.Attachments)
	}
	if !slices.Equal(req.bopts.Rooms, []string{"r"}) || len(req.bopts.Except) != 0 {
		t.Fatalf("opts %+v", req.bopts)
	}
	// Encoded by this package, it reads back the same.
	p := &codec.Packet{Type: codec.BinaryEvent, Namespace: "/", Data: req.packet.Data, Attachments: req.packet.Attachments}
	b, err := encodeBroadcastRequest("AbC123", "rEq456", p, "/", req.bopts, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, notepackBroadcastRequest) {
		t.Fatalf("encoded %x\nnotepack %x", b, notepackBroadcastRequest)
	}
}

func TestBroadcastAckFromNotepack(t *testing.T) {
	id, ack, err := decodeBroadcastAck(string(notepackBroadcastAck))
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ A []any }
	if id != "rEq456" || ack.Decode(0, &v) != nil || len(v.A) != 2 || !bytes.Equal(v.A[1].([]byte), []byte{0xff}) {
		t.Fatalf("decoded %q %q %x: %+v", id, ack.Raw, ack.Attachments, v)
	}
	b, err := encodeBroadcastAck("rEq456", ack)
	if err != nil || !bytes.Equal(b, notepackBroadcastAck) {
		t.Fatalf("encoded %x, %v\nnotepack %x", b, err, notepackBroadcastAck)
	}
}

// FuzzDecodeRequest8: any msgpack request or answer of the 8.x protocol
// decodes or fails without panicking; what decodes re-encodes.
func FuzzDecodeRequest8(f *testing.F) {
	f.Add(notepackBroadcastRequest)
	f.Add(notepackBroadcastAck)
	f.Fuzz(func(t *testing.T, payload []byte) {
		var req request8Message
		if decodeBroadcastRequest(string(payload), &req) == nil && req.packet != nil {
			if !json.Valid(req.packet.Data) {
				t.Fatalf("invalid JSON %q", req.packet.Data)
			}
			if _, err := encodeBroadcastRequest("u", "r", req.packet, "/", req.bopts, req.timeout); err != nil {
				t.Fatalf("re-encode %s: %v", req.packet.Data, err)
			}
		}
		if _, ack, err := decodeBroadcastAck(string(payload)); err == nil && ack.Len() > 0 {
			if !json.Valid(ack.Raw[0]) {
				t.Fatalf("invalid JSON %q", ack.Raw[0])
			}
			if _, err := encodeBroadcastAck("r", ack); err != nil {
				t.Fatalf("re-encode %s: %v", ack.Raw[0], err)
			}
		}
	})
}
