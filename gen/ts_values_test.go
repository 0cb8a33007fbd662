package gen_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/gen/testdata/jsontypes"
	"github.com/siogen/siogen/gen/testdata/jsontypes/shapes"
	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// TestTypeScriptAcceptsWhatGoSends encodes event arguments of the
// jsontypes schema as the runtime sends them (codec.AppendArray: the JSON
// of encoding/json, []byte as attachments), full and zero values alike,
// and has tsc check each payload against the generated TypeScript type of
// its event. A property the Go side writes that the type lacks, or a null
// the type does not allow, fails the test: the types describe what really
// travels.
func TestTypeScriptAcceptsWhatGoSends(t *testing.T) {
	one, two := 1, "two"
	pTwo := &two
	at := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	yes := true
	full := jsontypes.Tagged{
		Renamed: "r", Plain: -1, Hidden: "h", Dash: "d", Bad: "b", Quoted: 1 << 40, QuotedP: &yes,
		Dashed: "text/plain", OptStr: "s", OptPtr: &one, OptSlice: []int{1},
		OptStruct: jsontypes.File{Name: "f", Data: []byte{1, 2}}, ZeroStr: "z",
		ZeroMap: map[string]string{"k": "v"}, ZeroTime: at, Nullable: []string{"x"},
	}
	cases := []struct {
		event string // a wire name of KindsClientToServerEvents
		args  []any
	}{
		{"basics", []any{true, "s", -1, int8(-128), int16(-1), int32(-1), int64(-1 << 62), uint(1), uint8(255), uint16(1), uint32(1), uint64(1 << 63), uintptr(7), float32(1.5), 2.5, 'x', byte(9)}},
		{"basics", []any{false, "", 0, int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0), uint16(0), uint32(0), uint64(0), uintptr(0), float32(0), 0.0, rune(0), byte(0)}},
		{"containers", []any{&one, &pTwo, []string{"a"}, [3]int{1, 2, 3}, [4]byte{1, 2, 3, 4}, [][]*int{{&one, nil}, nil},
			map[string]int{"a": 1}, map[int64]bool{-5: true}, map[shapes.Cell]string{{Row: 1}: "x"}, map[string]map[uint8][]float64{"a": {8: {1.5}, 9: nil}, "b": nil}}},
		{"containers", []any{(*int)(nil), (**string)(nil), []string(nil), [3]int{}, [4]byte{}, [][]*int(nil),
			map[string]int(nil), map[int64]bool(nil), map[shapes.Cell]string(nil), map[string]map[uint8][]float64(nil)}},
		{"binary", []any{[]byte{1}, jsontypes.Blob{2}, [][]byte{{3}, nil}, jsontypes.File{Name: "n", Data: []byte{4}}}},
		{"binary", []any{[]byte(nil), jsontypes.Blob(nil), [][]byte(nil), jsontypes.File{}}},
		{"special", []any{at, &at, time.Second, json.RawMessage(`{"any":[1]}`), map[string]any{"x": 1}, nil,
			jsontypes.SelfJSON{}, &jsontypes.PtrJSON{N: 1}, jsontypes.Level(1), netip.MustParseAddr("::1"),
			jsontypes.Version{Major: 1, Minor: 2}, &jsontypes.Pair{A: 1, B: 2}, jsontypes.PtrText(3)}},
		{"special", []any{time.Time{}, (*time.Time)(nil), time.Duration(0), json.RawMessage(`null`), nil, nil,
			jsontypes.SelfJSON{}, (*jsontypes.PtrJSON)(nil), jsontypes.Level(0), netip.Addr{}, jsontypes.Version{}, (*jsontypes.Pair)(nil), jsontypes.PtrText(0)}},
		{"structs", []any{full,
			jsontypes.Embedder{Base: jsontypes.Base{ID: 1, Shadow: "deep"}, Extra: &jsontypes.Extra{Note: "n"}, Named: jsontypes.Base{ID: 2}, Own: "o", Shadow: true},
			jsontypes.Conflicts{Left: jsontypes.Left{Same: "l", Label: "x"}, Right: jsontypes.Right{Same: 1, Label: 2}},
			struct {
				Name string `json:"name"`
				Age  int    `json:"age,omitempty"`
			}{"ann", 3}, struct{}{}}},
		{"structs", []any{jsontypes.Tagged{}, jsontypes.Embedder{}, jsontypes.Conflicts{},
			struct {
				Name string `json:"name"`
				Age  int    `json:"age,omitempty"`
			}{}, struct{}{}}},
		{"named", []any{jsontypes.ID(1), "alias", jsontypes.Box[shapes.Point]{Item: shapes.Point{X: 1}, Items: []shapes.Point{{Y: 2}}},
			jsontypes.Box[[]jsontypes.Level]{Item: []jsontypes.Level{1}, Items: [][]jsontypes.Level{nil, {2}}},
			&jsontypes.Tree{Value: 1, Children: []*jsontypes.Tree{{Value: 2}, nil}}, shapes.Point{X: 3, Y: 4}}},
		{"named", []any{jsontypes.ID(0), "", jsontypes.Box[shapes.Point]{}, jsontypes.Box[[]jsontypes.Level]{}, (*jsontypes.Tree)(nil), shapes.Point{}}},
		{"keywords", []any{"new", 1}},
	}

	placeholder := regexp.MustCompile(`\{"_placeholder":true,"num":(\d+)\}`)
	var src strings.Builder
	src.WriteString(`import { KindsClientToServerEvents as Events } from "./jsontypes";

// The arguments of an event: its parameters without a trailing ack.
type Payload<F> = F extends (...args: [...infer P, infer Ack]) => void
  ? Ack extends (...reply: never[]) => void ? P : [...P, Ack]
  : F extends (...args: infer A) => void ? A : never;
`)
	for i, c := range cases {
		var atts [][]byte
		payload, err := codec.AppendArray(nil, c.args, &atts)
		if err != nil {
			t.Fatalf("%s: %v", c.event, err)
		}
		// The attachments arrive as binary data.
		js := placeholder.ReplaceAllString(string(payload), "new Uint8Array($1)")
		fmt.Fprintf(&src, "export const payload%d: Payload<Events[%q]> = %s;\n", i, c.event, js)
	}
	dir := t.TempDir()
	generated, err := os.ReadFile(filepath.Join("testdata", "jsontypes", "jsontypes.ts"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "jsontypes.ts"), filepath.Join(dir, "payloads.ts")}
	os.WriteFile(files[0], generated, 0o644)
	os.WriteFile(files[1], []byte(src.String()), 0o644)
	if t.Failed() {
		return
	}
	defer func() {
		if t.Failed() {
			t.Logf("payloads.ts:\n%s", src.String())
		}
	}()
	nodetest.TypeScript(t, "", files...)
}
