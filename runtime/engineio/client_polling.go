package engineio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// clientPolling is the state of the polling transport of a Client. Its
// fields are guarded by Client.mu.
//
// Two goroutines run it: the GET loop, which keeps exactly one poll
// outstanding, and the POST writer, which sends everything queued as one
// payload per request. Both stop when paused (for the upgrade) and can be
// started again if the upgrade fails.
type clientPolling struct {
	paused      bool
	getRunning  bool
	postRunning bool
	stopped     chan struct{} // signalled (cap 1) when a loop stops
}

// Content types of polling bodies.
const (
	clientContentText   = "text/plain;charset=UTF-8"
	clientContentBinary = "application/octet-stream"
)

// pollHandshake opens the session with a GET and returns the packets
// that followed the open packet in the same payload.
func (c *Client) pollHandshake(ctx context.Context) ([]codec.Packet, error) {
	body, binary, err := c.pollRequest(ctx, http.MethodGet, nil, "")
	if err != nil {
		return nil, err
	}
	packets, err := codec.DecodePayload(body, binary, c.version)
	if err != nil {
		return nil, err
	}
	if len(packets) == 0 {
		return nil, &codec.ProtocolError{What: "handshake", Offset: -1, Reason: "empty payload"}
	}
	if err := c.onOpen(packets[0]); err != nil {
		return nil, err
	}
	c.transport = Polling
	c.poll = &clientPolling{stopped: make(chan struct{}, 1)}
	return packets[1:], nil
}

// pollRequest sends one polling request and returns the body of its
// 200 answer, and whether that body is an XHR2 binary payload.
func (c *Client) pollRequest(ctx context.Context, method string, body []byte, contentType string) ([]byte, bool, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.requestURL(Polling), rd)
	if err != nil {
		return nil, false, err
	}
	for k, v := range c.opts.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.httpc.Do(req)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, clientErrorBodyLimit))
		return nil, false, clientStatusError(resp.StatusCode, b)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, false, err
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return b, mt == clientContentBinary, nil
}

// startPolling starts the polling loops that are not running, unless
// polling is paused or the connection ended. c.mu must be held.
func (c *Client) startPolling() {
	p := c.poll
	if p.paused || c.ended {
		return
	}
	if !p.getRunning {
		p.getRunning = true
		c.wg.Add(1)
		go c.pollLoop()
	}
	if !p.postRunning {
		p.postRunning = true
		c.wg.Add(1)
		go c.pollWrite()
	}
}

// pollStop is deferred by the polling loops: it records that one
// stopped and tells a pause waiting for it.
func (c *Client) pollStop(running *bool) {
	c.mu.Lock()
	*running = false
	c.mu.Unlock()
	select {
	case c.poll.stopped <- struct{}{}:
	default:
	}
	c.wg.Done()
}

// pollContinue reports whether a polling loop may start another
// request.
func (c *Client) pollContinue() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.poll.paused && !c.ended
}

// pollLoop keeps one GET outstanding and hands what it returns to
// onPacket, until polling is paused or the connection ends.
func (c *Client) pollLoop() {
	defer c.pollStop(&c.poll.getRunning)
	for c.pollContinue() {
		body, binary, err := c.pollRequest(c.ctx, http.MethodGet, nil, "")
		if err != nil {
			c.end(clientNetReason(err), err)
			return
		}
		packets, err := codec.DecodePayload(body, binary, c.version)
		for _, p := range packets {
			if !c.onPacket(p) {
				return
			}
		}
		if err != nil {
			c.end(ReasonParseError, err)
			return
		}
	}
}

// pollWrite is the one writer of the polling transport: it POSTs the
// queued packets, as many as fit in one payload per request, until polling
// is paused or the connection ends. A batch holding a binary message is an
// XHR2 binary payload unless ForceBase64 is set.
func (c *Client) pollWrite() {
	defer c.pollStop(&c.poll.postRunning)
	for {
		c.mu.Lock()
		if c.poll.paused || c.ended {
			c.mu.Unlock()
			return
		}
		var batch []codec.Packet
		if len(c.queue) > 0 {
			batch = c.take(c.maxBatch)
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
		binary := false
		if c.version == codec.V3 && !c.opts.ForceBase64 {
			for _, p := range batch {
				binary = binary || p.Binary
			}
		}
		// A new buffer per request: the HTTP transport may still read the
		// body after Do returned.
		var body []byte
		ctype := clientContentText
		if binary {
			body, ctype = codec.AppendBinaryPayload(nil, batch), clientContentBinary
		} else {
			body = codec.AppendStringPayload(nil, batch, c.version)
		}
		if _, _, err := c.pollRequest(c.ctx, http.MethodPost, body, ctype); err != nil {
			c.end(clientNetReason(err), err)
			return
		}
		c.written(batch)
	}
}

// errClientPauseTimeout reports a pause of polling that did not complete
// within the upgrade timeout.
var errClientPauseTimeout = errors.New("engineio: polling did not pause in time")

// pausePolling stops polling for the upgrade: no new request starts,
// and it waits for the GET and the POST in flight to complete (the server
// releases the GET with a noop). On success, polling no longer reads or
// writes and every packet it received was handed to onPacket.
func (c *Client) pausePolling(ctx context.Context) error {
	c.mu.Lock()
	p := c.poll
	p.paused = true
	c.mu.Unlock()
	c.kick() // an idle writer wakes up and sees the pause
	for {
		c.mu.Lock()
		idle := !p.getRunning && !p.postRunning
		c.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-p.stopped:
		case <-c.closing:
			return ErrClosed
		case <-ctx.Done():
			return errClientPauseTimeout
		}
	}
}

// resumePolling undoes pausePolling after a failed upgrade.
func (c *Client) resumePolling() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.poll.paused = false
	c.startPolling()
}
