package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"
)

// stdJSON is encoding/json without HTML escaping, the reference for every
// value that holds no binary data.
func stdJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Types exercising encoding/json's rules.
type (
	Inner struct {
		A int    `json:"a"`
		B string `json:"b,omitempty"`
	}
	innerUnexported struct {
		Promoted string
		Bin      []byte
	}
	Conflict1 struct{ Same int }
	Conflict2 struct{ Same int }
	Tagged    struct {
		X int `json:"same"`
	}
	valueMarshaler   struct{ n int }
	pointerMarshaler struct{ n int }
	textKey          struct{ k string }
	zeroer           struct{ n int }
	ptrZeroer        struct{ n int }
	named            []byte
	ptrTextBytes     []byte

	Rules struct {
		Inner
		*innerUnexported
		Conflict1
		Conflict2
		Tagged
		Skip       string         `json:"-"`
		Dash       string         `json:"-,"`
		Renamed    string         `json:"renamed_field"`
		Invalid    string         `json:"a\"b"`
		Omit       string         `json:",omitempty"`
		OmitSlice  []int          `json:",omitempty"`
		OmitPtr    *int           `json:",omitempty"`
		OmitZero   Inner          `json:",omitzero"`
		OmitTime   time.Time      `json:",omitzero"`
		OmitZeroer zeroer         `json:",omitzero"`
		OmitPtrZ   ptrZeroer      `json:",omitzero"`
		Str        int            `json:",string"`
		StrPtr     *float64       `json:",string"`
		StrStr     string         `json:",string"`
		StrBool    bool           `json:",string"`
		StrNum     json.Number    `json:",string"`
		StrMarsh   valueMarshaler `json:",string"`
		unexported int
		Any        any
		Time       time.Time
		TimePtr    *time.Time
		VM         valueMarshaler
		PM         pointerMarshaler
		PMPtr      *pointerMarshaler
		Raw        json.RawMessage
		Num        json.Number
		IP         net.IP
		Arr        [3]byte
		Bytes      []byte
		Floats     []float64
		F32        float32
		TextMap    map[textKey]int
		IntMap     map[int]string
		UintMap    map[uint8]bool
		AnyMap     map[string]any
		Nested     [][]any
		Iface      interface{ IsZero() bool }
	}
)

