package engineio

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClientWithServer runs the Go client against the Go server with every
// transport setup, in both protocol revisions: text and binary, 1 MiB
// messages, 1,000 messages in order across the upgrade, and a close from the
// server. In v4 the server pings every 100 ms and the client answers.
func TestClientWithServer(t *testing.T) {
	t.Run("v3", func(t *testing.T) { testClientWithServer(t, 3) })
	t.Run("v4", func(t *testing.T) { testClientWithServer(t, 4) })
}

func testClientWithServer(t *testing.T, protocol int) {
	noLeaks(t)
	// Room for the 1 MiB messages: the default limit is engine.io's 1e6 bytes.
	opts := &Options{MaxBufferSize: 4 << 20}
	if protocol == 4 {
		opts.PingInterval = 100 * time.Millisecond
	}
	srv := NewServer(newEchoHandler(), opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Shutdown(t.Context())
	})
	url := ts.URL + "/socket.io/"
	for _, setup := range clientSetups {
		setup.opts.Protocol = protocol
		t.Run(setup.name, func(t *testing.T) {
			t.Run("Echo", func(t *testing.T) {
				c, r := clientDial(t, url, setup.opts)
				all := make([]byte, 256)
				for i := range all {
					all[i] = byte(i)
				}
				msgs := []Message{clientText("hello"), clientText("€ and 😀"), clientText(""), clientBin(all...), clientBin()}
				if err := c.Send(msgs...); err != nil {
					t.Fatal(err)
				}
				clientExpect(t, r, msgs...)
			})
			t.Run("Large", func(t *testing.T) {
				c, r := clientDial(t, url, setup.opts)
				clientCheckLarge(t, c, r)
			})
			t.Run("Burst", func(t *testing.T) {
				c, r := clientDial(t, url, setup.opts)
				clientCheckBurst(t, c, r, setup.final)
			})
			t.Run("ServerClose", func(t *testing.T) {
				c, r := clientDial(t, url, setup.opts)
				clientWaitTransport(t, c, setup.final)
				if err := c.Send(clientText("close me")); err != nil {
					t.Fatal(err)
				}
				ev := r.waitClose(t, 5*time.Second)
				if ev.reason != ReasonServerClose && ev.reason != ReasonTransportClose {
					t.Errorf("OnClose(%q, %v), want server or transport close", ev.reason, ev.err)
				}
				if err := c.Send(clientText("late")); err != ErrClosed {
					t.Errorf("Send after the end = %v, want ErrClosed", err)
				}
			})
		})
	}
}

// clientCheckLarge sends 1 MiB of text and 1 MiB of binary to an echo
// server and checks they come back intact.
func clientCheckLarge(t *testing.T, c *Client, r *clientRecorder) {
	t.Helper()
	var text strings.Builder
	for text.Len() < 1<<20 {
		text.WriteString("héllo wörld € 😀 ")
	}
	bin := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{1}).Read(bin)
	msgs := []Message{clientText(text.String()), clientBin(bin...)}
	if err := c.Send(msgs...); err != nil {
		t.Fatal(err)
	}
	clientExpect(t, r, msgs...)
}

// clientCheckBurst sends 1,000 messages to an echo server, spread over the
// upgrade when there is one, and checks they come back in order; the
// connection must end on transport final.
func clientCheckBurst(t *testing.T, c *Client, r *clientRecorder, final string) {
	t.Helper()
	const n = 1000
	start := c.Transport()
	var before, after int // messages sent before and after the switch
	for i := range n {
		if err := c.Send(clientText("msg " + strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
		if c.Transport() == start {
			before++
			if i >= 200 && start != final {
				time.Sleep(time.Millisecond) // spread the rest over the upgrade
			}
		} else {
			after++
		}
	}
	for i := range n {
		want := "msg " + strconv.Itoa(i)
		if got := r.next(t, 10*time.Second); got.Binary || string(got.Data) != want {
			t.Fatalf("echo %d: got %s, want %q", i, clientShow(got), want)
		}
	}
	clientWaitTransport(t, c, final)
	if start != final {
		if before == 0 || after == 0 {
			t.Errorf("sent %d messages before the upgrade and %d after: want both > 0", before, after)
		}
		t.Logf("%d messages sent on %s, %d after switching to %s", before, start, after, c.Transport())
	}
}

// TestPollingCompression: polling responses above CompressionThreshold are
// compressed with the encoding the client accepts; smaller ones, and all
// with DisableCompression, are not.
func TestPollingCompression(t *testing.T) {
	noLeaks(t)
	big := strings.Repeat("compress me ", 200) // 2,400 bytes
	for _, c := range []struct {
		name, accept, want string
		msg                string
		disable            bool
	}{
		{"gzip", "gzip, deflate", "gzip", big, false},
		{"deflate", "deflate", "deflate", big, false},
		{"below threshold", "gzip", "", "small", false},
		{"not accepted", "", "", big, false},
		{"disabled", "gzip", "", big, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := NewServer(newEchoHandler(), &Options{DisableCompression: c.disable})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer func() {
				// This raw session never polls again: do not wait for its
				// close to drain.
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				defer cancel()
				srv.Shutdown(ctx)
			}()
			base := ts.URL + "/socket.io/?EIO=3&transport=polling"
			tr := &http.Transport{DisableCompression: true} // see the raw encoding
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}
			res, err := hc.Get(base)
			if err != nil {
				t.Fatal(err)
			}
			open, _ := io.ReadAll(res.Body)
			res.Body.Close()
			sid := string(open[bytes.Index(open, []byte(`"sid":"`))+7:])
			sid = sid[:strings.IndexByte(sid, '"')]
			// Post the message for the echo, then poll for it.
			body := strconv.Itoa(len(c.msg)+1) + ":4" + c.msg
			res, err = hc.Post(base+"&sid="+sid, "text/plain;charset=UTF-8", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			req, _ := http.NewRequest("GET", base+"&sid="+sid, nil)
			if c.accept != "" {
				req.Header.Set("Accept-Encoding", c.accept)
			}
			res, err = hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if got := res.Header.Get("Content-Encoding"); got != c.want {
				t.Fatalf("Content-Encoding %q, want %q", got, c.want)
			}
			var rd io.Reader = res.Body
			switch c.want {
			case "gzip":
				if rd, err = gzip.NewReader(res.Body); err != nil {
					t.Fatal(err)
				}
			case "deflate":
				if rd, err = zlib.NewReader(res.Body); err != nil {
					t.Fatal(err)
				}
			}
			payload, err := io.ReadAll(rd)
			if err != nil || !bytes.HasSuffix(payload, []byte(":4"+c.msg)) {
				t.Fatalf("payload %.60q..., %v", payload, err)
			}
		})
	}
}
