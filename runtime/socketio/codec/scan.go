package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// maxNesting bounds the JSON nesting that Unmarshal, EventName and SplitArray
// accept on their own. It equals encoding/json's limit, so that the
// json.Unmarshal fast path and this package's own walk reject the same input.
// (Packets from a Decoder are far shallower: see Decoder.MaxDepth.)
const maxNesting = 10000

// Kinds of JSON values, as returned by scanner.value.
const (
	kindObject byte = '{'
	kindArray  byte = '['
	kindString byte = '"'
	kindNumber byte = '0'
	kindTrue   byte = 't'
	kindFalse  byte = 'f'
	kindNull   byte = 'n'
)

// kindName names a value kind for error messages.
func kindName(k byte) string {
	switch k {
	case kindObject:
		return "object"
	case kindArray:
		return "array"
	case kindString:
		return "string"
	case kindNumber:
		return "number"
	case kindTrue, kindFalse:
		return "bool"
	case kindNull:
		return "null"
	}
	return "nothing"
}

// mark records a container of the scanned text that is, or contains, a
// binary placeholder. Unmarshal walks only marked containers itself and
// hands everything else to encoding/json; knowing each marked container's
// end lets it step over one without scanning it again, which keeps the walk
// linear in the input however deep the placeholders sit.
type mark struct {
	start, end int // data[start:end] is the container
	num        int // attachment index if the container is a placeholder, else -1
}

// scanner is a validating recursive-descent JSON reader over a byte slice.
// It accepts exactly what json.Valid accepts (RFC 8259; like encoding/json it
// does not check UTF-8), enforces a nesting limit, and, when asked, checks
// and records binary placeholders on the way. It allocates nothing unless it
// records marks or fails.
type scanner struct {
	data     []byte
	pos      int
	maxDepth int

	// placeholders enables the placeholder check: every object whose
	// "_placeholder" member is true must have a "num" member that is an
	// integer in [0, attachments).
	placeholders bool
	attachments  int
	// collect makes the scanner append a mark for every placeholder and every
	// container holding one (in the order the containers end).
	collect bool
	marks   []mark
}

// syntaxError reports malformed JSON.
type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.off, e.msg)
}

func (s *scanner) errorf(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...), off: s.pos}
}

// unexpected reports the byte at s.pos (or the end of input) as unexpected.
func (s *scanner) unexpected(context string) error {
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end of input %s", context)
	}
	return s.errorf("unexpected %s %s", quoteByte(s.data[s.pos]), context)
}

func quoteByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// skipSpace advances over JSON whitespace.
func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// document scans data as one complete JSON text and returns the kind of its
// top-level value.
func (s *scanner) document() (byte, error) {
	s.skipSpace()
	kind, err := s.value(0)
	if err != nil {
		return 0, err
	}
	s.skipSpace()
	if s.pos != len(s.data) {
		return 0, s.unexpected("after top-level value")
	}
	return kind, nil
}

// value scans one value starting at s.pos; depth is the nesting of the
// enclosing container (0 at the top level).
func (s *scanner) value(depth int) (byte, error) {
	if s.pos >= len(s.data) {
		return 0, s.unexpected("looking for a value")
	}
	switch c := s.data[s.pos]; c {
	case '{':
		return kindObject, s.object(depth + 1)
	case '[':
		return kindArray, s.array(depth + 1)
	case '"':
		_, err := s.str()
		return kindString, err
	case 't':
		return kindTrue, s.literal("true")
	case 'f':
		return kindFalse, s.literal("false")
	case 'n':
		return kindNull, s.literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return kindNumber, s.number()
		}
		return 0, s.unexpected("looking for a value")
	}
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.errorf("invalid literal, want %s", lit)
	}
	s.pos += len(lit)
	return nil
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.pos < len(s.data) && '1' <= s.data[s.pos] && s.data[s.pos] <= '9':
		s.digits()
	default:
		return s.unexpected("in number")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return s.unexpected("after decimal point in number")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return s.unexpected("in exponent of number")
		}
	}
	return nil
}

