package engineio

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// savedRequest is what a session keeps of its handshake request for
// Conn.Request: the request's fields, with the header packed into one
// string, from which the *http.Request is made the first time it is asked
// for, once. net/http's map of a handful of headers, with a string per
// value, was most of an idle session's request (about 700 B for a
// client's five headers), and the copy of the request itself 320 B; most
// servers never read the request of an established session.
type savedRequest struct {
	method, proto, host, remoteAddr, requestURI, pattern string

	url        *url.URL
	tls        *tls.ConnectionState
	ctx        context.Context
	header     string // as packHeader packs it
	protoMajor int32
	protoMinor int32
	close      bool
	rare       *rareRequestFields // nil for nearly every handshake

	full atomic.Pointer[http.Request]
}

// rareRequestFields are what a handshake request seldom has: a parsed form
// (an AllowRequest hook that read it), path values of a ServeMux pattern.
type rareRequestFields struct {
	contentLength    int64
	transferEncoding []string
	form, postForm   url.Values
	multipartForm    *multipart.Form
	trailer          http.Header
	pathValues       []string // name, value, …
}

// save keeps what Request returns of r.
func (s *savedRequest) save(r *http.Request) {
	*s = savedRequest{
		method: r.Method, proto: r.Proto, host: r.Host, remoteAddr: r.RemoteAddr,
		requestURI: r.RequestURI, pattern: r.Pattern,
		url: r.URL, tls: r.TLS, ctx: r.Context(),
		protoMajor: int32(r.ProtoMajor), protoMinor: int32(r.ProtoMinor), close: r.Close,
	}
	if r.Header != nil {
		s.header = packHeader(r.Header)
	}
	rare := rareRequestFields{
		contentLength: r.ContentLength, transferEncoding: r.TransferEncoding,
		form: r.Form, postForm: r.PostForm, multipartForm: r.MultipartForm, trailer: r.Trailer,
	}
	for _, name := range wildcards(r.Pattern) {
		if v := r.PathValue(name); v != "" {
			rare.pathValues = append(rare.pathValues, name, v)
		}
	}
	if rare.contentLength != 0 || rare.transferEncoding != nil || rare.form != nil || rare.postForm != nil ||
		rare.multipartForm != nil || rare.trailer != nil || rare.pathValues != nil {
		s.rare = &rare
	}
}

// request returns the saved request, made on first use. Its body is empty.
func (s *savedRequest) request() *http.Request {
	if r := s.full.Load(); r != nil {
		return r
	}
	r := &http.Request{
		Method: s.method, URL: s.url, Proto: s.proto,
		ProtoMajor: int(s.protoMajor), ProtoMinor: int(s.protoMinor),
		Body: http.NoBody, Close: s.close, Host: s.host, RemoteAddr: s.remoteAddr,
		RequestURI: s.requestURI, TLS: s.tls, Pattern: s.pattern,
	}
	if s.header != "" {
		r.Header = unpackHeader(s.header)
	}
	if s.ctx != nil {
		r = r.WithContext(s.ctx)
	}
	if f := s.rare; f != nil {
		r.ContentLength, r.TransferEncoding, r.Trailer = f.contentLength, f.transferEncoding, f.trailer
		r.Form, r.PostForm, r.MultipartForm = f.form, f.postForm, f.multipartForm
		for i := 0; i+1 < len(f.pathValues); i += 2 {
			r.SetPathValue(f.pathValues[i], f.pathValues[i+1])
		}
	}
	if !s.full.CompareAndSwap(nil, r) {
		return s.full.Load() // made meanwhile by another goroutine
	}
	return r
}

// wildcards returns the names of a ServeMux pattern's wildcards: {name}
// and {name...}, not {$}.
func wildcards(pattern string) []string {
	var names []string
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			return names
		}
		pattern = pattern[i+1:]
		j := strings.IndexByte(pattern, '}')
		if j < 0 {
			return names
		}
		if name := strings.TrimSuffix(pattern[:j], "..."); name != "$" && name != "" {
			names = append(names, name)
		}
		pattern = pattern[j+1:]
	}
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
