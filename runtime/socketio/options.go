package socketio

import (
	"log/slog"

	"github.com/siogen/siogen/runtime/engineio"
)

// Options configure a Server. The zero value of every field selects the
// default of socket.io 2.5.1, stated on the field.
type Options struct {
	// Engine configures the Engine.IO layer (path, heartbeat, buffers,
	// origins, ...). Its Logger defaults to Logger.
	Engine engineio.Options

	// Adapter creates the room and broadcast adapter of each namespace.
	// Default NewMemoryAdapter: a single process.
	Adapter func(nsp *Namespace) Adapter

	// MaxAttachments bounds the binary attachments of one incoming packet.
	// Default 10, as socket.io-parser.
	MaxAttachments int
	// MaxPendingEvents bounds the events of one socket waiting for its
	// handlers; a client that floods past it is disconnected. Default 1024.
	MaxPendingEvents int
	// MaxPendingAcks bounds the acks one socket's EmitWithAck calls wait
	// for at once; past it EmitWithAck fails with ErrTooManyAcks. Default 1024.
	MaxPendingAcks int

	// DisableServeClient stops serving the browser client at
	// <Engine.Path>socket.io.js (socket.io 2.x's serveClient: false).
	DisableServeClient bool

	// Logger receives diagnostics, including recovered handler panics.
	// Default slog.Default().
	Logger *slog.Logger
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
	if c.MaxPendingEvents <= 0 {
		c.MaxPendingEvents = 1024
	}
	if c.MaxPendingAcks <= 0 {
		c.MaxPendingAcks = 1024
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Engine.Logger == nil {
		c.Engine.Logger = c.Logger
	}
	return c
}
