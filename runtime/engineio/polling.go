package engineio

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// servePolling serves one polling request (XHR or JSONP) of the session.
func (c *Conn) servePolling(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	transport := c.transport
	c.mu.Unlock()
	if transport != Polling {
		// After the upgrade the sid belongs to the websocket.
		c.srv.refuse(w, r, false, errBadRequest)
		return
	}
	switch r.Method {
	case http.MethodGet:
		c.poll(w, r)
	case http.MethodPost:
		c.receive(w, r)
	case http.MethodOptions:
		h := w.Header()
		setCORS(h, r)
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// poll answers a GET with everything queued, holding it until there is
// something: a poll is never answered with an empty body, which the client
// would take for a parse error.
func (c *Conn) poll(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	if c.getActive {
		c.mu.Unlock()
		w.WriteHeader(c.overlapStatus())
		c.die(ReasonTransportError, codec.Close)
		return
	}
	c.getActive = true
	var pkts []codec.Packet
	for {
		if c.closed {
			pkts = []codec.Packet{{Type: c.closeWith}}
			break
		}
		if len(c.queue) > 0 {
			pkts, c.queue = c.queue, nil
			if n := len(pkts); n > 1 && pkts[n-1].Type == codec.Close && c.version != codec.V3 {
				// engine.io 6.x sends an orderly close in a poll of its
				// own, after the packets before it: socket.io-client 4.x
				// hands decoded packets to the sockets a tick later, so a
				// close in the same payload would overtake them (a
				// server's DISCONNECT would read as a transport close).
				pkts, c.queue = pkts[:n-1], pkts[n-1:]
			}
			break
		}
		if c.transport != Polling || c.upgrading {
			// Release the GET so the client can finish the upgrade.
			pkts = []codec.Packet{{Type: codec.Noop}}
			break
		}
		c.mu.Unlock()
		select {
		case <-c.wake:
		case <-c.done:
		case <-r.Context().Done():
			// The client closed the connection of a held GET. engine.io
			// ends the session then ("poll connection closed
			// prematurely"): the page was closed or the network lost,
			// and the layer above hears of it now, not a ping timeout
			// later.
			c.mu.Lock()
			c.getActive = false
			polling := c.transport == Polling
			c.mu.Unlock()
			if polling {
				c.srv.log.Debug("engineio: held GET closed by the client, closing session", "sid", c.id)
				c.finish(ReasonTransportError)
			}
			return
		}
		c.mu.Lock()
	}
	// The GET is over once its packets are taken: the client sends its next
	// poll as soon as this response arrives, before writePayload returns.
	c.getActive = false
	n := len(pkts)
	closing := n > 0 && pkts[n-1].Type == codec.Close && c.closing
	c.mu.Unlock()

	err := c.writePayload(w, r, pkts)
	if err != nil && !closing {
		// The packets are gone with the response, and resending them
		// could reorder the stream: end the session, as engine.io does
		// when a poll's connection closes before its answer went out.
		c.peerLog.Info(c.srv.log, "engineio: polling response failed, closing session", "sid", c.id, "err", err)
		c.finish(ReasonTransportError)
		return
	}
	if closing {
		c.finish(ReasonForcedClose)
	}
}

// writePayload writes packets as the response to a GET: an XHR2 binary
// payload when there is binary and the client takes it, a JSONP script when
// the request asked for one, a string payload otherwise. The error is the
// write's, within WriteTimeout.
func (c *Conn) writePayload(w http.ResponseWriter, r *http.Request, pkts []codec.Packet) error {
	h := w.Header()
	q := r.URL.Query()
	_, jsonp := q["j"]
	var body []byte
	binary := false
	if !c.b64 && !jsonp && c.version == codec.V3 { // v4 has no XHR2 payload
		for _, p := range pkts {
			if p.Binary {
				binary = true
				break
			}
		}
	}
	switch {
	case binary:
		body = codec.AppendBinaryPayload(nil, pkts)
		h.Set("Content-Type", "application/octet-stream")
	case jsonp:
		payload := codec.AppendStringPayload(nil, pkts, c.version)
		body = codec.AppendJSONP(nil, digitsOnly(q.Get("j")), payload)
		h.Set("Content-Type", "text/plain; charset=UTF-8")
	default:
		body = codec.AppendStringPayload(nil, pkts, c.version)
		h.Set("Content-Type", "text/plain; charset=UTF-8")
	}
	if !jsonp {
		setCORS(h, r)
	}
	c.setCookie(h)
	body = c.srv.compress(h, r, body)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(body); err != nil {
		return err
	}
	if o := c.srv.opts.Observer; o != nil {
		o.PacketsSent(Polling, len(pkts), len(body))
	}
	// Flush here, under the deadline: a failure after the handler
	// returned would go unnoticed. A wrapping ResponseWriter that cannot
	// flush leaves it to net/http.
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// receive handles a POST: decode its payload and deliver the packets. The
// reference answers "ok" even when the payload is bad, then closes the
// session.
func (c *Conn) receive(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	if c.postActive {
		c.mu.Unlock()
		w.WriteHeader(c.overlapStatus())
		c.die(ReasonTransportError, codec.Close)
		return
	}
	c.postActive = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.postActive = false
		c.mu.Unlock()
	}()

	// A body that trickles in holds this goroutine: it gets as long as the
	// heartbeat gives a silent peer.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(c.srv.opts.PingInterval + c.srv.opts.PingTimeout))
	max := c.srv.opts.MaxBufferSize
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		c.dropPost(err)
	}
	if int64(len(body)) > max {
		c.peerLog.Info(c.srv.log, "engineio: POST body over MaxBufferSize, closing session", "sid", c.id, "max", max)
		c.srv.writeError(w, r, false, http.StatusRequestEntityTooLarge, errBadRequest, "Payload too large")
		c.die(ReasonTransportError, codec.Close)
		return
	}

	binary := strings.HasPrefix(r.Header.Get("Content-Type"), "application/octet-stream")
	if binary && c.version != codec.V3 {
		// v4 has no XHR2 payload; engine.io 6.x: "invalid content".
		c.peerLog.Info(c.srv.log, "engineio: binary POST from a v4 client, closing session", "sid", c.id)
		w.WriteHeader(http.StatusBadRequest)
		c.die(ReasonTransportError, codec.Close)
		return
	}
	var pkts []codec.Packet
	if _, jsonp := r.URL.Query()["j"]; jsonp {
		var payload []byte
		payload, err = codec.DecodeJSONPBody(body)
		if err == nil && payload != nil {
			pkts, err = codec.DecodePayload(payload, false, c.version)
		}
	} else {
		pkts, err = codec.DecodePayload(body, binary, c.version)
	}
	if o := c.srv.opts.Observer; o != nil {
		o.PacketsReceived(Polling, len(pkts), len(body))
	}

	h := w.Header()
	setCORS(h, r)
	c.setCookie(h)
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", "2")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("ok"))

	c.deliver(pkts)
	if err != nil {
		c.peerLog.Info(c.srv.log, "engineio: bad payload, closing session", "sid", c.id, "err", err)
		c.die(ReasonParseError, codec.Close)
	}
}

// overlapStatus is the answer to a second GET or POST while one is in
// progress: engine.io 3.6.2 answers 500, engine.io 6.x 400; both close the
// session.
func (c *Conn) overlapStatus() int {
	if c.version == codec.V3 {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func (c *Conn) setCookie(h http.Header) {
	if !c.srv.opts.DisableCookie {
		h.Set("Set-Cookie", c.srv.opts.CookieName+"="+c.id+"; Path=/; HttpOnly; SameSite=Strict")
	}
}

// compress compresses body when it is above the threshold and the client
// accepts gzip or deflate, as engine.io's httpCompression does.
func (s *Server) compress(h http.Header, r *http.Request, body []byte) []byte {
	if s.opts.DisableCompression || len(body) < s.opts.CompressionThreshold {
		return body
	}
	enc := acceptedEncoding(r.Header.Get("Accept-Encoding"))
	if enc == "" {
		return body
	}
	var buf bytes.Buffer
	var zw io.WriteCloser
	if enc == "gzip" {
		zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	} else {
		zw, _ = zlib.NewWriterLevel(&buf, zlib.BestSpeed) // HTTP deflate is the zlib format
	}
	if _, err := zw.Write(body); err != nil {
		return body
	}
	if err := zw.Close(); err != nil {
		return body
	}
	h.Set("Content-Encoding", enc)
	h.Add("Vary", "Accept-Encoding")
	return buf.Bytes()
}

func acceptedEncoding(accept string) string {
	for part := range strings.SplitSeq(accept, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(name) {
		case "gzip":
			return "gzip"
		case "deflate":
			return "deflate"
		}
	}
	return ""
}

// digitsOnly keeps the digits of a JSONP index, as the reference strips
// everything else from j.
func digitsOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
