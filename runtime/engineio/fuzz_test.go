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
// server, on a live polling session when the query says sid=SID, and checks
// that nothing panics, that every answer is one engine.io 3.6.2 gives, and
// that the session table stays consistent.
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
		hs := httptest.NewRequest("GET", "/socket.io/?EIO=3&transport=polling", nil)
		hs.Header.Set("Origin", "http://a.example")
		srv.ServeHTTP(rec, hs)
		m := openRE.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("handshake: %d %q", rec.Code, rec.Body)
		}
		sid := m[2]
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
		if rec.Code == 400 && !strings.HasPrefix(rec.Body.String(), `{"code":`) && !slices.Contains(errorMessages[:], rec.Body.String()) && rec.Body.String() != "Bad Request" {
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
