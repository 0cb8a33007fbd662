package engineio

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// serveWebSocket makes ws the session's transport from the start (a
// handshake with transport=websocket) and starts reading from it.
func (c *Conn) serveWebSocket(ws *websocket.Conn, b64 bool) {
	ws.SetReadLimit(c.srv.opts.MaxBufferSize)
	c.mu.Lock()
	c.ws, c.wsB64, c.transport = ws, b64, WebSocket
	closed := c.closed
	c.kickLocked()
	c.mu.Unlock()
	if closed {
		ws.Close()
		return
	}
	// Read on a goroutine of its own and let the HTTP handler return: while
	// it runs, net/http keeps the connection's 4 KiB read and write buffers,
	// the request and a deep stack, over half of an idle session's memory.
	go c.readWebSocket(ws)
}

// serveUpgrade runs the upgrade of a polling session to websocket: "2probe"
// is answered with "3probe" on the new socket (its only write until the
// switch), the held GET is released with a noop, and on "5" the websocket
// takes over the queue.
func (c *Conn) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	ws, err := c.srv.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c.mu.Lock()
	if c.closed || c.closing || c.transport != Polling || c.probe != nil {
		// Already upgrading or upgraded: accepted, then closed, as the
		// reference does.
		c.mu.Unlock()
		ws.Close()
		return
	}
	c.probe = ws
	c.mu.Unlock()

	ws.SetReadLimit(c.srv.opts.MaxBufferSize)
	ws.SetReadDeadline(time.Now().Add(c.srv.opts.UpgradeTimeout))
	b64 := r.URL.Query().Get("b64") != ""
	if c.probeUntilUpgrade(ws) {
		ws.SetReadDeadline(time.Time{})
		c.recvMu.Lock()
		c.pingTimer.Reset(c.srv.opts.PingInterval + c.srv.opts.PingTimeout)
		c.recvMu.Unlock()
		c.mu.Lock()
		c.probe = nil
		c.upgrading = false
		c.ws, c.wsB64, c.transport = ws, b64, WebSocket
		closed := c.closed
		c.kickLocked()
		// A GET still held (a client that did not pause) gets a noop.
		select {
		case c.wake <- struct{}{}:
		default:
		}
		c.mu.Unlock()
		if closed {
			ws.Close()
			return
		}
		c.srv.log.Debug("engineio: upgraded to websocket", "sid", c.id)
		go c.readWebSocket(ws) // off the handler, as in serveWebSocket
		return
	}
	c.mu.Lock()
	if c.probe == ws {
		c.probe = nil
		c.upgrading = false
	}
	c.mu.Unlock()
	ws.Close()
}

// probeUntilUpgrade reads the probe socket until the upgrade packet. It
// reports false when the probe failed: anything but pings and the upgrade,
// a read error, or UpgradeTimeout.
func (c *Conn) probeUntilUpgrade(ws *websocket.Conn) bool {
	for {
		typ, data, err := ws.ReadMessage()
		if err != nil {
			return false
		}
		var p codec.Packet
		if typ == websocket.TextMessage {
			p, err = codec.DecodeText(data, c.version)
		} else {
			p, err = codec.DecodeBinary(data, c.version)
		}
		if err != nil {
			return false
		}
		switch {
		case p.Type == codec.Ping && string(p.Data) == "probe":
			ws.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
			if ws.WriteMessage(websocket.TextMessage, []byte("3probe")) != nil {
				return false
			}
			c.mu.Lock()
			c.upgrading = true
			c.kickLocked() // wakes the held GET, which answers noop
			c.mu.Unlock()
		case p.Type == codec.Upgrade:
			c.mu.Lock()
			ok := c.upgrading
			c.mu.Unlock()
			return ok
		default:
			return false
		}
	}
}

// readWebSocket reads packets from the session's websocket until it fails.
func (c *Conn) readWebSocket(ws *websocket.Conn) {
	for {
		typ, data, err := ws.ReadMessage()
		if err != nil {
			c.die(readErrorReason(err), codec.Close)
			return
		}
		var p codec.Packet
		if typ == websocket.TextMessage {
			p, err = codec.DecodeText(data, c.version)
		} else {
			p, err = codec.DecodeBinary(data, c.version)
		}
		if err != nil {
			c.srv.log.Info("engineio: bad packet, closing session", "sid", c.id, "err", err)
			c.die(ReasonParseError, codec.Close)
			return
		}
		c.recvMu.Lock()
		select {
		case <-c.done:
			c.recvMu.Unlock()
			return
		default:
		}
		c.onPacket(p)
		c.recvMu.Unlock()
	}
}

func readErrorReason(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) || errors.Is(err, net.ErrClosed) {
		return ReasonTransportClose
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		return ReasonTransportError
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ReasonTransportError
	}
	return ReasonTransportClose
}

// flushWebSocket drains the queue into ws until it is empty. It is the
// websocket's only writer: kickLocked starts it when the queue becomes
// non-empty and none runs, so an idle session holds no goroutine.
func (c *Conn) flushWebSocket(ws *websocket.Conn) {
	var buf []byte
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.ws != ws || c.closed {
			c.flushing = false
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue = nil
		b64 := c.wsB64
		c.mu.Unlock()

		ws.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
		for _, p := range batch {
			if p.Type == codec.Close {
				// Over websocket the reference sends no close packet: it
				// closes the socket.
				c.finish(ReasonForcedClose) // closes ws
				return
			}
			var err error
			switch {
			case p.Binary && b64:
				buf = codec.AppendBase64(buf[:0], p, c.version)
				err = ws.WriteMessage(websocket.TextMessage, buf)
			case p.Binary:
				buf = codec.AppendBinary(buf[:0], p, c.version)
				err = ws.WriteMessage(websocket.BinaryMessage, buf)
			default:
				buf = codec.AppendText(buf[:0], p, c.version)
				err = ws.WriteMessage(websocket.TextMessage, buf)
			}
			if err != nil {
				c.mu.Lock()
				c.flushing = false
				c.mu.Unlock()
				c.die(ReasonTransportError, codec.Close)
				return
			}
		}
	}
}
