package engineio

import (
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/runtime/engineio/codec"
)

// The default write policy of websocket sessions (MinWriteInterval 0):
// write at once when a connection is idle, and batch only what queues up
// while the writers are behind. A session with something queued waits in
// one FIFO list per server, the ready list; a few writer goroutines (at most
// GOMAXPROCS, started when the list fills and gone when it empties) take
// sessions from its head and write everything each has queued in one system
// call. When the server keeps up, the list is short and every message is
// written as soon as it is queued. When it falls behind, a session waits one
// turn of the list, and whatever is queued for it meanwhile joins its next
// write: batches grow with the load, evenly over the sessions, and the
// number of writes stays near what the core can make. (A goroutine per
// session's flush, as before, also batches what queues before it runs, but
// starts a goroutine per session and burst, runs them in the order Go's
// scheduler picks, and took twice as long to write a broadcast to 1,000
// sessions: BenchmarkBroadcast1000.)
//
// A writer yields every yieldEvery sessions, so that the goroutines that
// read and broadcast get the core while it has work, and what they queue
// joins this pass of the list.
//
// Writers never wait for a peer: a write is attempted without blocking
// (tryWrite), and what the socket does not take at once goes to a goroutine
// of the session's own (finishWrite), which waits for the peer up to
// WriteTimeout while the writers serve everyone else.

// writeScheduler is a server's ready list and its writers.
type writeScheduler struct {
	mu      sync.Mutex
	ready   []*Conn // FIFO; ready[head:] waits
	head    int
	writers int // running writer goroutines
}

// schedule puts c at the tail of the ready list and starts a writer if
// fewer than GOMAXPROCS run. The caller holds c.mu and has set c.flushing.
func (s *writeScheduler) schedule(c *Conn) {
	s.mu.Lock()
	s.ready = append(s.ready, c)
	start := s.writers < runtime.GOMAXPROCS(0)
	if start {
		s.writers++
	}
	s.mu.Unlock()
	if start {
		go s.run()
	}
}

// next takes the session at the head of the ready list; false when the list
// is empty, in which case the calling writer has been counted out.
func (s *writeScheduler) next() (*Conn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.head == len(s.ready) {
		s.writers--
		// Keep the array while it is small; let a burst's go.
		if cap(s.ready) > 4096 {
			s.ready = nil
		} else {
			clear(s.ready)
			s.ready = s.ready[:0]
		}
		s.head = 0
		return nil, false
	}
	c := s.ready[s.head]
	s.ready[s.head] = nil
	s.head++
	if s.head == len(s.ready) {
		s.ready, s.head = s.ready[:0], 0
	}
	return c, true
}

// yieldEvery is how many sessions a writer writes between yields.
const yieldEvery = 32

// run is one writer: it writes for the sessions of the ready list until the
// list is empty.
func (s *writeScheduler) run() {
	bp := framePool.Get().(*[]byte)
	for turns := 1; ; turns++ {
		c, ok := s.next()
		if !ok {
			break
		}
		bp = c.writeTurn(bp)
		if turns%yieldEvery == 0 {
			// Let the readers and broadcasters that became runnable
			// meanwhile queue their messages, so that they join the
			// writes of this pass instead of waiting for the list to
			// empty: a writer that never yields makes batches small and
			// the server's input wait.
			runtime.Gosched()
		}
	}
	putFrameBuffer(bp)
}

