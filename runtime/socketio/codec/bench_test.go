package codec

import "testing"

var benchEvent = &Packet{Type: Event, Namespace: "/", Data: []byte(`["chat message","hello, world"]`)}

func BenchmarkAppendPacket(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 64)
	for b.Loop() {
		buf = AppendPacket(buf[:0], benchEvent, V4)
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 64)
	args := []any{"hello, world"}
	for b.Loop() {
		var err error
		buf, err = AppendEvent(buf[:0], "chat message", args, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecoderAdd(b *testing.B) {
	b.ReportAllocs()
	data := []byte(`2["chat message","hello, world"]`)
	var d Decoder
	for b.Loop() {
		if _, err := d.Add(data, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecoderAddBinary(b *testing.B) {
	b.ReportAllocs()
	header := []byte(`51-/admin,456["upload",{"name":"a.bin","data":{"_placeholder":true,"num":0}}]`)
	att := make([]byte, 1024)
	var d Decoder
	for b.Loop() {
		if _, err := d.Add(header, false); err != nil {
			b.Fatal(err)
		}
		if p, err := d.Add(att, true); err != nil || p == nil {
			b.Fatal(p, err)
		}
	}
}

func BenchmarkEventName(b *testing.B) {
	b.ReportAllocs()
	data := []byte(`["chat message","hello, world"]`)
	for b.Loop() {
		if _, _, _, err := EventName(data); err != nil {
			b.Fatal(err)
		}
	}
}

type benchFile struct {
	Name string `json:"name"`
	Size int    `json:"size"`
	Data []byte `json:"data"`
}

func BenchmarkAppendValue(b *testing.B) {
	b.ReportAllocs()
	v := &benchFile{Name: "a.bin", Size: 1024, Data: make([]byte, 1024)}
	buf := make([]byte, 0, 128)
	attachments := make([][]byte, 0, 1)
	for b.Loop() {
		var err error
		attachments = attachments[:0]
		buf, err = AppendValue(buf[:0], v, &attachments)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendValueNoBinary(b *testing.B) {
	b.ReportAllocs()
	v := &struct {
		Name string `json:"name"`
		Size int    `json:"size"`
	}{"a.bin", 1024}
	buf := make([]byte, 0, 128)
	for b.Loop() {
		var err error
		buf, err = AppendValue(buf[:0], v, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	b.ReportAllocs()
	data := []byte(`{"name":"a.bin","size":1024,"data":{"_placeholder":true,"num":0}}`)
	attachments := [][]byte{make([]byte, 1024)}
	for b.Loop() {
		var v benchFile
		if err := Unmarshal(data, attachments, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalNoBinary(b *testing.B) {
	b.ReportAllocs()
	data := []byte(`{"name":"a.bin","size":1024,"data":null}`)
	for b.Loop() {
		var v benchFile
		if err := Unmarshal(data, nil, &v); err != nil {
			b.Fatal(err)
		}
	}
}
