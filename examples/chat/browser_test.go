package main

import (
	"bytes"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// TestBrowser runs interop/chat-browser.js: two Chromium pages on the chat,
// a message typed in one shows in both, with the project's browser client
// (upgraded to websocket, and with websocket refused so that polling carries
// everything) and with the official socket.io-client 2.5.0 in its place
// (upgraded, and forced to JSONP polling), and the official socket.io-client
// 4.8.3 bundle (Engine.IO v4, Socket.IO v5) in one page beside the official
// 2.5.0 in the other, on one server. Each case has its own server; the
// script runs them together in one Chromium. The siogen run saves a
// screenshot, chat-browser.png, in $ARTIFACTS_DIR (default: interop/artifacts,
// which git ignores).
func TestBrowser(t *testing.T) {
	chromium := nodetest.Chromium(t)
	nodetest.Require(t)
	official, err := os.ReadFile(filepath.Join(nodetest.InteropDir(), "node_modules", "socket.io-client", "dist", "socket.io.js"))
	if err != nil {
		t.Fatal(err)
	}
	officialV4, err := os.ReadFile(filepath.Join(nodetest.InteropDir(), "node_modules", "socket.io-client-v4", "dist", "socket.io.js"))
	if err != nil {
		t.Fatal(err)
	}
	jsonpPage := bytes.Replace(indexHTML, []byte("io();"), []byte("io({ forceJSONP: true, transports: ['polling'] });"), 1)
	if bytes.Equal(jsonpPage, indexHTML) {
		t.Fatal(`index.html no longer calls "io();"; update the JSONP page of this test`)
	}
	// A fixed, git-ignored path in the repository, so that CI can keep the
	// screenshot as an artifact and a developer finds it after the run.
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts = filepath.Join(nodetest.InteropDir(), "artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	screenshot := filepath.Join(artifacts, "chat-browser.png")
	os.Remove(screenshot) // so that verify sees this run's screenshot, not an old one
	t.Logf("screenshot of the siogen run: %s", screenshot)

	cases := []*browserChat{
		{name: "siogen", client: "siogen", transport: "websocket", screenshot: screenshot},
		{name: "siogen-no-websocket", client: "siogen", refuseWS: true, transport: "polling"},
		{name: "official", client: "official", transport: "websocket"},
		{name: "official-jsonp", client: "official", jsonp: true, transport: "polling"},
		{name: "official-4.x-beside-2.x", client: "mixed", transport: "websocket"},
	}
	var args []string
	for _, tc := range cases {
		tc.start(t, official, officialV4, jsonpPage)
		arg := strings.Join([]string{tc.name, tc.url, tc.client, tc.transport}, ",")
		if tc.screenshot != "" {
			arg += "," + tc.screenshot
		}
		args = append(args, arg)
	}
	p := nodetest.Start(t, "chat-browser.js", "", []string{"CHROMIUM_PATH=" + chromium}, args...)
	err = p.Wait(90 * time.Second)
	out := p.Output()
	if strings.Contains(out, "FAIL launch chromium") || strings.Contains(out, "FAIL overall") {
		t.Fatalf("chat-browser.js: %v\n%s", err, out)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			for _, line := range strings.Split(out, "\n") {
				if strings.Contains(line, "["+tc.name+"]") {
					lines = append(lines, line)
				}
			}
			report := strings.Join(lines, "\n")
			summary := "[" + tc.name + "] "
			if len(lines) > 0 {
				summary = lines[len(lines)-1]
			}
			if !strings.HasSuffix(summary, " 0 failed") || strings.Contains(report, "FAIL") {
				t.Fatalf("chat-browser.js (%v):\n%s", err, report)
			}
			t.Log(summary)
			tc.verify(t)
		})
	}
	if err != nil {
		t.Errorf("chat-browser.js: %v\n%s", err, out)
	}
}

// browserChat is one way of serving the chat to the browser, on its own server.
type browserChat struct {
	name       string
	client     string // "siogen", "official" or "mixed": the script served at /socket.io/socket.io.js
	refuseWS   bool   // answer every websocket request with 400, as a proxy that blocks websocket
	jsonp      bool   // the page asks the official client for JSONP polling
	transport  string // the transport the pages must end on
	screenshot string // where to save a screenshot, if anywhere

	url                                string
	logs                               *testutil.Buffer
	refused, jsonpRequests, wsRequests atomic.Int64
	eio4Requests                       atomic.Int64
}

// start serves the chat for tc on a loopback port.
func (tc *browserChat) start(t *testing.T, official, officialV4, jsonpPage []byte) {
	tc.logs = &testutil.Buffer{}
	// A short ping interval, so that the pages go through heartbeats.
	handler, srv := newServer(log.New(tc.logs, "", 0), &socketio.Options{
		Engine: engineio.Options{PingInterval: 500 * time.Millisecond, PingTimeout: 10 * time.Second},
	})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("EIO") == "4" {
			tc.eio4Requests.Add(1)
		}
		switch {
		case r.URL.Path == "/" && tc.jsonp:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(jsonpPage)
			return
		case r.URL.Path == "/socket.io/socket.io.js" && tc.client == "mixed" && strings.Contains(r.Referer(), "client=v4"):
			w.Header().Set("Content-Type", "application/javascript")
			w.Write(officialV4)
			return
		case r.URL.Path == "/socket.io/socket.io.js" && (tc.client == "official" || tc.client == "mixed"):
			w.Header().Set("Content-Type", "application/javascript")
			w.Write(official)
			return
		case q.Get("transport") == "websocket" && tc.refuseWS:
			tc.refused.Add(1)
			http.Error(w, "websocket refused by the test", http.StatusBadRequest)
			return
		case q.Get("transport") == "websocket":
			tc.wsRequests.Add(1)
		case q.Has("j"):
			tc.jsonpRequests.Add(1)
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Shutdown(t.Context())
		ts.Close()
	})
	tc.url = ts.URL + "/"
}

// verify checks what the server saw of the case.
func (tc *browserChat) verify(t *testing.T) {
	if n := strings.Count(tc.logs.String(), "a user connected"); n != 2 {
		t.Errorf("server logged %d connections, want 2:\n%s", n, tc.logs)
	}
	if tc.refuseWS && tc.refused.Load() == 0 {
		t.Error("no websocket request was refused: the client never tried to upgrade")
	}
	if tc.transport == "polling" && tc.wsRequests.Load() != 0 {
		t.Errorf("%d websocket requests reached the server", tc.wsRequests.Load())
	}
	if tc.transport == "websocket" && tc.wsRequests.Load() < 2 {
		t.Errorf("%d websocket requests reached the server, want one per page", tc.wsRequests.Load())
	}
	if (tc.client == "mixed") != (tc.eio4Requests.Load() > 0) {
		t.Errorf("%d Engine.IO v4 requests reached the server", tc.eio4Requests.Load())
	}
	if tc.jsonp && tc.jsonpRequests.Load() == 0 {
		t.Error("no JSONP request reached the server")
	}
	if tc.screenshot != "" {
		if st, err := os.Stat(tc.screenshot); err != nil || st.Size() == 0 {
			t.Errorf("screenshot %s: %v", tc.screenshot, err)
		} else {
			t.Logf("screenshot: %s", tc.screenshot)
		}
	}
}
