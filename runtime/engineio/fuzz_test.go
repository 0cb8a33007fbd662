package engineio

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzServeHTTP sends any request (method, query, headers, body) to a
// server, on a live polling session when the query says sid=SID (an
// Engine.IO v4 one when it says EIO=4), and checks that nothing panics, that
// every answer is one engine.io 3.6.2 or 6.x gives, and that the session
// table stays consistent.
func FuzzServeHTTP(f *testing.F) {
	for _, seed := range []struct{ method, query, contentType, origin, body string }{
		{"GET", "EIO=3&transport=polling&t=x", "", "", ""},
		{"GET", "EIO=3&transport=polling&b64=1&j=0", "", "http://a.example", ""},
		{"POST", "EIO=3&transport=polling&sid=SID", "text/plain;charset=UTF-8", "", "6:4hello1:2"},
		{"POST", "EIO=3&transport=polling&sid=SID", "application/octet-stream", "", "\x00\x06\xff4hello\x01\x03\xff\x04\x01\x02"},
		{"POST", "EIO=3&transport=polling&sid=SID&j=1", "application/x-www-form-urlencoded", "", "d=3%3A4a%5Cn"},
		{"POST", "EIO=3&transport=polling&sid=SID", "text/plain", "", "10:b4AQIDBA=="},
		{"POST", "EIO=3&transport=polling&sid=SID", "text/plain", "", "1:1"},
		{"GET", "EIO=3&transport=websocket&sid=SID", "", "", ""},
		{"OPTIONS", "EIO=3&transport=polling&sid=SID", "", "null", ""},
		{"PUT", "transport=polling&sid=SID&sid=x", "", "", ""},
		{"GET", "EIO=3&transport=polling&sid=SID&j=%zz", "", "", ""},
		{"POST", "EIO=3&transport=polling&sid=SID", "text/plain", "", "99999999999999999999:4"},
		{"GET", "EIO=4&transport=polling&t=x", "", "", ""},
		{"GET", "EIO=5&transport=polling", "", "", ""},
		{"POST", "EIO=4&transport=polling&sid=SID", "text/plain;charset=UTF-8", "", "4hello\x1ebAQIDBA==\x1e3\x1e2"},
		{"POST", "EIO=4&transport=polling&sid=SID", "application/octet-stream", "", "\x01\x02"},
		{"POST", "EIO=4&transport=polling&sid=SID&j=1", "application/x-www-form-urlencoded", "", "d=4a%1E1"},
		{"POST", "transport=polling&sid=SID&EIO=4", "text/plain", "", "\x1e\x1e"},
	} {
		f.Add(seed.method, seed.query, seed.contentType, seed.origin, []byte(seed.body))
	}
	// Sessions that inputs open expire quickly.
	srv := NewServer(fuzzHandler{}, &Options{
		PingInterval:   50 * time.Millisecond,
		PingTimeout:    50 * time.Millisecond,
		CloseTimeout:   time.Millisecond,
		MaxBufferSize:  1 << 16,
		AllowedOrigins: []string{"*:80", "http://a.example:80"},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	f.Fuzz(func(t *testing.T, method, query, contentType, origin string, body []byte) {
		rec := httptest.NewRecorder()
		v4 := strings.Contains(query, "EIO=4")
		eio := "3"
		if v4 {
			eio = "4"
		}
		hs := httptest.NewRequest("GET", "/socket.io/?EIO="+eio+"&transport=polling", nil)
		hs.Header.Set("Origin", "http://a.example")
		srv.ServeHTTP(rec, hs)
		var sid string
		if v4 {
			open, _, _ := strings.Cut(rec.Body.String(), "\x1e")
			if m := openV4RE.FindStringSubmatch(open); m != nil {
				sid = m[1]
			}
		} else if m := openRE.FindStringSubmatch(rec.Body.String()); m != nil {
			sid = m[2]
		}
		if sid == "" {
			t.Fatalf("handshake: %d %q", rec.Code, rec.Body)
		}
		defer func() {
			if c := srv.Conn(sid); c != nil {
				c.Close()
			}
		}()

		req, err := http.NewRequest(method, "http://x/socket.io/?"+strings.ReplaceAll(query, "SID", sid), bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Content-Type", contentType)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		// A poll with nothing to send is held: give up on it quickly.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		rec = httptest.NewRecorder()
		srv.ServeHTTP(rec, req.WithContext(ctx))
		switch rec.Code {
		case 200, 400, 403, 413, 500:
		default:
			t.Fatalf("%s %q: status %d %q", method, query, rec.Code, rec.Body)
		}
		// engine.io 6.x answers an overlapping request, and a binary POST
		// of a v4 session, 400 without a body.
		empty400 := v4 && rec.Body.Len() == 0
		if rec.Code == 400 && !empty400 && !strings.HasPrefix(rec.Body.String(), `{"code":`) && !slices.Contains(errorMessages[:], rec.Body.String()) && rec.Body.String() != "Bad Request" {
			t.Fatalf("%s %q: 400 with body %q", method, query, rec.Body)
		}
		if c := srv.Conn(sid); c != nil && c.ID() != sid {
			t.Fatalf("session table holds %q under %q", c.ID(), sid)
		}
	})
}

// fuzzHandler echoes messages and keeps nothing.
type fuzzHandler struct{}

func (fuzzHandler) OnOpen(*Conn)                 {}
func (fuzzHandler) OnMessage(c *Conn, m Message) { c.Send(m) }
func (fuzzHandler) OnClose(*Conn, string)        {}
