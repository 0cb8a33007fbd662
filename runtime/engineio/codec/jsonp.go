package codec

import (
	"bytes"
	"net/url"
	"slices"
)

// AppendJSONP appends the JSONP poll response that carries a string payload:
// ___eio[<index>]("<payload>"); where the payload is escaped as JavaScript's
// JSON.stringify escapes a string (quote, backslash, control characters;
// other characters, non-ASCII included, stay raw), and U+2028 and U+2029 are
// escaped too, since a JavaScript string literal may not hold them raw before
// ES2019. Characters of index other than ASCII digits are dropped, as the
// reference does with the j query parameter: that keeps the script from being
// injected into.
func AppendJSONP(dst []byte, index string, payload []byte) []byte {
	dst = slices.Grow(dst, len(`___eio[]("");`)+len(index)+len(payload)+len(payload)/8)
	dst = append(dst, "___eio["...)
	for i := 0; i < len(index); i++ {
		if c := index[i]; c >= '0' && c <= '9' {
			dst = append(dst, c)
		}
	}
	dst = append(dst, `]("`...)
	dst = appendJSString(dst, payload)
	return append(dst, `");`...)
}

const hexDigits = "0123456789abcdef"

// appendJSString appends s escaped for the inside of a double-quoted
// JavaScript string literal, byte for byte what JSON.stringify followed by the
// reference's U+2028/U+2029 replacement produces for valid UTF-8. Invalid
// UTF-8 is copied as it is.
func appendJSString(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0xE2 {
			i++
			continue
		}
		if c == 0xE2 {
			// U+2028 is E2 80 A8, U+2029 is E2 80 A9.
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\u202`...)
				dst = append(dst, '8'+s[i+2]-0xA8)
				i += 3
				start = i
				continue
			}
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// DecodeJSONPBody extracts the string payload from a JSONP POST body: the
// application/x-www-form-urlencoded field "d" ("+" is a space, "%2B" a plus,
// decoded by net/url), with the client's newline escaping undone as the
// reference does it: first each backslash-n that is not part of
// backslash-backslash-n becomes a newline, then each backslash-backslash-n
// becomes backslash-n. The result is fresh memory, not an alias of body.
//
// A body without "d", or with "d" more than once (the reference then gets an
// array, not a string), gives (nil, nil): the reference ignores it. An empty
// "d" is a *ProtocolError, as the empty payload it stands for would be.
// So is a malformed %-escape in "d", which the reference would keep as
// literal text; browsers never send one. Fields whose name has a malformed
// escape cannot be "d" and are skipped. Unlike the reference, which reads
// only the first 1000 fields, every field is read.
func DecodeJSONPBody(body []byte) ([]byte, error) {
	var (
		d     []byte
		found int
	)
	for rest := body; len(rest) > 0; {
		var pair []byte
		pair, rest, _ = bytes.Cut(rest, []byte{'&'})
		k, v, _ := bytes.Cut(pair, []byte{'='})
		if !isFieldD(k) {
			continue
		}
		found++
		d = v
	}
	if found != 1 {
		return nil, nil
	}
	s, err := url.QueryUnescape(string(d))
	if err != nil {
		return nil, &ProtocolError{What: "jsonp body", Offset: -1, Reason: "field d: " + err.Error()}
	}
	if s == "" {
		return nil, &ProtocolError{What: "jsonp body", Offset: -1, Reason: "field d is empty"}
	}
	return unescapeNewlines([]byte(s)), nil
}

// isFieldD reports whether the raw form field name k decodes to "d".
func isFieldD(k []byte) bool {
	if len(k) == 1 {
		return k[0] == 'd'
	}
	// Only an escaped name ("%64") can be longer and still be "d".
	if bytes.IndexByte(k, '%') < 0 {
		return false
	}
	name, err := url.QueryUnescape(string(k))
	return err == nil && name == "d"
}

// unescapeNewlines undoes the JSONP client's newline escaping in place, in
// the reference's two passes: s.replace(/(\\)?\\n/g, m => m has the backslash
// ? m : "\n"), then s.replace(/\\\\n/g, "\\n").
func unescapeNewlines(s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return s
	}
	w := 0
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) {
			if s[i+1] == '\\' && i+2 < len(s) && s[i+2] == 'n' {
				w += copy(s[w:], s[i:i+3])
				i += 3
				continue
			}
			if s[i+1] == 'n' {
				s[w] = '\n'
				w++
				i += 2
				continue
			}
		}
		s[w] = s[i]
		w++
		i++
	}
	s = s[:w]
	w = 0
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'n' {
			s[w], s[w+1] = '\\', 'n'
			w += 2
			i += 3
			continue
		}
		s[w] = s[i]
		w++
		i++
	}
	return s[:w]
}
