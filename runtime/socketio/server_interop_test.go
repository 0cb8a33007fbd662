package socketio

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
)

// TestConformanceWithOfficialClient runs every row of the conformance
// contract with the official socket.io-client 2.5.0 (node) against the
// runtime's conformance server, over websocket, polling and the upgrade.
func TestConformanceWithOfficialClient(t *testing.T) {
	nodetest.Require(t)
	for _, transports := range []string{"websocket", "polling", "polling,websocket"} {
		t.Run(transports, func(t *testing.T) {
			srv := newConformanceServer()
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.Shutdown(t.Context())
			p := nodetest.Start(t, "sio-conformance.js", "", nil, ts.URL, transports)
			err := p.Wait(90 * time.Second)
			out := p.Output()
			if err != nil || strings.Contains(out, "FAIL") || !strings.Contains(out, " 0 failed") {
				t.Fatalf("conformance (%s): %v\n%s", transports, err, out)
			}
			t.Logf("%s: %s", transports, lastLine(out))
		})
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// TestOfficialClientReconnectsAfterRestart: the official client
// (interop/sio-reconnect.js), with reconnection on, loses the Go server,
// which comes back on the same address; the client reports the loss, tries
// again, reconnects both of its namespaces, and the event it emitted while
// disconnected reaches the new server. Both socket.io-client 2.5.0 and
// 4.8.3 (Engine.IO v4, Socket.IO v5).
func TestOfficialClientReconnectsAfterRestart(t *testing.T) {
	nodetest.Require(t)
	for _, run := range []struct{ client, transports string }{
		{"2", "websocket"}, {"2", "polling"}, {"4", "websocket"}, {"4", "polling"},
	} {
		transports := run.transports
		t.Run("client"+run.client+"/"+transports, func(t *testing.T) {
			notes := make(chan string, 16)
			newServer := func() *Server {
				srv := newNotesServer(notes)
				srv.Of("/foo").OnConnection(func(s *Socket) {
					s.On("hi", func(*Event) { s.Emit("hi") })
				})
				t.Cleanup(func() { shutdownSoon(srv) })
				return srv
			}
			rs := newRestartableServer(t)
			rs.start(newServer())
			p := nodetest.Start(t, "sio-reconnect.js", "connected", []string{"SIO_CLIENT=" + run.client}, "http://"+rs.addr, transports)
			rs.stop()
			waitFor(t, "the client to notice", func() bool { return strings.Contains(p.Output(), "disconnected") })
			if out := p.Output(); !strings.Contains(out, "disconnected transport close") && !strings.Contains(out, "disconnected transport error") {
				t.Errorf("disconnect reason:\n%s", out)
			}
			rs.start(newServer())
			if err := p.Wait(30 * time.Second); err != nil {
				t.Fatalf("sio-reconnect.js: %v\n%s", err, p.Output())
			}
			out := p.Output()
			for _, want := range []string{"reconnect_attempt 1", "reconnect ", "reconnected after"} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in the output:\n%s", want, out)
				}
			}
			if n := testutil.Recv(t, notes, "the note emitted while disconnected"); n != "while down" {
				t.Errorf("note %q, want %q", n, "while down")
			}
		})
	}
}
