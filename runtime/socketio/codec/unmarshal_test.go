package codec

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// roundTrip encodes v with AppendValue, decodes the result into a new value
// of v's type and returns it.
func roundTrip[T any](t *testing.T, v T) (T, string, [][]byte) {
	t.Helper()
	var attachments [][]byte
	data, err := AppendValue(nil, v, &attachments)
	if err != nil {
		t.Fatalf("AppendValue: %v", err)
	}
	var out T
	if err := Unmarshal(data, attachments, &out); err != nil {
		t.Fatalf("Unmarshal(%s): %v", data, err)
	}
	return out, string(data), attachments
}

type (
	Blob struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	}
	Meta struct {
		Created time.Time         `json:"created"`
		Tags    map[string]string `json:"tags,omitempty"`
		Count   int               `json:"count,string"`
	}
	BaseWithBytes struct {
		ID  int    `json:"id"`
		Sig []byte `json:"sig"`
	}
	Message struct {
		BaseWithBytes                   // promoted: id, sig
		*Meta                           // promoted through a pointer
		Body          string            `json:"body"`
		Blobs         []Blob            `json:"blobs"`
		Thumb         *[]byte           `json:"thumb"`
		Parts         [][]byte          `json:"parts"`
		ByName        map[string][]byte `json:"byName"`
		ByNum         map[int][]byte    `json:"byNum"`
		Pair          [2][]byte         `json:"pair"`
		Deep          **Blob            `json:"deep"`
		Named         named             `json:"named"`
		Any           any               `json:"any"`
		Skipped       []byte            `json:"-"`
	}
)

func messageValue() Message {
	thumb := []byte("thumb")
	deep := &Blob{"deep", []byte("D")}
	return Message{
		BaseWithBytes: BaseWithBytes{ID: 7, Sig: []byte("sig")},
		Meta:          &Meta{Created: time.Date(2026, 11, 25, 4, 49, 49, 5, time.UTC), Tags: map[string]string{"k": "v"}, Count: 3},
		Body:          "<b>hi</b>",
		Blobs:         []Blob{{"a", []byte{0, 1, 2}}, {"b", []byte{}}},
		Thumb:         &thumb,
		Parts:         [][]byte{[]byte("p0"), []byte("p1")},
		ByName:        map[string][]byte{"x": []byte("X"), "y": []byte("Y")},
		ByNum:         map[int][]byte{2: []byte("two"), -1: []byte("minus")},
		Pair:          [2][]byte{[]byte("l"), []byte("r")},
		Deep:          &deep,
		Named:         named("named"),
		Any:           []byte("any"),
	}
}

func TestRoundTripStruct(t *testing.T) {
	in := messageValue()
	out, data, attachments := roundTrip(t, in)
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the value:\n in %+v\nout %+v\ndata %s", in, out, data)
	}
	if strings.Contains(data, "\\u003c") || !strings.Contains(data, "<b>hi</b>") {
		t.Errorf("HTML escaped: %s", data)
	}
	if len(attachments) != 15 {
		t.Errorf("%d attachments, want 15: %s", len(attachments), data)
	}
	// The []byte values alias the attachments.
	if &out.Parts[0][0] != &attachments[indexOf(attachments, "p0")][0] {
		t.Error("Unmarshal copied an attachment")
	}
}

func indexOf(attachments [][]byte, s string) int {
	for i, a := range attachments {
		if string(a) == s {
			return i
		}
	}
	return -1
}

func TestRoundTripValues(t *testing.T) {
	check := func(name string, in, out any) {
		t.Helper()
		if !reflect.DeepEqual(in, out) {
			t.Errorf("%s: round trip gave %#v, want %#v", name, out, in)
		}
	}
	b := []byte{1, 2, 3}
	{
		out, _, _ := roundTrip(t, b)
		check("[]byte", b, out)
	}
	{
		in := [][]byte{b, {}, []byte("x")}
		out, _, _ := roundTrip(t, in)
		check("[][]byte", in, out)
	}
	{
		in := map[string]any{"b": b, "list": []any{b, "s", 1.5, nil, true}, "m": map[string]any{}}
		out, _, _ := roundTrip(t, in)
		check("map[string]any", in, out)
	}
	{
		in := []any{"x", b}
		out, _, _ := roundTrip(t, in)
		check("[]any", in, out)
	}
	{
		in := &Blob{"p", b}
		out, _, _ := roundTrip(t, in)
		check("*Blob", in, out)
	}
	{
		in := map[uint16]*Blob{1: {"a", b}, 2: nil}
		out, _, _ := roundTrip(t, in)
		check("map[uint16]*Blob", in, out)
	}
	{
		type stamped struct {
			At   time.Time
			Data []byte
		}
		in := stamped{time.Date(2026, 11, 25, 4, 49, 49, 0, time.UTC), b}
		out, data, _ := roundTrip(t, in)
		check("time.Time", in, out)
		if !strings.Contains(data, `"2026-11-25T04:49:49Z"`) {
			t.Errorf("time encoding: %s", data)
		}
	}
}