func (s *scanner) digits() int {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// str scans a string literal and reports whether it contains escapes.
func (s *scanner) str() (escaped bool, err error) {
	s.pos++ // opening quote
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return escaped, nil
		case c == '\\':
			escaped = true
			s.pos++
			if s.pos >= len(s.data) {
				return escaped, s.unexpected("in string escape")
			}
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				s.pos++
				for range 4 {
					if s.pos >= len(s.data) || !isHex(s.data[s.pos]) {
						return escaped, s.unexpected(`in \u escape`)
					}
					s.pos++
				}
			default:
				return escaped, s.unexpected("in string escape")
			}
		case c < 0x20:
			return escaped, s.unexpected("in string literal")
		default:
			s.pos++
		}
	}
	return escaped, s.unexpected("in string literal")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (s *scanner) array(depth int) error {
	if depth > s.maxDepth {
		return s.errorf("nesting deeper than %d", s.maxDepth)
	}
	start, nmarks := s.pos, len(s.marks)
	s.pos++ // [
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if _, err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.unexpected("after array element")
		}
		if c := s.data[s.pos]; c == ']' {
			s.pos++
			break
		} else if c != ',' {
			return s.unexpected("after array element")
		}
		s.pos++
	}
	if s.collect && len(s.marks) > nmarks {
		s.marks = append(s.marks, mark{start: start, end: s.pos, num: -1})
	}
	return nil
}

// object scans the JSON object at s.pos and notes whether it is a binary
// attachment's placeholder ({"_placeholder":true,"num":n}). Long on purpose: a state machine over the
// object's grammar, which reads best in one piece.
func (s *scanner) object(depth int) error {
	if depth > s.maxDepth {
		return s.errorf("nesting deeper than %d", s.maxDepth)
	}
	start, nmarks := s.pos, len(s.marks)
	s.pos++ // {
	// As in JSON.parse, the last of duplicate keys wins, so these track the
	// last "_placeholder" and "num" members.
	placeholder := false
	numStart, numEnd := -1, -1
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.unexpected("looking for an object key")
		}
		keyStart := s.pos
		escaped, err := s.str()
		if err != nil {
			return err
		}
		keyEnd := s.pos
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.unexpected("after object key")
		}
		s.pos++
		s.skipSpace()
		valStart := s.pos
		kind, err := s.value(depth)
		if err != nil {
			return err
		}
		if s.placeholders {
			switch key := s.data[keyStart:keyEnd]; {
			case keyEquals(key, escaped, "_placeholder"):
				placeholder = kind == kindTrue
			case keyEquals(key, escaped, "num"):
				numStart, numEnd = valStart, s.pos
				if kind != kindNumber {
					numStart = -1
				}
			}
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.unexpected("after object member")
		}
		if c := s.data[s.pos]; c == '}' {
			s.pos++
			break
		} else if c != ',' {
			return s.unexpected("after object member")
		}
		s.pos++
	}
	num := -1
	if placeholder {
		// The reference accepts any number in range and then indexes with it;
		// only an integer names an attachment, so anything else is refused.
		// (It also does not look inside a placeholder object; this check does,
		// which only refuses what no encoder produces.)
		n, ok := -1, false
		if numStart >= 0 {
			n, ok = placeholderNum(s.data[numStart:numEnd], s.attachments)
		}
		if !ok {
			s.pos = start
			if numStart < 0 {
				return s.errorf("placeholder without a numeric num")
			}
			return s.errorf("placeholder num %s out of range [0,%d)", string(s.data[numStart:numEnd]), s.attachments)
		}
		num = n
	}
	if s.collect && (placeholder || len(s.marks) > nmarks) {
		s.marks = append(s.marks, mark{start: start, end: s.pos, num: num})
	}
	return nil
}

// keyEquals reports whether the raw string literal key (quotes included)
// denotes want. Escaped keys are decoded first, since JSON.parse gives
// "\u005fplaceholder" and "_placeholder" the same meaning.
func keyEquals(key []byte, escaped bool, want string) bool {
	if !escaped {
		return string(key[1:len(key)-1]) == want
	}
	if len(key) > 6*len(want)+2 { // longer than want with every byte escaped
		return false
	}
	s, err := unquote(key)
	return err == nil && s == want
}

// placeholderNum returns the attachment index named by the JSON number raw if
// it is an integer in [0, n).
func placeholderNum(raw []byte, n int) (int, bool) {
	v := 0
	i := 0
	for ; i < len(raw) && '0' <= raw[i] && raw[i] <= '9'; i++ {
		v = v*10 + int(raw[i]-'0')
		if v >= n {
			return 0, false
		}
	}
	if i == len(raw) {
		return v, true
	}
	// Rare forms that JSON.parse reads as integers too: -0, 1.0, 1e0.
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f >= float64(n) {
		return 0, false
	}
	return int(f), true
}

// unquote decodes the JSON string literal raw (quotes included), which must
// be valid. Like encoding/json it replaces invalid UTF-8 and unpaired
// surrogates with U+FFFD.
func unquote(raw []byte) (string, error) {
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// validJSON reports whether data is one valid JSON text no deeper than
// maxDepth.
func validJSON(data []byte, maxDepth int) bool {
	s := scanner{data: data, maxDepth: maxDepth}
	_, err := s.document()
	return err == nil
}