// writeTurn is one turn of c on the ready list: everything queued for it
// goes out in one write. It returns the frame buffer for the writer's next
// turn (a new one when this one went to finishWrite).
func (c *Conn) writeTurn(bp *[]byte) *[]byte {
	c.mu.Lock()
	ws := c.ws
	if len(c.queue) == 0 || ws == nil || c.closed {
		c.flushing = false
		c.mu.Unlock()
		return bp
	}
	batch := c.queue
	c.queue = nil
	b64 := c.wsB64
	c.mu.Unlock()

	buf, closing := encodeBatch((*bp)[:0], batch, c.version, b64)
	*bp = buf
	if len(buf) > 0 {
		if o := c.srv.opts.Observer; o != nil {
			o.PacketsSent(WebSocket, sentPackets(batch, closing), len(buf))
		}
		if !c.wmu.TryLock() {
			// A control frame is being written (a pong to a websocket
			// ping, or a close): wait for it off the writers.
			go c.finishWrite(ws, bp, 0, closing, false)
			return framePool.Get().(*[]byte)
		}
		n, err := tryWrite(ws.NetConn(), c.wsRaw, buf)
		if err != nil {
			c.wmu.Unlock()
			c.writeFailed()
			return bp
		}
		if n < len(buf) {
			// The peer is slow: its socket took part or none of the frames.
			// wmu stays locked until the rest is written, so that no
			// control frame lands inside a data frame.
			go c.finishWrite(ws, bp, n, closing, true)
			return framePool.Get().(*[]byte)
		}
		c.wmu.Unlock()
		if h := c.srv.writeHook; h != nil {
			h(c, len(batch))
		}
	}
	c.afterWrite(closing)
	return bp
}

// finishWrite writes (*bp)[from:] with the blocking write of net.Conn,
// bounded by WriteTimeout, for a peer that did not take it at once, and
// gives c back to the ready list. locked tells whether the caller already
// holds c.wmu for it.
func (c *Conn) finishWrite(ws *websocket.Conn, bp *[]byte, from int, closing, locked bool) {
	defer putFrameBuffer(bp)
	if !locked {
		c.wmu.Lock()
	}
	nc := ws.NetConn()
	nc.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
	_, err := nc.Write((*bp)[from:])
	c.wmu.Unlock()
	if err != nil {
		c.writeFailed()
		return
	}
	if h := c.srv.writeHook; h != nil {
		h(c, -1)
	}
	c.afterWrite(closing)
}

// afterWrite ends c's turn: the session is closed if its batch held the
// close packet, put back at the tail of the ready list if more was queued
// meanwhile, and otherwise left idle.
func (c *Conn) afterWrite(closing bool) {
	if closing {
		c.mu.Lock()
		c.flushing = false
		c.mu.Unlock()
		c.finish(ReasonForcedClose) // closes ws
		return
	}
	c.mu.Lock()
	if len(c.queue) > 0 && !c.closed {
		c.srv.writers.schedule(c)
	} else {
		c.flushing = false
	}
	c.mu.Unlock()
}

func (c *Conn) writeFailed() {
	c.mu.Lock()
	c.flushing = false
	c.mu.Unlock()
	c.die(ReasonTransportError, codec.Close)
}

// encodeBatch appends the websocket frames of batch to buf, up to a close
// packet, which it reports: over websocket the reference sends no close
// packet, it closes the socket after what was queued before.
func encodeBatch(buf []byte, batch []codec.Packet, v codec.Version, b64 bool) ([]byte, bool) {
	for _, p := range batch {
		if p.Type == codec.Close {
			return buf, true
		}
		buf = appendServerFrame(buf, p, v, b64)
	}
	return buf, false
}

// sentPackets is how many packets of batch encodeBatch wrote: all of them,
// but the close packet, which is always the last one queued.
func sentPackets(batch []codec.Packet, closing bool) int {
	if closing {
		return len(batch) - 1
	}
	return len(batch)
}

func putFrameBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooledFrames {
		*bp = (*bp)[:0]
		framePool.Put(bp)
	}
}

// pingHandler answers a websocket ping as gorilla's default does, but
// under c.wmu, so that the pong never lands inside a data frame that a slow
// peer took only part of.
func (c *Conn) pingHandler(ws *websocket.Conn) func(string) error {
	return func(data string) error {
		c.wmu.Lock()
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		c.wmu.Unlock()
		if err == websocket.ErrCloseSent {
			return nil
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return nil
		}
		return err
	}
}
