package engineio

import (
	"log/slog"
	"net/http"
	"time"
)

// Options configure a Server. The zero value of every field selects the
// default of socket.io 2.5.1 (engine.io 3.6.2), stated on the field, so that
// the official clients behave as they do against the reference server.
type Options struct {
	// Path is the URL path prefix the server answers under, with a trailing
	// slash. Default DefaultPath, "/socket.io/".
	Path string

	// Protocols lists the Engine.IO revisions served, out of 3 (socket.io
	// 2.x clients) and 4 (socket.io 3.x and 4.x clients). The handshake's
	// EIO query parameter picks the revision of each session: absent or "3"
	// is 3, "4" is 4. A handshake asking for anything else, or for a
	// revision not listed, gets 400 {"code":5,"message":"Unsupported
	// protocol version"}, as engine.io 6.x answers. Default {3, 4}: both,
	// as socket.io 4.x with allowEIO3.
	Protocols []int

	// PingInterval is the heartbeat period, announced to clients. Engine.IO
	// v3: the client pings that often. v4: the server pings that often.
	// Default 25s.
	PingInterval time.Duration
	// PingTimeout is announced to clients. Engine.IO v3: a session from which
	// nothing arrives for PingInterval+PingTimeout is closed. v4: a session
	// that does not answer a ping within PingTimeout is closed. Default 20s.
	PingTimeout time.Duration
	// UpgradeTimeout bounds a websocket upgrade from the probe to the
	// upgrade packet. Default 10s.
	UpgradeTimeout time.Duration
	// CloseTimeout bounds how long an orderly close over polling waits for
	// the client to fetch what is still queued. Default 30s.
	CloseTimeout time.Duration

	// MaxBufferSize is the largest POST body and websocket frame accepted, in
	// bytes (maxHttpBufferSize); Engine.IO v4 sessions are told it in the
	// open packet's maxPayload. A larger one closes the session with
	// ReasonTransportError: a POST gets 413 {"code":3,"message":"Payload too
	// large"}, a websocket the close code 1009. Default 1e6, engine.io
	// 3.6.2's.
	MaxBufferSize int64

	// SendQueueSize bounds the packets queued for one session that its peer
	// has not taken yet. A session whose queue overflows is closed, so a peer
	// that stops reading never makes the server hold unbounded memory.
	// Default 4096.
	SendQueueSize int
	// WriteTimeout bounds one write to a peer, a websocket frame or a
	// polling response; when it passes, the session is closed with
	// ReasonTransportError. Default 10s.
	WriteTimeout time.Duration
	// MinWriteInterval is the least time between two writes to one
	// websocket: what is queued for it meanwhile waits and goes out in the
	// next write, together. The first message after a quiet spell goes out
	// at once; later ones wait at most this long. Default 0, the adaptive
	// policy, which needs no tuning: a message to an idle websocket is
	// written at once, and only what queues while the server's writers are
	// behind is batched, so batches grow with the load (see BENCHMARKS.md).
	// Set it to cap the writes per websocket whatever the load.
	MinWriteInterval time.Duration

	// DisableEpoll makes every idle websocket session wait for its next
	// message on a goroutine of its own, as it does on systems other than
	// Linux and over TLS, instead of in an epoll set the server shares
	// between sessions, which costs an idle session no goroutine (about
	// 2 KiB less memory each; see BENCHMARKS.md). Set it where epoll
	// misbehaves (some sandboxes), or to see each session's reader in
	// goroutine dumps. Default false: on Linux, idle sessions wait in epoll.
	DisableEpoll bool

	// Transports lists the transports clients may use, out of Polling and
	// WebSocket. Default both.
	Transports []string
	// DisableUpgrades stops offering the upgrade from polling to websocket.
	DisableUpgrades bool

	// CookieName is the name of the cookie holding the session id on polling
	// responses. Default "io". DisableCookie turns the cookie off.
	CookieName    string
	DisableCookie bool

	// AllowedOrigins lists the origins that may connect, as socket.io 2.x's
	// "origins" option does: "https://example.com:443", "example.com:*",
	// "*:8080", or "*". Nil allows every origin (the socket.io 2.x default);
	// a refused origin gets 403 with code 4.
	AllowedOrigins []string
	// AllowRequest, if set, is called for every handshake; a non-nil error
	// refuses it: a *RequestError chooses the status and message, any other
	// error gives 403 {"code":4,"message":err.Error()}.
	AllowRequest func(r *http.Request) error

	// CompressionThreshold is the size in bytes above which polling
	// responses are compressed, when the client accepts gzip or deflate.
	// Default 1024. DisableCompression turns compression off.
	CompressionThreshold int
	DisableCompression   bool

	// Logger receives diagnostics. Default slog.Default().
	Logger *slog.Logger

	// Observer, if set, is told of every session's life and traffic, for
	// metrics (see Observer). Default nil: nothing is observed, at the cost
	// of a nil check.
	Observer Observer
}

// withDefaults returns a copy of o with every zero field set to its default.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if c.Path[len(c.Path)-1] != '/' {
		c.Path += "/"
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 20 * time.Second
	}
	if c.UpgradeTimeout <= 0 {
		c.UpgradeTimeout = 10 * time.Second
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = 30 * time.Second
	}
	if c.MaxBufferSize <= 0 {
		c.MaxBufferSize = 1e6
	}
	if c.SendQueueSize <= 0 {
		c.SendQueueSize = 4096
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if len(c.Protocols) == 0 {
		c.Protocols = []int{3, 4}
	}
	if len(c.Transports) == 0 {
		c.Transports = []string{Polling, WebSocket}
	}
	if c.CookieName == "" {
		c.CookieName = "io"
	}
	if c.CompressionThreshold <= 0 {
		c.CompressionThreshold = 1024
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
