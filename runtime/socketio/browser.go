package socketio

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strings"
)

// browserClient is the project's own browser client, served at
// <path>socket.io.js: plain JavaScript with the part of socket.io-client
// 2.x's io() API that pages use, no build step and no CDN.
//
//go:embed browser/socket.io.js
var browserClient []byte

var browserClientETag = func() string {
	sum := sha256.Sum256(browserClient)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// serveBrowserClient serves the browser client with an ETag, answering
// 304 when the browser has it already.
func serveBrowserClient(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("ETag", browserClientETag)
	h.Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, browserClientETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(browserClient)
}