// The echo case: whatever arrives into an `any` is sent back with its binary
// data as attachments again.
func TestEcho(t *testing.T) {
	data := []byte(`{"hello":"lol","message":{"_placeholder":true,"num":0},"list":[1,{"_placeholder":true,"num":1}],"goodbye":"gotcha"}`)
	in := atts("\x01\x02", "\x03")
	var v any
	if err := Unmarshal(data, in, &v); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"hello": "lol", "message": []byte{1, 2}, "list": []any{1.0, []byte{3}}, "goodbye": "gotcha"}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %#v", v)
	}
	var out [][]byte
	again, err := AppendValue(nil, v, &out)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"goodbye":"gotcha","hello":"lol","list":[1,{"_placeholder":true,"num":0}],"message":{"_placeholder":true,"num":1}}`
	if string(again) != wantJSON || len(out) != 2 || string(out[0]) != "\x03" || string(out[1]) != "\x01\x02" {
		t.Errorf("echo: %s with %q", again, out)
	}
}

type upper string

func (u *upper) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*u = upper(strings.ToUpper(s))
	return nil
}

type rawKeeper struct{ raw string }

func (r *rawKeeper) UnmarshalJSON(b []byte) error { r.raw = string(b); return nil }

type textOnly struct{ s string }

func (t *textOnly) UnmarshalText(b []byte) error { t.s = string(b); return nil }

func TestUnmarshal(t *testing.T) {
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	a := atts("A", "B")
	t.Run("plain JSON without attachments", func(t *testing.T) {
		var v struct {
			Data []byte
			M    map[string]any
		}
		err := Unmarshal([]byte(`{"data":"`+base64.StdEncoding.EncodeToString([]byte("b64"))+`","m":`+ph("0")+`}`), nil, &v)
		if err != nil || string(v.Data) != "b64" || v.M["_placeholder"] != true {
			t.Errorf("%+v, %v", v, err)
		}
	})
	t.Run("base64 beside placeholders", func(t *testing.T) {
		var v struct {
			B64 []byte `json:"b64"`
			Bin []byte `json:"bin"`
		}
		err := Unmarshal([]byte(`{"b64":"eA==","bin":`+ph("1")+`}`), a, &v)
		if err != nil || string(v.B64) != "x" || string(v.Bin) != "B" {
			t.Errorf("%+v, %v", v, err)
		}
	})
	t.Run("case-insensitive field and unknown member", func(t *testing.T) {
		var v struct {
			Data  []byte
			Other string `json:"other,string"`
		}
		err := Unmarshal([]byte(`{"DATA":`+ph("0")+`,"unknown":`+ph("1")+`,"other":"\"q\""}`), a, &v)
		if err != nil || string(v.Data) != "A" || v.Other != "q" {
			t.Errorf("%+v, %v", v, err)
		}
	})
	t.Run("unmarshaler gets base64", func(t *testing.T) {
		var v struct {
			U upper
			R rawKeeper
		}
		err := Unmarshal([]byte(`{"U":`+ph("0")+`,"R":{"x":[`+ph("1")+`, 2]}}`), a, &v)
		if err != nil || v.U != "QQ==" || v.R.raw != `{"x":["Qg==", 2]}` {
			t.Errorf("%+v, %v", v, err)
		}
	})
	t.Run("interface holding a pointer", func(t *testing.T) {
		var b []byte
		var v any = &b
		if err := Unmarshal([]byte(ph("1")), a, &v); err != nil || string(b) != "B" {
			t.Errorf("%q, %v", b, err)
		}
	})
	t.Run("named element type", func(t *testing.T) {
		type myByte byte
		var v []myByte
		if err := Unmarshal([]byte(ph("0")), a, &v); err != nil || len(v) != 1 || v[0] != 'A' {
			t.Errorf("%v, %v", v, err)
		}
	})
	t.Run("array shorter and longer", func(t *testing.T) {
		v := [3][]byte{nil, nil, []byte("old")}
		if err := Unmarshal([]byte(`[`+ph("0")+`,`+ph("1")+`]`), a, &v); err != nil || string(v[0]) != "A" || string(v[1]) != "B" || v[2] != nil {
			t.Errorf("%q, %v", v, err)
		}
		var w [1][]byte
		if err := Unmarshal([]byte(`[`+ph("0")+`,`+ph("1")+`]`), a, &w); err != nil || string(w[0]) != "A" {
			t.Errorf("%q, %v", w, err)
		}
	})
	t.Run("map merges", func(t *testing.T) {
		v := map[string]any{"keep": 1.0}
		if err := Unmarshal([]byte(`{"n":2,"b":`+ph("0")+`}`), a, &v); err != nil || !reflect.DeepEqual(v, map[string]any{"keep": 1.0, "n": 2.0, "b": []byte("A")}) {
			t.Errorf("%v, %v", v, err)
		}
	})
	t.Run("text-unmarshaler map key", func(t *testing.T) {
		var v map[textOnly][]byte
		if err := Unmarshal([]byte(`{"k":`+ph("0")+`}`), a, &v); err != nil || string(v[textOnly{"k"}]) != "A" {
			t.Errorf("%v, %v", v, err)
		}
	})
	t.Run("placeholder among plain members keeps order semantics", func(t *testing.T) {
		var v []any
		if err := Unmarshal([]byte(` [ 1 , "x" , `+ph("0")+` , {"a":[`+ph("1")+`]} , null ] `), a, &v); err != nil {
			t.Fatal(err)
		}
		want := []any{1.0, "x", []byte("A"), map[string]any{"a": []any{[]byte("B")}}, nil}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("%#v", v)
		}
	})
	t.Run("nil attachment becomes empty bytes", func(t *testing.T) {
		var v any
		if err := Unmarshal([]byte(ph("0")), [][]byte{nil}, &v); err != nil || v == nil || len(v.([]byte)) != 0 || v.([]byte) == nil {
			t.Errorf("%#v, %v", v, err)
		}
	})
}

func TestUnmarshalErrors(t *testing.T) {
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	a := atts("A", "B")
	tests := []struct {
		name string
		data string
		dst  any
		want string
	}{
		{"binary into string", `[{"message":"ok"},{"message":` + ph("0") + `}]`, new([]struct{ Message string }),
			"codec: unmarshal $[1].message: json: cannot unmarshal binary attachment into Go value of type string"},
		{"plain error beside a placeholder", `{"n":"x","b":` + ph("0") + `}`, new(struct {
			N int
			B []byte
		}), "codec: unmarshal $: json: cannot unmarshal string into Go struct field .N of type int"},
		{"num out of range", `[` + ph("2") + `]`, new(any), "placeholder num 2 out of range [0,2)"},
		{"num fraction", `[` + ph("0.5") + `]`, new(any), "out of range"},
		{"binary into int slice", ph("0"), new([]int), "cannot unmarshal binary attachment into Go value of type []int"},
		{"binary into struct", `{"x":` + ph("0") + `}`, new(struct{ X struct{ A int } }), "$.x: json: cannot unmarshal binary attachment into Go value of type struct"},
		{"array into struct", `[` + ph("0") + `]`, new(struct{ A int }), "$: json: cannot unmarshal array into Go value of type struct"},
		{"object into slice", `{"a":` + ph("0") + `}`, new([][]byte), "cannot unmarshal object into Go value"},
		{"binary into text unmarshaler", ph("0"), new(textOnly), "cannot unmarshal binary attachment"},
		{"binary into non-empty interface", ph("0"), new(error), "cannot unmarshal binary attachment"},
		{"bad int map key", `{"x":` + ph("0") + `}`, new(map[int][]byte), `$: json: cannot unmarshal number x into Go value of type int`},
		{"unsupported map key", `{"x":` + ph("0") + `}`, new(map[[2]int][]byte), "cannot unmarshal object"},
		{"number overflow in any", `[1e400,` + ph("0") + `]`, new(any), "cannot unmarshal number 1e400"},
		{"quoted key path", `{"a b":{"c":[` + ph("0") + `]}}`, new(map[string]map[string][]string), `$["a b"].c[0]: json: cannot unmarshal binary`},
		{"syntax error", `[` + ph("0") + `,]`, new(any), "invalid JSON at offset"},
		{"syntax error fast path", `[1,]`, new(any), "codec: unmarshal $: invalid character"},
		{"too deep", strings.Repeat("[", 10001) + ph("0") + strings.Repeat("]", 10001), new(any), "nesting deeper than 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Unmarshal([]byte(tt.data), a, tt.dst)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	var ute *json.UnmarshalTypeError
	if err := Unmarshal([]byte(ph("0")), a, new(int)); !errors.As(err, &ute) {
		t.Errorf("error %v does not wrap *json.UnmarshalTypeError", err)
	}
	var iue *json.InvalidUnmarshalError
	if err := Unmarshal([]byte(ph("0")), a, []byte{}); !errors.As(err, &iue) {
		t.Errorf("non-pointer dst: %v", err)
	}
	if err := Unmarshal([]byte(ph("0")), a, (*any)(nil)); !errors.As(err, &iue) {
		t.Errorf("nil dst: %v", err)
	}
	// Unexported embedded pointer, as in encoding/json.
	type hidden struct{ B []byte }
	type outer struct{ *hidden }
	if err := Unmarshal([]byte(`{"B":`+ph("0")+`}`), a, new(outer)); err == nil || !strings.Contains(err.Error(), "unexported") {
		t.Errorf("unexported embedded pointer: %v", err)
	}
}

// Placeholders naming one big attachment many times cost nothing while they
// alias it, and are refused once they would be copied beyond the input size.
func TestUnmarshalBounded(t *testing.T) {
	big := bytes.Repeat([]byte{7}, 1<<20)
	data := "[" + strings.Repeat(`{"_placeholder":true,"num":0},`, 9999) + `{"_placeholder":true,"num":0}]`
	var v []any
	if err := Unmarshal([]byte(data), [][]byte{big}, &v); err != nil || len(v) != 10000 {
		t.Fatalf("alias: %d, %v", len(v), err)
	}
	var r rawKeeper
	if err := Unmarshal([]byte(data), [][]byte{big}, &r); err == nil || !strings.Contains(err.Error(), "expand") {
		t.Errorf("expansion: %v", err)
	}
	// Echoing such a value attaches the buffer once.
	var out [][]byte
	if _, err := AppendValue(nil, v, &out); err != nil || len(out) != 1 {
		t.Errorf("echo: %d attachments, %v", len(out), err)
	}
}

// A type without placeholders in its data goes through encoding/json: the
// result equals json.Unmarshal's for any input.
func TestUnmarshalFastPathMatches(t *testing.T) {
	for _, data := range []string{`{"a":[1,"x",null,{"b":true}]}`, `"s"`, `12.5`, `[{"_placeholder":false}]`} {
		var got, want any
		if err := Unmarshal([]byte(data), atts("A"), &got); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal([]byte(data), &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v, want %#v", data, got, want)
		}
	}
}

// Keys find fields as in encoding/json: exactly, then under case folding,
// escapes decoded first.
func TestUnmarshalFieldMatching(t *testing.T) {
	type target struct {
		Data   []byte
		Kelvin []byte
		Exact  []byte `json:"exact"`
		EXACT  []byte
	}
	a := atts("A", "B", "C", "D")
	for _, key := range []string{`"data"`, `"DATA"`, `"d\u0061ta"`, `"D\u0041TA"`} {
		data := `{` + key + `:{"_placeholder":true,"num":0},"\u212aelvin":{"_placeholder":true,"num":1},"EXACT":{"_placeholder":true,"num":2},"exact":{"_placeholder":true,"num":3}}`
		var got target
		if err := Unmarshal([]byte(data), a, &got); err != nil {
			t.Fatal(err)
		}
		// encoding/json, with the placeholders as base64 strings.
		var want target
		b64 := strings.NewReplacer(`{"_placeholder":true,"num":0}`, `"QQ=="`, `{"_placeholder":true,"num":1}`, `"Qg=="`,
			`{"_placeholder":true,"num":2}`, `"Qw=="`, `{"_placeholder":true,"num":3}`, `"RA=="`).Replace(data)
		if err := json.Unmarshal([]byte(b64), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("key %s: got %q, encoding/json %q", key, got, want)
		}
	}
}
