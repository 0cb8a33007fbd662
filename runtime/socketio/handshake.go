package socketio

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Handshake describes the request that opened a socket's connection, with
// the query of its namespace CONNECT merged over the URL's.
type Handshake struct {
	Header  http.Header // request headers; shared with the connection's request, so read-only
	Host    string      // the Host header, which net/http keeps out of Header
	Query   url.Values  // query parameters
	Address string      // the client's IP address
	Time    time.Time   // when the connection was opened
	XDomain bool        // the request carried an Origin header
	Secure  bool        // TLS
	URL     string      // request URI, path and query
	// Auth is the payload of the namespace's CONNECT packet (socket.io 3.x
	// and 4.x clients' auth option), a JSON object, "{}" when the client
	// sent none. It is nil for socket.io 2.x clients, whose CONNECT has no
	// payload.
	Auth json.RawMessage
}

func newHandshake(r *http.Request, t time.Time) *Handshake {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return &Handshake{
		Header:  r.Header,
		Host:    r.Host,
		Query:   r.URL.Query(),
		Address: addr,
		Time:    t,
		XDomain: r.Header.Get("Origin") != "",
		Secure:  r.TLS != nil,
		URL:     r.URL.RequestURI(),
	}
}

// withQuery returns a copy of h whose Query has q merged over it.
func (h *Handshake) withQuery(q url.Values) *Handshake {
	if len(q) == 0 {
		return h
	}
	c := *h
	c.Query = url.Values{}
	for k, v := range h.Query {
		c.Query[k] = v
	}
	for k, v := range q {
		c.Query[k] = v
	}
	return &c
}

// withAuth returns a copy of h with Auth set to auth, or "{}" when nil.
func (h *Handshake) withAuth(auth json.RawMessage) *Handshake {
	c := *h
	c.Auth = auth
	if c.Auth == nil {
		c.Auth = json.RawMessage("{}")
	}
	return &c
}

// MarshalJSON renders the handshake as socket.io's socket.handshake:
// lower-case header names with string values (host among them), query
// values as strings, time as JavaScript's Date.toString and issued in
// milliseconds; auth for socket.io 3.x and 4.x clients.
func (h *Handshake) MarshalJSON() ([]byte, error) {
	headers := make(map[string]string, len(h.Header)+1)
	for k, v := range h.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	if h.Host != "" {
		// socket.io's handshake has it among the headers.
		headers["host"] = h.Host
	}
	query := make(map[string]string, len(h.Query))
	for k, v := range h.Query {
		if len(v) > 0 {
			query[k] = v[len(v)-1]
		}
	}
	return json.Marshal(struct {
		Headers map[string]string `json:"headers"`
		Time    string            `json:"time"`
		Address string            `json:"address"`
		XDomain bool              `json:"xdomain"`
		Secure  bool              `json:"secure"`
		Issued  int64             `json:"issued"`
		URL     string            `json:"url"`
		Query   map[string]string `json:"query"`
		Auth    json.RawMessage   `json:"auth,omitempty"`
	}{headers, h.Time.Format("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"), h.Address, h.XDomain, h.Secure, h.Time.UnixMilli(), h.URL, query, h.Auth})
}
