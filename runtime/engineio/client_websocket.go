package engineio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// wsDial opens a websocket to the engine endpoint, with the session id
// once there is one.
func (c *Client) wsDial(ctx context.Context) (*websocket.Conn, error) {
	ws, resp, err := c.dialer.DialContext(ctx, c.requestURL(WebSocket), c.opts.Header.Clone())
	if err != nil {
		if errors.Is(err, websocket.ErrBadHandshake) && resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, clientErrorBodyLimit))
			resp.Body.Close()
			return nil, clientStatusError(resp.StatusCode, b)
		}
		return nil, err
	}
	return ws, nil
}

// wsHandshake opens the session over a websocket: the first frame is
// the open packet.
func (c *Client) wsHandshake(ctx context.Context) error {
	ws, err := c.wsDial(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	ws.SetReadDeadline(time.Now().Add(clientHandshakeTimeout))
	p, err := c.wsReadPacket(ws)
	if err == nil {
		err = c.onOpen(p)
	}
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		ws.Close()
		return err
	}
	ws.SetReadDeadline(time.Time{})
	c.transport = WebSocket
	c.ws = ws
	c.conns = append(c.conns, ws)
	return nil
}

// clientWSDecodeError wraps a frame that does not decode, to tell it from a
// read error.
type clientWSDecodeError struct{ err error }

func (e *clientWSDecodeError) Error() string { return e.err.Error() }
func (e *clientWSDecodeError) Unwrap() error { return e.err }

// wsReadPacket reads one frame and decodes it. A decoding failure is a
// *clientWSDecodeError.
func (c *Client) wsReadPacket(ws *websocket.Conn) (codec.Packet, error) {
	typ, data, err := ws.ReadMessage()
	if err != nil {
		return codec.Packet{}, err
	}
	var p codec.Packet
	switch typ {
	case websocket.TextMessage:
		p, err = codec.DecodeText(data, c.version)
	case websocket.BinaryMessage:
		p, err = codec.DecodeBinary(data, c.version)
	default:
		err = fmt.Errorf("engineio: unexpected websocket frame type %d", typ)
	}
	if err != nil {
		return codec.Packet{}, &clientWSDecodeError{err}
	}
	return p, nil
}

// wsRead reads ws, the current transport, until the connection ends.
func (c *Client) wsRead(ws *websocket.Conn) {
	for {
		p, err := c.wsReadPacket(ws)
		if err != nil {
			var de *clientWSDecodeError
			if errors.As(err, &de) {
				c.end(ReasonParseError, de.err)
			} else {
				c.end(clientNetReason(err), err)
			}
			return
		}
		if !c.onPacket(p) {
			return
		}
	}
}

// wsWrite is the one writer of ws once it is the transport: it writes
// each queued packet as one frame, until the connection ends.
func (c *Client) wsWrite(ws *websocket.Conn) {
	var buf []byte
	for {
		c.mu.Lock()
		if c.ended {
			c.mu.Unlock()
			return
		}
		var batch []codec.Packet
		if len(c.queue) > 0 {
			batch = c.take(0)
		}
		c.mu.Unlock()
		if len(batch) == 0 {
			select {
			case <-c.wake:
			case <-c.closing:
				return
			}
			continue
		}
		for _, p := range batch {
			var err error
			if buf, err = c.wsWritePacket(ws, p, buf); err != nil {
				c.end(ReasonTransportError, err)
				return
			}
		}
		c.written(batch)
	}
}

// wsWritePacket writes p as one frame, using buf as scratch space,
// and returns buf for reuse: text packets as text frames, binary ones as
// binary frames, or as base64 text frames under ForceBase64.
func (c *Client) wsWritePacket(ws *websocket.Conn, p codec.Packet, buf []byte) ([]byte, error) {
	typ := websocket.TextMessage
	switch {
	case !p.Binary:
		buf = codec.AppendText(buf[:0], p, c.version)
	case c.opts.ForceBase64:
		buf = codec.AppendBase64(buf[:0], p, c.version)
	default:
		buf = codec.AppendBinary(buf[:0], p, c.version)
		typ = websocket.BinaryMessage
	}
	if err := ws.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout)); err != nil {
		return buf, err
	}
	return buf, ws.WriteMessage(typ, buf)
}

// upgrade upgrades a polling session to websocket: open a websocket
// with the sid, send 2probe, expect 3probe, pause polling (its GET and POST
// in flight complete, and no new one starts), send 5, and make the websocket
// the transport; its writer then sends the queue. Packets are thus never
// sent on both transports, nor read out of order. If anything fails before
// 5 is written, polling resumes and the session carries on.
func (c *Client) upgrade() {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(c.ctx, clientUpgradeTimeout)
	defer cancel()
	ws, err := c.wsDial(ctx)
	if err != nil {
		c.log.Debug("engineio client: upgrade failed", "sid", c.sid, "step", "dial", "err", err)
		return
	}
	if !c.track(ws) {
		return
	}
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	step, err := c.probe(ctx, ws)
	if !stop() && err == nil {
		step, err = "timeout", ctx.Err()
	}
	if err == nil {
		ws.SetReadDeadline(time.Time{})
		_, err = c.wsWritePacket(ws, codec.Packet{Type: codec.Upgrade}, nil)
		step = "upgrade packet"
	}
	if err != nil {
		if step != "probe" {
			c.resumePolling()
		}
		c.untrack(ws)
		c.log.Debug("engineio client: upgrade failed", "sid", c.sid, "step", step, "err", err)
		return
	}
	c.mu.Lock()
	c.transport = WebSocket
	c.ws = ws
	c.mu.Unlock()
	c.log.Debug("engineio client: upgraded", "sid", c.sid, "transport", WebSocket)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.wsWrite(ws)
	}()
	c.wsRead(ws)
}

// probe sends 2probe on ws, waits for 3probe, then pauses polling. It
// returns the step that failed: "probe" (polling untouched) or "pause".
func (c *Client) probe(ctx context.Context, ws *websocket.Conn) (step string, err error) {
	if _, err := c.wsWritePacket(ws, codec.Packet{Type: codec.Ping, Data: []byte("probe")}, nil); err != nil {
		return "probe", err
	}
	p, err := c.wsReadPacket(ws)
	if err != nil {
		return "probe", err
	}
	if p.Type != codec.Pong || p.Binary || string(p.Data) != "probe" {
		return "probe", fmt.Errorf("engineio: probe answered with %s %q", p.Type, p.Data)
	}
	if err := c.pausePolling(ctx); err != nil {
		return "pause", err
	}
	return "", nil
}
