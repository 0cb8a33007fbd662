// Package engineio is the Engine.IO layer of the siogen runtime: sessions
// that carry messages between a server and a client over HTTP
// long-polling or a websocket, with the upgrade between them and a
// heartbeat, speaking the protocol of engine.io 3.x (socket.io 2.x), so
// that the official JavaScript clients and servers interoperate with it.
// Package socketio builds namespaces, rooms and acks on top; most programs
// use that package and never this one.
//
// # Server
//
// A [Server] is an [http.Handler]. Create it with [NewServer], giving it a
// [Handler] and [Options] (nil for socket.io 2.5.1's defaults), and mount
// it at its [Server.Path] ([Options.Path], [DefaultPath] by default):
//
//	srv := engineio.NewServer(handler, nil)
//	http.Handle(srv.Path(), srv)
//
// The life of each session reaches the Handler in three calls:
//
//   - OnOpen(c), once the handshake is accepted. It may already call
//     c.Send: what it queues reaches the client with the handshake.
//   - OnMessage(c, m) for each message the client sends, in order. m.Data
//     belongs to the handler from then on.
//   - OnClose(c, reason), once, when the session ends, with one of the
//     Reason* values: the client left (ReasonTransportClose), a transport
//     failed (ReasonTransportError), the client went silent
//     (ReasonPingTimeout), sent what does not decode (ReasonParseError), or
//     the server closed it (ReasonForcedClose: [Conn.Close],
//     [Server.Shutdown]).
//
// A session starts on the transport the client asks for, long-polling (XHR,
// XHR2 binary, base64, JSONP) or a websocket, and moves from polling to a
// websocket when the client upgrades; the Handler sees one [Conn]
// throughout. [Server.Shutdown] refuses new sessions, closes the open ones
// and waits for them to end.
//
// Bad input never takes the server down: a malformed request is answered
// with engine.io's HTTP error body and ends at most its own session, and
// every size and time a peer could abuse is bounded by an option
// (docs/limits.md lists them).
//
// # Client
//
// [Dial] opens a session to any Engine.IO v3 server and returns a
// [Client]: it polls, upgrades to a websocket when the server offers one,
// and reports messages and the end of the session through
// [DialOptions.OnMessage] and [DialOptions.OnClose].
//
// # Concurrency
//
// [Server] and [Client] methods, and [Conn]'s Send and Close, may be
// called from any goroutine, at any time, including from the Handler's
// methods and the Client's callbacks.
//
// For one Conn, the Handler's methods are never called concurrently, and
// OnOpen comes before any OnMessage. Different sessions are handled on
// different goroutines, so a Handler shared by all of them guards its own
// state. A Handler method that blocks delays that session's next messages,
// and only that session's.
//
// Send never blocks on the network: it queues the messages, and one writer
// per session (the held polling request, or one websocket writer started
// when there is something to write) takes them in order. A session whose
// queue passes [Options.SendQueueSize] is closed, so a client that stops
// reading never makes the server hold unbounded memory.
//
// On Linux, an idle websocket session waits for its next message without a
// goroutine of its own: its socket waits in an epoll set the server shares,
// and a reader goroutine starts when data arrives. [Options.DisableEpoll]
// turns this off; elsewhere, and over TLS, each idle session keeps a small
// reader goroutine.
package engineio
