package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Frames quoted from shared/protocol.md; "(captured)" ones are real bytes
// recorded from the socket.io 2.5.1 peer.
const (
	handshakeOpen   = `0{"sid":"Zgc7Tf5NGFG_AqFUAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}`
	handshakeOpenMW = `0{"sid":"lXk6cStj8YjO_cL3AAAC","upgrades":["websocket"],"pingInterval":2000,"pingTimeout":20000}`
	jsonpOpen       = `0{"sid":"ia0oVRwfqGxTRq_SAAAO","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}`
	v4Open          = `0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	takebinHeader   = `451-["takebin",{"_placeholder":true,"num":0}]`
	buffaHeader     = `451-["buffa",{"_placeholder":true,"num":0}]`
	newlineEcho     = `421["echo",{"text":"line1\nline2 \\n","n":1}]`
	newlineAck      = `431[{"text":"line1\nline2 \\n","n":1}]`
)

// text returns a text packet.
func text(t PacketType, data string) Packet {
	p := Packet{Type: t}
	if data != "" {
		p.Data = []byte(data)
	}
	return p
}

// msg returns a text message; bin a binary one.
func msg(data string) Packet { return text(Message, data) }

func bin(data ...byte) Packet {
	p := Packet{Type: Message, Binary: true}
	if len(data) > 0 {
		p.Data = data
	}
	return p
}

// unhex decodes hex with spaces allowed between bytes, as protocol.md prints
// them.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func equalPacket(a, b Packet) bool {
	return a.Type == b.Type && a.Binary == b.Binary && bytes.Equal(a.Data, b.Data)
}

func equalPackets(a, b []Packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalPacket(a[i], b[i]) {
			return false
		}
	}
	return true
}

// dump formats packets for failure messages.
func dump(pkts ...Packet) string {
	var b strings.Builder
	for _, p := range pkts {
		kind := "text"
		if p.Binary {
			kind = "binary"
		}
		fmt.Fprintf(&b, "[%v %s %q]", p.Type, kind, p.Data)
	}
	return b.String()
}

// checkProtocolError fails unless err is a *ProtocolError.
func checkProtocolError(t testing.TB, err error) {
	t.Helper()
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ProtocolError", err, err)
	}
	if pe.Reason == "" || pe.What == "" {
		t.Fatalf("ProtocolError %#v lacks What or Reason", pe)
	}
}

func versionName(v Version) string {
	if v == V3 {
		return "v3"
	}
	return "v4"
}

func TestPacketTypeString(t *testing.T) {
	for typ, want := range map[PacketType]string{
		Open: "open", Close: "close", Ping: "ping", Pong: "pong",
		Message: "message", Upgrade: "upgrade", Noop: "noop", 7: "PacketType(7)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("PacketType(%d).String() = %q, want %q", byte(typ), got, want)
		}
	}
}

func TestProtocolErrorMessage(t *testing.T) {
	e := &ProtocolError{What: "payload", Offset: 3, Reason: "empty length"}
	if got, want := e.Error(), "engineio: bad payload at byte 3: empty length"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Offset = -1
	if got, want := e.Error(), "engineio: bad payload: empty length"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
