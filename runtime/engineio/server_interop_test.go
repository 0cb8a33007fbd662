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
// and a server-side close.
func TestServerWithOfficialClient(t *testing.T) {
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
			srv := NewServer(h, &Options{MaxBufferSize: 1e8})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.Shutdown(t.Context())
			p := nodetest.Start(t, "eio-client.js", "", nil, append([]string{ts.URL + "/socket.io/"}, setup.args...)...)
			err := p.Wait(40 * time.Second)
			out := p.Output()
			if err != nil || strings.Contains(out, "FAIL") {
				t.Fatalf("node client: %v\n%s", err, out)
			}
			for _, check := range []string{"text echo", "binary echo", "1000 in order", "1 MiB text", "1 MiB binary", "server close"} {
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
