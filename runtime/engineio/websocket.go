package engineio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// serveWebSocket makes ws the session's transport from the start (a
// handshake with transport=websocket) and starts reading from it.
func (c *Conn) serveWebSocket(ws *websocket.Conn, br *bufio.Reader, b64 bool) {
	ws.SetReadLimit(c.srv.opts.MaxBufferSize)
	c.mu.Lock()
	c.ws, c.wsB64, c.transport = ws, b64, WebSocket
	if c.srv.opts.MinWriteInterval > 0 {
		c.flush = func() { c.flushWebSocket(ws) }
	}
	c.wsRaw = rawConn(ws.NetConn())
	ws.SetPingHandler(c.pingHandler(ws))
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
	go c.readWebSocket(ws, br)
}

// serveUpgrade runs the upgrade of a polling session to websocket: "2probe"
// is answered with "3probe" on the new socket (its only write until the
// switch), the held GET is released with a noop, and on "5" the websocket
// takes over the queue.
func (c *Conn) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	ws, br, err := c.srv.upgradeWebSocket(w, r, nil)
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
		c.heard(codec.Upgrade)
		c.recvMu.Unlock()
		c.mu.Lock()
		c.probe = nil
		c.upgrading = false
		c.ws, c.wsB64, c.transport = ws, b64, WebSocket
		if c.srv.opts.MinWriteInterval > 0 {
			c.flush = func() { c.flushWebSocket(ws) }
		}
		c.wsRaw = rawConn(ws.NetConn())
		ws.SetPingHandler(c.pingHandler(ws))
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
		if o := c.srv.opts.Observer; o != nil {
			o.SessionUpgraded(int(c.version))
		}
		c.srv.log.Debug("engineio: upgraded to websocket", "sid", c.id)
		go c.readWebSocket(ws, br) // off the handler, as in serveWebSocket
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
		o := c.srv.opts.Observer
		if o != nil {
			o.PacketsReceived(WebSocket, 1, len(data))
		}
		switch {
		case p.Type == codec.Ping && string(p.Data) == "probe":
			ws.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
			if ws.WriteMessage(websocket.TextMessage, []byte("3probe")) != nil {
				return false
			}
			if o != nil {
				o.PacketsSent(WebSocket, 1, len("3probe")+2) // the frame's header is 2 bytes
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

// readWebSocket reads the session's websocket and delivers its packets
// until the session ends. br is the reader gorilla reads ws through (nil:
// not known, so every wait happens inside gorilla's read).
//
// The waiting is shaped for memory, not speed. Once br holds nothing, the
// session waits in readPoll (Linux, unless Options.DisableEpoll), which holds no goroutine, and the read
// goes on in a new goroutine when data arrives. Where readPoll cannot wait,
// the goroutine parks in waitReadable, a few frames deep, not inside
// gorilla's read, and after each packet hands the reading on to a fresh
// goroutine: the runtime starts goroutines with the average stack in use
// and halves a stack only while under a quarter of it is used, and
// delivering a packet runs the layers above and their handlers, which grow
// the stack to 8 KiB or more. Either way one goroutine reads at a time, and
// the next starts once this one has delivered what it read, so packets keep
// their order.
func (c *Conn) readWebSocket(ws *websocket.Conn, br *bufio.Reader) {
	var ready func()
	ready = func() {
		wakeReader(br, ws.NetConn())
		if c.readWebSocketPacket(ws) {
			c.readWebSocketFrom(ws, br, ready)
		}
	}
	c.readWebSocketFrom(ws, br, ready)
}

// readWebSocketFrom is readWebSocket's loop; ready reads one packet and
// comes back here.
func (c *Conn) readWebSocketFrom(ws *websocket.Conn, br *bufio.Reader, ready func()) {
	for {
		if br != nil && br.Buffered() == 0 {
			if !c.srv.opts.DisableEpoll && c.wsRaw != nil {
				// While the session waits in readPoll it holds no read
				// buffer: ready gives it one back before reading. Set
				// before arming, which may start ready at once.
				*br = idleReader
				if c.readPoll.arm(ws.NetConn(), ready) {
					select {
					case <-c.done:
						// finish ran before the wait was armed, so its
						// stop missed it, and the closed socket leaves
						// the epoll set without an event.
						c.readPoll.stop()
					default:
					}
					return
				}
				wakeReader(br, ws.NetConn())
			}
			waitReadable(ws.NetConn())
			if c.readWebSocketPacket(ws) {
				go c.readWebSocketFrom(ws, br, ready)
			}
			return
		}
		if !c.readWebSocketPacket(ws) {
			return
		}
	}
}

// idleReader is what the read buffer of a session waiting in readPoll is
// replaced by (wsReadBufferSize bytes of each idle session's memory): its
// 16 bytes are shared and never read, and a read fails.
var idleReader = *bufio.NewReaderSize(idleSource{}, 16)

type idleSource struct{}

func (idleSource) Read([]byte) (int, error) {
	return 0, errors.New("engineio: read from an idle websocket's reader")
}

// wakeReader gives br, the reader gorilla reads a websocket through, a
// buffer of its own again if it is the idle one.
func wakeReader(br *bufio.Reader, nc net.Conn) {
	if br != nil && br.Size() < wsReadBufferSize {
		*br = *bufio.NewReaderSize(nc, wsReadBufferSize)
	}
}

// readWebSocketPacket reads and delivers one packet of ws. It reports false
// when the session has ended.
func (c *Conn) readWebSocketPacket(ws *websocket.Conn) bool {
	typ, data, err := readMessage(ws)
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			c.peerLog.Info(c.srv.log, "engineio: websocket frame over MaxBufferSize, closing session", "sid", c.id, "max", c.srv.opts.MaxBufferSize)
		}
		c.die(readErrorReason(err), codec.Close)
		return false
	}
	var p codec.Packet
	if typ == websocket.TextMessage {
		p, err = codec.DecodeText(data, c.version)
	} else {
		p, err = codec.DecodeBinary(data, c.version)
	}
	if err != nil {
		c.peerLog.Info(c.srv.log, "engineio: bad packet, closing session", "sid", c.id, "err", err)
		c.die(ReasonParseError, codec.Close)
		return false
	}
	if o := c.srv.opts.Observer; o != nil {
		o.PacketsReceived(WebSocket, 1, len(data))
	}
	c.recvMu.Lock()
	defer c.recvMu.Unlock()
	select {
	case <-c.done:
		return false
	default:
	}
	c.onPacket(p)
	return true
}