func (m valueMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(`{ "value" : ` + string(rune('0'+m.n)) + ` }`), nil
}
func (m *pointerMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"ptr"`), nil }
func (k textKey) MarshalText() ([]byte, error)           { return []byte("key:" + k.k), nil }
func (z zeroer) IsZero() bool                            { return z.n < 0 }
func (z *ptrZeroer) IsZero() bool                        { return z.n > 5 }
func (b *ptrTextBytes) MarshalText() ([]byte, error)     { return []byte("text"), nil }

func rulesValue() Rules {
	f := 2.5
	tm := time.Date(2026, 11, 25, 4, 49, 49, 123456789, time.UTC)
	return Rules{
		Inner:           Inner{A: 1},
		innerUnexported: &innerUnexported{Promoted: "p"},
		Conflict1:       Conflict1{1},
		Conflict2:       Conflict2{2},
		Tagged:          Tagged{3},
		Skip:            "skip",
		Dash:            "dash",
		Renamed:         "r",
		Invalid:         "i",
		OmitZeroer:      zeroer{-1},
		OmitPtrZ:        ptrZeroer{9},
		Str:             42,
		StrPtr:          &f,
		StrStr:          `say "hi" <b>`,
		StrBool:         true,
		StrNum:          "12.5",
		StrMarsh:        valueMarshaler{4},
		unexported:      7,
		Any:             map[string]any{"z": 1, "a": []any{"x", nil, true, 1.5}},
		Time:            tm,
		TimePtr:         &tm,
		VM:              valueMarshaler{1},
		PM:              pointerMarshaler{1},
		PMPtr:           &pointerMarshaler{2},
		Raw:             json.RawMessage(` [1, 2] `),
		Num:             "1e3",
		IP:              net.IPv4(127, 0, 0, 1),
		Arr:             [3]byte{1, 2, 3},
		Floats:          []float64{0, -0.0, 1e-7, 1e21, 123456789, 1.0 / 3, 5e-324, math.MaxFloat64},
		F32:             1e-7,
		TextMap:         map[textKey]int{{"b"}: 2, {"a"}: 1},
		IntMap:          map[int]string{10: "ten", -1: "minus", 2: "two"},
		UintMap:         map[uint8]bool{200: true},
		AnyMap:          map[string]any{"html": "<a href='x'>&</a>", "ctl": "\x00\x1f\t\n\u2028\u2029", "bad": "\xff\xfe", "emoji": "😀"},
		Nested:          [][]any{{1, "a"}, nil, {}},
	}
}

// Every value without binary data encodes exactly as encoding/json encodes
// it, both on the fast path (handed to encoding/json whole) and on the walk
// (reached through a type that may hold binary data).
func TestAppendValueMatchesEncodingJSON(t *testing.T) {
	r := rulesValue()
	values := []any{
		nil, true, 0, -7, int64(math.MinInt64), uint64(math.MaxUint64), 1.5, float32(0.1), 1e21, 1e-7,
		"", "plain", "<html> & \"quotes\" \\ \u2028 \x01 \xff é 😀",
		[]int{1, 2}, []string(nil), map[string]int(nil), map[string]int{"b": 2, "a": 1},
		[3]byte{1, 2, 3}, json.Number("12"), json.RawMessage(`{"a" : 1}`),
		time.Date(2026, 11, 25, 4, 49, 49, 0, time.UTC),
		net.IPv4(10, 0, 0, 1), Inner{A: 5, B: "b"}, &Inner{}, []*Inner{nil, {A: 1}},
		valueMarshaler{3}, &pointerMarshaler{}, []pointerMarshaler{{}}, pointerMarshaler{},
		map[textKey]string{{"x"}: "y"}, map[int64]any{3: "c", -3: nil},
		r, &r, []any{r, []any{r}}, map[string]Rules{"k": r},
	}
	for _, v := range values {
		want := stdJSON(t, v)
		got, err := AppendValue(nil, v, nil)
		if err != nil {
			t.Errorf("AppendValue(%#v): %v", v, err)
			continue
		}
		if string(got) != want {
			t.Errorf("AppendValue fast path:\n got %s\nwant %s", got, want)
		}
		// Force the walk: an interface field makes the wrapper "maybe binary",
		// and a nil []byte is null in both encoders.
		wrapped := struct {
			V   any
			Arr []any
			Map map[string]any
			B   []byte
		}{V: v, Arr: []any{v}, Map: map[string]any{"k": v}}
		want = stdJSON(t, wrapped)
		got, err = AppendValue(nil, wrapped, nil)
		if err != nil {
			t.Errorf("AppendValue(wrapped %#v): %v", v, err)
			continue
		}
		if string(got) != want {
			t.Errorf("AppendValue walk:\n got %s\nwant %s", got, want)
		}
	}
}

// Addressable values use pointer-receiver marshalers, as in encoding/json.
func TestAppendValueAddressable(t *testing.T) {
	type holder struct {
		PM  pointerMarshaler
		PTB ptrTextBytes
		B   []byte
	}
	v := &holder{PTB: ptrTextBytes("raw")}
	var attachments [][]byte
	got, err := AppendValue(nil, v, &attachments)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"PM":"ptr","PTB":"text","B":null}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// Not addressable: the pointer methods are not used, and ptrTextBytes is a
	// plain byte slice, so binary.
	attachments = nil
	got, err = AppendValue(nil, holder{PTB: ptrTextBytes("raw")}, &attachments)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"PM":{},"PTB":{"_placeholder":true,"num":0},"B":null}`; string(got) != want || len(attachments) != 1 {
		t.Errorf("got %s with %d attachments, want %s", got, len(attachments), want)
	}
}

