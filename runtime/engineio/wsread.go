package engineio

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// wsReadBufferSize is the read buffer of a server websocket. Clients send
// little (pings, events), and a frame larger than the buffer is read past it
// straight into the message, so a small buffer costs an idle session less
// without slowing large reads. gorilla takes a hijacked reader as its own
// only when it holds more than 256 bytes; 288 is the allocator's next size.
const wsReadBufferSize = 288

// upgradeWebSocket completes a websocket handshake and returns the socket
// with the buffered reader gorilla reads it through.
//
// The reader is made here, in Hijack, rather than by gorilla, so that the
// session can tell whether a frame is already buffered before it waits for
// the network (see readWebSocket). gorilla reuses the hijacked reader when
// its Upgrader has no ReadBufferSize of its own; TestWebSocketFramesInOneSegment
// fails if a gorilla release stops doing so.
func (s *Server) upgradeWebSocket(w http.ResponseWriter, r *http.Request, h http.Header) (*websocket.Conn, *bufio.Reader, error) {
	hw := &hijackWriter{ResponseWriter: w}
	ws, err := s.upgrader.Upgrade(hw, r, h)
	if err != nil {
		return nil, nil, err
	}
	return ws, hw.br, nil
}

// hijackWriter is the ResponseWriter of a websocket handshake; its Hijack
// puts a small reader of its own in place of net/http's 4 KiB one, which
// would otherwise stay with the connection for its lifetime.
type hijackWriter struct {
	http.ResponseWriter
	br *bufio.Reader
}

func (w *hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil || brw.Reader.Buffered() > 0 {
		// gorilla refuses a client that sent data before the handshake
		// completed; it needs the original reader to see that.
		return conn, brw, err
	}
	w.br = bufio.NewReaderSize(conn, wsReadBufferSize)
	return conn, bufio.NewReadWriter(w.br, brw.Writer), nil
}