// readMessage is ws.ReadMessage, which reads into a fresh buffer of 512
// bytes however short the message, with a message of up to readChunk
// bytes read into a pooled buffer and copied out at its size: clients
// mostly send pongs and short events, and what each read left over is
// garbage that an idle server's heap grows by between collections.
func readMessage(ws *websocket.Conn) (int, []byte, error) {
	typ, r, err := ws.NextReader()
	if err != nil {
		return typ, nil, err
	}
	bp := readPool.Get().(*[readChunk]byte)
	defer readPool.Put(bp)
	n, err := io.ReadFull(r, bp[:])
	switch err {
	case io.EOF, io.ErrUnexpectedEOF: // the whole message
		return typ, append(make([]byte, 0, n), bp[:n]...), nil
	case nil: // longer than readChunk
		data, err := io.ReadAll(io.MultiReader(bytes.NewReader(bp[:n]), r))
		return typ, data, err
	}
	return typ, nil, err
}

const readChunk = 512

var readPool = sync.Pool{New: func() any { return new([readChunk]byte) }}

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

// flushWebSocket drains the queue into ws until it is empty, at most one
// write per MinWriteInterval; with the default interval of 0 the server's
// writers do this instead (writer.go). It is the websocket's only writer of
// data frames: kickLocked starts it when the queue becomes non-empty and
// none runs, so an idle session holds no goroutine.
//
// Everything taken from the queue at once goes out in one write system call:
// the frames are encoded here, into a pooled buffer, rather than written one
// by one through gorilla's writer, which flushes each message. Under load a
// socket's queue holds several packets by the time its flusher runs, and the
// system call, not the encoding, is what a delivery costs. gorilla still
// writes the control frames (pong, close); a net.Conn write is atomic with
// respect to other writes, so frames never interleave.
func (c *Conn) flushWebSocket(ws *websocket.Conn) {
	bp := framePool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledFrames {
			*bp = (*bp)[:0]
			framePool.Put(bp)
		}
	}()
	nc := ws.NetConn()
	for {
		if w := c.srv.opts.MinWriteInterval; w > 0 {
			// Let what is queued meanwhile join this write.
			if d := w - time.Since(c.lastWrite); d > 0 {
				time.Sleep(d)
			}
		}
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

		buf, closing := (*bp)[:0], false
		for _, p := range batch {
			if p.Type == codec.Close {
				// Over websocket the reference sends no close packet: it
				// closes the socket, after what was queued before.
				closing = true
				break
			}
			buf = appendServerFrame(buf, p, c.version, b64)
		}
		*bp = buf
		if len(buf) > 0 {
			if o := c.srv.opts.Observer; o != nil {
				o.PacketsSent(WebSocket, sentPackets(batch, closing), len(buf))
			}
			c.lastWrite = time.Now()
			nc.SetWriteDeadline(c.lastWrite.Add(c.srv.opts.WriteTimeout))
			if _, err := nc.Write(buf); err != nil {
				c.mu.Lock()
				c.flushing = false
				c.mu.Unlock()
				c.die(ReasonTransportError, codec.Close)
				return
			}
			if h := c.srv.writeHook; h != nil {
				h(c, len(batch))
			}
		}
		if closing {
			c.finish(ReasonForcedClose) // closes ws
			return
		}
	}
}

