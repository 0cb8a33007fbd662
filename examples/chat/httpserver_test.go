package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDebugServer: -debug takes loopback addresses only, and serves
// net/http/pprof there.
func TestDebugServer(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		if l, err := listenDebug(addr); err == nil {
			l.Close()
			t.Errorf("listenDebug(%q) accepted a non-loopback address", addr)
		}
	}
	l, err := listenDebug("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: debugHandler()}
	go srv.Serve(l)
	defer srv.Close()
	res, err := http.Get("http://" + l.Addr().String() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile:") {
		t.Fatalf("goroutine profile: %d %.200q", res.StatusCode, body)
	}
	if l, err := listenDebug("localhost:0"); err != nil {
		t.Errorf("listenDebug(localhost:0): %v", err)
	} else {
		l.Close()
	}
}
