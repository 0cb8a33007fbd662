package engineio

// Observer is told what happens to a Server's sessions, for metrics: the
// sessions opened, upgraded and closed, the packets and bytes each way, and
// the send queues that overflowed. Set it with Options.Observer;
// runtime/prommetrics implements it for Prometheus.
//
// Its methods are called on the goroutines that serve the sessions, some of
// them on the path of every write, so they must be fast, must not block and
// must be safe for concurrent use. They must not call back into the session.
// transport is Polling or WebSocket; protocol is the session's Engine.IO
// revision, 3 (socket.io 2.x clients) or 4 (3.x and 4.x clients).
type Observer interface {
	// SessionOpened is called once a handshake has created a session, before
	// the Handler's OnOpen.
	SessionOpened(transport string, protocol int)
	// SessionUpgraded is called when a polling session has switched to
	// websocket; from then on it counts as a websocket session.
	SessionUpgraded(protocol int)
	// SessionClosed is called once when a session has ended, with the
	// transport it ended on and one of the Reason* values, before the
	// Handler's OnClose.
	SessionClosed(transport string, protocol int, reason string)
	// PacketsReceived reports packets read from a peer and the bytes that
	// carried them: a websocket message's payload, or a polling POST's body.
	PacketsReceived(transport string, packets, bytes int)
	// PacketsSent reports packets handed to the transport and their bytes:
	// websocket frames (headers included), or a polling response's body as
	// written (compressed, when it was).
	PacketsSent(transport string, packets, bytes int)
	// SendQueueOverflowed is called when a session's send queue overflowed
	// (Options.SendQueueSize), which closes the session.
	SendQueueOverflowed(transport string, protocol int)
}