func TestAppendValueBinary(t *testing.T) {
	type File struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	}
	type Upload struct {
		User  string            `json:"user"`
		Files []File            `json:"files"`
		Thumb *[]byte           `json:"thumb,omitempty"`
		ByKey map[string][]byte `json:"byKey"`
		Named named             `json:"named"`
		Empty []byte            `json:"empty"`
		Nil   []byte            `json:"nil"`
		Any   any               `json:"any"`
		IP    net.IP            `json:"ip"`
		Raw   json.RawMessage   `json:"raw"`
		HTML  string            `json:"html"`
	}
	thumb := []byte("thumb")
	v := Upload{
		User:  "ann",
		Files: []File{{"a.txt", []byte("A")}, {"b.txt", []byte("B")}},
		Thumb: &thumb,
		ByKey: map[string][]byte{"z": []byte("Z"), "y": []byte("Y")},
		Named: named("N"),
		Empty: []byte{},
		Any:   []any{[]byte("X"), "s"},
		IP:    net.IPv4(1, 2, 3, 4),
		Raw:   json.RawMessage(`{"r":1}`),
		HTML:  "<&>",
	}
	attachments := [][]byte{[]byte("earlier")}
	got, err := AppendValue([]byte("prefix:"), v, &attachments)
	if err != nil {
		t.Fatal(err)
	}
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	want := `prefix:{"user":"ann","files":[{"name":"a.txt","data":` + ph("1") + `},{"name":"b.txt","data":` + ph("2") + `}],` +
		`"thumb":` + ph("3") + `,"byKey":{"y":` + ph("4") + `,"z":` + ph("5") + `},"named":` + ph("6") + `,"empty":` + ph("7") +
		`,"nil":null,"any":[` + ph("8") + `,"s"],"ip":"1.2.3.4","raw":{"r":1},"html":"<&>"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	wantAtts := []string{"earlier", "A", "B", "thumb", "Y", "Z", "N", "", "X"}
	if len(attachments) != len(wantAtts) {
		t.Fatalf("attachments %q, want %q", attachments, wantAtts)
	}
	for i, w := range wantAtts {
		if string(attachments[i]) != w {
			t.Errorf("attachment %d = %q, want %q", i, attachments[i], w)
		}
	}
	if &attachments[3][0] != &thumb[0] {
		t.Error("attachments are copies")
	}
}

func TestAppendValueDedup(t *testing.T) {
	b := []byte("shared")
	var attachments [][]byte
	got, err := AppendValue(nil, []any{b, b, b[:3], b}, &attachments)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"_placeholder":true,"num":0},{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`
	if string(got) != want || len(attachments) != 2 {
		t.Errorf("got %s with %d attachments", got, len(attachments))
	}
	// Many distinct slices and then repeats: the map takes over.
	backing := make([]byte, 100)
	var many []any
	for i := range 40 {
		many = append(many, backing[i:i+1])
	}
	many = append(many, many...)
	attachments = nil
	if _, err := AppendValue(nil, many, &attachments); err != nil {
		t.Fatal(err)
	}
	if len(attachments) != 40 {
		t.Errorf("%d attachments, want 40", len(attachments))
	}
}

func TestAppendValueErrors(t *testing.T) {
	dst := []byte("keep")
	// Binary data without an attachments slice.
	got, err := AppendValue(dst, map[string]any{"b": []byte{1}}, nil)
	if !errors.Is(err, errNoAttachments) || string(got) != "keep" {
		t.Errorf("nil attachments: %q, %v", got, err)
	}
	// A failure after an attachment undoes it.
	attachments := [][]byte{[]byte("old")}
	got, err = AppendValue(dst, []any{[]byte{1}, math.NaN()}, &attachments)
	var uve *json.UnsupportedValueError
	if !errors.As(err, &uve) || string(got) != "keep" || len(attachments) != 1 {
		t.Errorf("NaN: %q, %v, %d attachments", got, err, len(attachments))
	}
	// Unsupported types, on both paths.
	for _, v := range []any{make(chan int), []any{func() {}}, map[[2]int]any{{1, 2}: nil}, complex(1, 2)} {
		if _, err := AppendValue(nil, v, &attachments); err == nil {
			t.Errorf("AppendValue(%T) accepted", v)
		}
	}
	// A cycle through interfaces ends in an error, not a stack overflow.
	type node struct {
		Next any
		B    []byte
	}
	n := &node{}
	n.Next = n
	if _, err := AppendValue(nil, n, &attachments); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: %v", err)
	}
	// A failing marshaler.
	if _, err := AppendValue(nil, []any{badMarshaler{}}, &attachments); err == nil {
		t.Error("failing marshaler accepted")
	}
}

type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return []byte(`{bad`), nil }

func TestAppendEvent(t *testing.T) {
	var attachments [][]byte
	b := []byte{1, 2, 3}
	got, err := AppendEvent([]byte("2"), "chat <message>", []any{"hi", b, map[string]any{"again": b}}, &attachments)
	if err != nil {
		t.Fatal(err)
	}
	want := `2["chat <message>","hi",{"_placeholder":true,"num":0},{"again":{"_placeholder":true,"num":0}}]`
	if string(got) != want || len(attachments) != 1 {
		t.Errorf("got %s with %d attachments", got, len(attachments))
	}
	got, err = AppendEvent(nil, "x", nil, nil)
	if err != nil || string(got) != `["x"]` {
		t.Errorf("no args: %s, %v", got, err)
	}
	if _, err := AppendEvent(nil, "x", []any{math.Inf(1)}, nil); err == nil {
		t.Error("Inf accepted")
	}
}

func TestAppendArray(t *testing.T) {
	var attachments [][]byte
	got, err := AppendArray(nil, []any{1, nil, []byte("x")}, &attachments)
	if err != nil || string(got) != `[1,null,{"_placeholder":true,"num":0}]` || len(attachments) != 1 {
		t.Errorf("got %s, %v, %d attachments", got, err, len(attachments))
	}
	got, err = AppendArray(nil, nil, nil)
	if err != nil || string(got) != `[]` {
		t.Errorf("empty: %s, %v", got, err)
	}
}

