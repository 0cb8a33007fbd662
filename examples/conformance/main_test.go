package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
)

// TestOfficialClient runs every row of the contract with the official
// socket.io-client 2.5.0 (node) against the generated server, over
// websocket, polling and the upgrade path.
func TestOfficialClient(t *testing.T) {
	nodetest.Require(t)
	for _, transports := range []string{"websocket", "polling", "polling,websocket"} {
		t.Run(transports, func(t *testing.T) {
			srv := newServer()
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.Shutdown(t.Context())
			p := nodetest.Start(t, "sio-conformance.js", "", nil, ts.URL, transports)
			err := p.Wait(90 * time.Second)
			out := strings.TrimSpace(p.Output())
			if err != nil || strings.Contains(out, "FAIL") || !strings.Contains(out, " 0 failed") {
				t.Fatalf("conformance (%s): %v\n%s", transports, err, out)
			}
			t.Logf("%s: %s", transports, out[strings.LastIndexByte(out, '\n')+1:])
		})
	}
}
