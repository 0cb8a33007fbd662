package main

import (
	_ "embed"
	"log"
	"net/http"
	"strings"

	"github.com/siogen/siogen/examples/chat/chatapi"
	"github.com/siogen/siogen/runtime/socketio"
)

//go:embed index.html
var indexHTML []byte

// newServer returns the chat's HTTP handler: the page at /, the Socket.IO
// endpoint (and its browser client) at /socket.io/. Everything Socket.IO
// goes through the code siogen generated from package chatapi.
func newServer(logger *log.Logger, opts *socketio.Options) (http.Handler, *socketio.Server) {
	srv := socketio.NewServer(opts)
	chat := chatapi.NewChatServer(srv)

	chat.OnConnection(func(s *chatapi.ChatSocket) {
		logger.Println("a user connected")
		name := "" // touched only by this socket's handlers, which run one at a time

		s.OnChatMessage(func(msg string) (int, error) {
			logger.Println("message:" + msg) // no space: the seed's log line
			if err := chat.EmitChatMessage(msg); err != nil {
				return 0, err
			}
			return chat.Namespace().Len(), nil
		})
		s.OnSetName(func(requested string) (string, error) {
			first := name == ""
			name = cleanName(requested)
			if first {
				s.Broadcast().EmitUserJoined(name, chat.Namespace().Len())
			}
			return name, nil
		})
		s.OnDisconnect(func(reason string) {
			logger.Println("user disconnected")
			if name != "" {
				chat.EmitUserLeft(name, chat.Namespace().Len())
			}
		})
	})

	mux := http.NewServeMux()
	mux.Handle(srv.Path(), chat)
	mux.HandleFunc("GET /asyncapi.json", serveAsyncAPI)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(indexHTML)
	})
	return mux, srv
}

// cleanName trims a requested nickname to at most maxNameRunes characters.
// It walks the name once: its cost is linear in the name's length, however
// long a client makes it.
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	n := 0
	for i := range s { // i steps from rune to rune
		if n == maxNameRunes {
			s = s[:i]
			break
		}
		n++
	}
	if s == "" {
		return "anonymous"
	}
	return s
}

// maxNameRunes is the longest nickname kept, in characters.
const maxNameRunes = 32
