package socketio

import (
	"log/slog"
	"math"
	"time"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// Options configure a Server. The zero value of every field selects the
// default of socket.io 2.5.1, stated on the field (ConnectTimeout:
// socket.io 4.x's). A server serves socket.io 2.x clients (Engine.IO v3,
// Socket.IO v4) and 3.x/4.x clients (Engine.IO v4, Socket.IO v5) alike,
// each connection in its own protocol; Engine.Protocols restricts them.
type Options struct {
	// Engine configures the Engine.IO layer (path, heartbeat, buffers,
	// origins, ...). Its Logger defaults to Logger.
	Engine engineio.Options

	// Adapter creates the room and broadcast adapter of each namespace.
	// Default NewMemoryAdapter: a single process.
	Adapter func(nsp *Namespace) Adapter

	// MaxAttachments bounds the binary attachments of one incoming packet;
	// a packet announcing more is a parse error and closes the connection.
	// Default 10, as socket.io-parser.
	MaxAttachments int
	// MaxDepth bounds the JSON nesting of an incoming packet's payload
	// (each array or object is one level); a deeper packet is a parse error
	// and closes the connection. Default 32 (codec.DefaultMaxDepth).
	MaxDepth int
	// MaxNamespaces bounds the namespaces one connection may be connected
	// or connecting to at once, "/" included; a client asking for more gets
	// an ERROR packet "Too many namespaces" and is disconnected. Default 64.
	MaxNamespaces int
	// MaxPendingEvents bounds the events of one socket waiting for its
	// handlers; a client that floods past it is disconnected. Default 1024.
	MaxPendingEvents int
	// MaxEventRate bounds the events (EVENT and BINARY_EVENT packets) one
	// socket may send per second, as a token bucket holding MaxEventBurst
	// events: a client may send a burst of that many at once, then
	// MaxEventRate a second. A client that sends faster is disconnected:
	// a DISCONNECT for every namespace, then the connection is closed, and
	// the disconnect handlers get ReasonEventRateExceeded. Default 0: no
	// bound (socket.io has none).
	MaxEventRate float64
	// MaxEventBurst is the bucket size of MaxEventRate. Default
	// MaxEventRate rounded up (a second's worth), and at least 1.
	MaxEventBurst int
	// MaxPendingAcks bounds the acks one socket's EmitWithAck calls wait
	// for at once; past it EmitWithAck fails with ErrTooManyAcks. Default 1024.
	MaxPendingAcks int

	// Recovery turns on connection state recovery for socket.io 3.x/4.x
	// clients (RecoveryOptions). Default nil: off, as in socket.io.
	Recovery *RecoveryOptions

	// ConnectTimeout bounds how long a socket.io 3.x or 4.x client
	// (Engine.IO v4) may stay connected without joining a namespace: its
	// CONNECT for "/" is explicit, and a connection that has not been
	// admitted anywhere by then is closed, as socket.io 4.x's
	// connectTimeout. (A 2.x client joins "/" implicitly.) Default 45s.
	ConnectTimeout time.Duration

	// DisableServeClient stops serving the browser client at
	// <Engine.Path>socket.io.js (socket.io 2.x's serveClient: false).
	DisableServeClient bool

	// Logger receives diagnostics, including recovered handler panics.
	// Default slog.Default().
	Logger *slog.Logger

	// Observer, if set, is told of the server's connections, traffic,
	// events and refusals, for metrics (see Observer); it observes the
	// engine too, unless Engine.Observer is set. Default nil: nothing is
	// observed, at the cost of a nil check.
	Observer Observer
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Adapter == nil {
		c.Adapter = func(nsp *Namespace) Adapter { return NewMemoryAdapter(nsp) }
	}
	if c.MaxAttachments <= 0 {
		c.MaxAttachments = 10
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = codec.DefaultMaxDepth
	}
	if c.MaxNamespaces <= 0 {
		c.MaxNamespaces = 64
	}
	if c.MaxPendingEvents <= 0 {
		c.MaxPendingEvents = 1024
	}
	if c.MaxEventRate > 0 && c.MaxEventBurst <= 0 {
		c.MaxEventBurst = max(1, int(math.Ceil(c.MaxEventRate)))
	}
	if c.MaxPendingAcks <= 0 {
		c.MaxPendingAcks = 1024
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 45 * time.Second
	}
	if c.Engine.Logger == nil {
		c.Engine.Logger = c.Logger
	}
	if c.Engine.Observer == nil && c.Observer != nil {
		c.Engine.Observer = engineObserver{c.Observer}
	}
	return c
}