// appendString is encoding/json's string encoder without HTML escaping.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	for _, s := range []string{string(all), "\u2028\u2029", "\xed\xa0\x80", "a\xc3", "😀é<>&"} {
		if got, want := string(appendString(nil, s)), stdJSON(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
		if got, want := string(appendString(nil, []byte(s))), stdJSON(t, s); got != want {
			t.Errorf("appendString([]byte %q) = %s, want %s", s, got, want)
		}
	}
}

// Embedded fields of unexported struct types with a json tag are values
// reflect will not turn into interfaces; encoding/json walks them, and so
// does this package.
type (
	hiddenInner struct {
		Bin  []byte
		When time.Time
		N    int `json:"n,string"`
	}
	hiddenPtr   struct{ Y []byte }
	HiddenOuter struct {
		hiddenInner `json:"in"`
		*hiddenPtr  `json:"p"`
		Top         string
	}
)

func TestUnexportedEmbeddedWithTag(t *testing.T) {
	// Without binary data: as encoding/json.
	v := HiddenOuter{hiddenInner: hiddenInner{When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), N: 4}, hiddenPtr: &hiddenPtr{}, Top: "t"}
	got, err := AppendValue(nil, v, nil)
	if want := stdJSON(t, v); err != nil || string(got) != want {
		t.Errorf("got %s, %v; want %s", got, err, want)
	}
	// With binary data, both ways.
	v.Bin, v.Y = []byte("b"), []byte("y")
	var attachments [][]byte
	data, err := AppendValue(nil, v, &attachments)
	if err != nil || len(attachments) != 2 {
		t.Fatalf("%s, %v", data, err)
	}
	out := HiddenOuter{hiddenPtr: &hiddenPtr{}}
	if err := Unmarshal(data, attachments, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, out) {
		t.Errorf("round trip: %+v, want %+v", out, v)
	}
	// A nil unexported embedded pointer cannot be allocated: an error (where
	// encoding/json panics).
	out = HiddenOuter{}
	if err := Unmarshal([]byte(`{"p":{"Y":{"_placeholder":true,"num":0}}}`), attachments, &out); err == nil {
		t.Error("nil unexported embedded pointer: no error")
	}
	// Quoted fields and unknown keys in a struct decoded member by member.
	out = HiddenOuter{hiddenPtr: &hiddenPtr{}}
	err = Unmarshal([]byte(`{"in":{"n":"12","x":1,"bin":{"_placeholder":true,"num":0}}}`), attachments, &out)
	if err != nil || out.N != 12 || string(out.Bin) != "b" {
		t.Errorf("%+v, %v", out, err)
	}
	err = Unmarshal([]byte(`{"in":{"n":12,"bin":{"_placeholder":true,"num":0}}}`), attachments, &out)
	if err == nil || !strings.Contains(err.Error(), "$.in.n: json: invalid use of ,string") {
		t.Errorf("unquoted ,string value: %v", err)
	}
}

type (
	plainInner struct {
		X int
		T time.Time
	}
	plainPtr     struct{ Y string }
	innerMarshal struct{ X int }
	MixedHidden  struct {
		plainInner `json:"pi"`
		*plainPtr  `json:"pp"`
		B          []byte
	}
	innerMarshal2   struct{ X int }
	HiddenMarshaler struct {
		// Two embedded marshalers: neither method is promoted.
		innerMarshal  `json:"im"`
		innerMarshal2 `json:"im2"`
		B             []byte
	}
)

func (innerMarshal) MarshalJSON() ([]byte, error)  { return []byte(`"m"`), nil }
func (innerMarshal2) MarshalJSON() ([]byte, error) { return []byte(`"m2"`), nil }

func TestUnexportedEmbeddedWithoutBinary(t *testing.T) {
	for _, v := range []MixedHidden{{plainInner: plainInner{X: 1}}, {plainPtr: &plainPtr{"y"}}} {
		got, err := AppendValue(nil, v, nil)
		if want := stdJSON(t, v); err != nil || string(got) != want {
			t.Errorf("got %s, %v; want %s", got, err, want)
		}
	}
	// encoding/json panics on a marshaler reached this way; this is an error.
	if _, err := AppendValue(nil, HiddenMarshaler{}, nil); err == nil || !strings.Contains(err.Error(), "unexported") {
		t.Errorf("marshaler through an unexported field: %v", err)
	}
}
