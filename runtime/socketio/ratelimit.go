package socketio

import (
	"math"
	"time"
)

// ReasonEventRateExceeded is the disconnect reason of a socket that sent
// events faster than Options.MaxEventRate allows.
const ReasonEventRateExceeded = "event rate exceeded"

// eventBucket is a socket's token bucket for Options.MaxEventRate: it holds
// up to MaxEventBurst tokens, refills at MaxEventRate per second, and every
// incoming event takes one.
type eventBucket struct {
	tokens float64
	last   time.Duration // when tokens was computed, on the monotonic clock
	used   bool          // the bucket started full at the first event
}

// monoStart anchors the monotonic readings of eventBucket.
var monoStart = time.Now()

// take reports whether an event may pass at now, taking its token.
func (b *eventBucket) take(now time.Duration, rate float64, burst int) bool {
	if !b.used {
		b.used = true
		b.tokens = float64(burst)
	} else {
		b.tokens = math.Min(float64(burst), b.tokens+rate*(now-b.last).Seconds())
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// allowEvent applies Options.MaxEventRate to one incoming event. When the
// socket is over it, the client is disconnected from every namespace (so
// that socket.io-client does not reconnect on its own) and false returned.
func (s *Socket) allowEvent() bool {
	opts := &s.nsp.srv.opts
	if opts.MaxEventRate <= 0 {
		return true
	}
	s.mu.Lock()
	ok := s.bucket.take(time.Since(monoStart), opts.MaxEventRate, opts.MaxEventBurst)
	s.mu.Unlock()
	if !ok {
		s.nsp.srv.refused(s.nsp.name, RefusedRateLimit)
		s.conn.peerLog.Warn(s.nsp.srv.log, "socketio: event rate exceeded, disconnecting", "id", s.id, "rate", opts.MaxEventRate, "burst", opts.MaxEventBurst)
		s.conn.disconnectAll(ReasonEventRateExceeded)
	}
	return ok
}
