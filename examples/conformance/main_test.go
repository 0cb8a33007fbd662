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
	testOfficialClient(t, "2")
}

// TestOfficialClientV4 runs every row of the 4.x contract, and the 2.x
// rows that apply to 4.x clients (rooms, broadcast, middleware on "/" and
// /admin, server acks), with socket.io-client 4.8.3 (Engine.IO v4, Socket.IO
// v5) against the same server, on the same three transport setups.
func TestOfficialClientV4(t *testing.T) {
	testOfficialClient(t, "4")
}

func testOfficialClient(t *testing.T, client string) {
	nodetest.Require(t)
	for _, transports := range []string{"websocket", "polling", "polling,websocket"} {
		t.Run(transports, func(t *testing.T) {
			srv := newServer()
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.Shutdown(t.Context())
			p := nodetest.Start(t, "sio-conformance.js", "", []string{"SIO_CLIENT=" + client}, ts.URL, transports)
			err := p.Wait(90 * time.Second)
			out := strings.TrimSpace(p.Output())
			if err != nil || strings.Contains(out, "FAIL") || !strings.Contains(out, " 0 failed") {
				t.Fatalf("conformance (%s): %v\n%s", transports, err, out)
			}
			t.Logf("%s: %s", transports, out[strings.LastIndexByte(out, '\n')+1:])
		})
	}
}
