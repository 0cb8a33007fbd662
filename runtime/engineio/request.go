package engineio

import (
	"encoding/binary"
	"net/http"
	"strings"
	"sync/atomic"
)

// savedRequest is what a session keeps of its handshake request for
// Conn.Request: the request without its header map, and the header packed
// into one string. net/http's map of a handful of headers, with a string
// per value, is most of an idle session's request (about 700 B for a
// client's five headers); the packed form is their bytes and a few more.
// Most servers never read the request of an established session, so the
// map is rebuilt only when asked for, once.
type savedRequest struct {
	r      *http.Request // Header nil; never written
	header string        // r's Header as packHeader packs it
	full   atomic.Pointer[http.Request]
}

// save keeps r, which the caller owns (a shallow copy), with its header
// packed.
func (s *savedRequest) save(r *http.Request) {
	s.r = r
	if r.Header != nil {
		s.header = packHeader(r.Header)
		r.Header = nil
	}
}

// request returns the saved request with its header, made on first use.
func (s *savedRequest) request() *http.Request {
	if r := s.full.Load(); r != nil {
		return r
	}
	r := new(http.Request)
	*r = *s.r
	if s.header != "" {
		r.Header = unpackHeader(s.header)
	}
	if !s.full.CompareAndSwap(nil, r) {
		return s.full.Load() // made meanwhile by another goroutine
	}
	return r
}

// packHeader packs h into one string: for each key, its length and bytes,
// its number of values, then each value's length and bytes, lengths as
// uvarints, so that any byte may appear in a key or a value.
func packHeader(h http.Header) string {
	n := 0
	for k, vs := range h {
		n += uvarintLen(len(k)) + len(k) + uvarintLen(len(vs))
		for _, v := range vs {
			n += uvarintLen(len(v)) + len(v)
		}
	}
	// Built in place, at its exact size: the string is kept for the
	// session's life.
	var b strings.Builder
	b.Grow(n)
	var tmp [binary.MaxVarintLen64]byte
	put := func(x int) { b.Write(binary.AppendUvarint(tmp[:0], uint64(x))) }
	for k, vs := range h {
		put(len(k))
		b.WriteString(k)
		put(len(vs))
		for _, v := range vs {
			put(len(v))
			b.WriteString(v)
		}
	}
	return b.String()
}

func uvarintLen(x int) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// unpackHeader is the inverse of packHeader. Keys and values are
// substrings of p.
func unpackHeader(p string) http.Header {
	h := make(http.Header)
	next := func() string {
		n, w := uvarint(p)
		s := p[w : w+int(n)]
		p = p[w+int(n):]
		return s
	}
	for len(p) > 0 {
		k := next()
		n, w := uvarint(p)
		p = p[w:]
		vs := make([]string, n)
		for i := range vs {
			vs[i] = next()
		}
		h[k] = vs
	}
	return h
}

// uvarint decodes a uvarint at the start of s, which packHeader wrote.
func uvarint(s string) (uint64, int) {
	var x uint64
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x80 {
			return x | uint64(b)<<(7*i), i + 1
		}
		x |= uint64(b&0x7f) << (7 * i)
	}
	panic("engineio: truncated packed header")
}
