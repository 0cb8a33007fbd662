package engineio

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
)

// TestServerWithOfficialClient runs the official engine.io-client 3.5.6
// (node) against the Go server on every transport setup the node client
// supports: text and binary echo, 1,000 messages in order (in the default
// setup, sent partly before and partly after the upgrade), 1 MiB messages,
// and a server-side close. TestServerWithOfficialClientV4 does the same with
// Engine.IO v4.
func TestServerWithOfficialClient(t *testing.T) {
	testServerWithOfficialClient(t, "3")
}

// TestServerWithOfficialClientV4 runs the engine.io-client 6.x of
// socket.io-client 4.x, which speaks Engine.IO v4, as
// TestServerWithOfficialClient runs 3.5.6, with the server pinging every
// 300 ms: the client's pongs keep every session through the run.
func TestServerWithOfficialClientV4(t *testing.T) {
	testServerWithOfficialClient(t, "4")
}

func testServerWithOfficialClient(t *testing.T, eio string) {
	nodetest.Require(t)
	for _, setup := range []struct {
		name string
		args []string
	}{
		{"polling+upgrade", []string{"polling,websocket"}},
		{"websocket", []string{"websocket"}},
		{"polling", []string{"polling"}},
		{"polling-b64", []string{"polling", "forceBase64"}},
		{"websocket-b64", []string{"websocket", "forceBase64"}},
	} {
		t.Run(setup.name, func(t *testing.T) {
			h := newEchoHandler()
			opts := &Options{MaxBufferSize: 1e8}
			if eio == "4" {
				opts.PingInterval = 300 * time.Millisecond
			}
			srv := NewServer(h, opts)
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.Shutdown(t.Context())
			p := nodetest.Start(t, "eio-client.js", "", []string{"EIO=" + eio}, append([]string{ts.URL + "/socket.io/"}, setup.args...)...)
			err := p.Wait(40 * time.Second)
			out := p.Output()
			if err != nil || strings.Contains(out, "FAIL") {
				t.Fatalf("node client: %v\n%s", err, out)
			}
			checks := []string{"text echo", "binary echo", "1000 in order", "1 MiB text", "1 MiB binary", "server close"}
			if eio == "4" {
				checks = append(checks, "protocol 4")
			}
			for _, check := range checks {
				if !strings.Contains(out, "PASS "+check) {
					t.Errorf("check %q did not pass:\n%s", check, out)
				}
			}
			if setup.name == "polling+upgrade" {
				// The burst must have been sent partly before the switch,
				// partly after (eio-client.js fails otherwise).
				for _, check := range []string{"1000 in order across the upgrade", "upgraded"} {
					if !strings.Contains(out, "PASS "+check) {
						t.Errorf("check %q did not pass:\n%s", check, out)
					}
				}
			}
			if r := h.waitClosed(t); r != ReasonForcedClose {
				t.Errorf("close reason %q", r)
			}
		})
	}
}
