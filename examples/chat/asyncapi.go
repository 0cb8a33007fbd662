package main

import (
	_ "embed"
	"net/http"
)

// asyncAPIJSON is the AsyncAPI document siogen generates from package
// chatapi (go generate ./examples/chat/chatapi writes it).
//
//go:embed chatapi/asyncapi.json
var asyncAPIJSON []byte

// serveAsyncAPI serves the AsyncAPI document of the chat's events, for
// people and tools that do not read Go.
func serveAsyncAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(asyncAPIJSON)
}