// framePool holds the flushers' frame buffers, so that an idle session holds
// none; buffers grown past maxPooledFrames (a large attachment) are dropped.
var framePool = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledFrames = 64 << 10

// maxFrameHeader is the longest header of an unmasked websocket frame.
const maxFrameHeader = 10

var frameHeaderRoom [maxFrameHeader]byte

// appendServerFrame appends p as one final, unmasked websocket frame (RFC
// 6455 section 5.2), as a server sends it: a text frame, or for a binary
// packet a binary frame (on b64 sessions, a text frame holding base64). The
// upgrader does not negotiate compression, so the frames are never deflated.
func appendServerFrame(dst []byte, p codec.Packet, v codec.Version, b64 bool) []byte {
	start := len(dst)
	dst = append(dst, frameHeaderRoom[:]...) // the payload's length is known once encoded
	op := byte(websocket.TextMessage)
	switch {
	case p.Binary && b64:
		dst = codec.AppendBase64(dst, p, v)
	case p.Binary:
		dst = codec.AppendBinary(dst, p, v)
		op = websocket.BinaryMessage
	default:
		dst = codec.AppendText(dst, p, v)
	}
	n := len(dst) - start - maxFrameHeader
	var h [maxFrameHeader]byte
	h[0] = 0x80 | op // FIN
	hl := 2
	switch {
	case n < 126:
		h[1] = byte(n)
	case n <= 0xffff:
		h[1] = 126
		binary.BigEndian.PutUint16(h[2:], uint16(n))
		hl = 4
	default:
		h[1] = 127
		binary.BigEndian.PutUint64(h[2:], uint64(n))
		hl = 10
	}
	copy(dst[start:], h[:hl])
	copy(dst[start+hl:], dst[start+maxFrameHeader:])
	return dst[:len(dst)-(maxFrameHeader-hl)]
}
