package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// HTTP limits of the chat's server. A client that opens connections and
// never finishes its request headers would otherwise hold each one forever
// (http.ListenAndServe sets no timeout at all).
const (
	// readHeaderTimeout bounds the time from a connection's first byte
	// (or the end of the previous request) to the end of the headers.
	readHeaderTimeout = 10 * time.Second
	// idleTimeout closes a kept-alive connection with no request. A
	// polling client sends its next request at once, so only connections
	// left by gone clients reach it. Behind a proxy that keeps upstream
	// connections, set the proxy's idle timeout below it (see the README).
	idleTimeout = 90 * time.Second
	// maxHeaderBytes bounds request headers: a browser's handshake with
	// its cookies takes a few KB.
	maxHeaderBytes = 32 << 10
)

// newHTTPServer returns the server for the chat's handler. It has no
// ReadTimeout or WriteTimeout: they bound a whole request, and a long-poll
// GET is held until there is something to send (up to PingInterval), a
// websocket for as long as it lives. The engine bounds what those would:
// each POST body (PingInterval+PingTimeout) and each write (WriteTimeout).
func newHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// listenDebug listens on addr for the -debug server, refusing an address
// that is not loopback: profiles and goroutine dumps are for the operator
// on the machine, not for the network.
func listenDebug(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("%q is not a loopback address (use 127.0.0.1:PORT)", addr)
		}
	}
	return net.Listen("tcp", addr)
}

// debugHandler serves net/http/pprof under /debug/pprof/, on its own mux:
// nothing of it reaches the chat's port.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
