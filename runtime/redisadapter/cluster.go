package redisadapter

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/runtime/socketio"
)

// Options configure a Cluster. The zero value of every field selects the
// default of socket.io-redis 5.x where it has one, stated on the field.
type Options struct {
	// Key prefixes every channel: <Key>#<nsp>#[<room>#] for broadcasts,
	// <Key>-request#<nsp># and <Key>-response#<nsp># for queries. Nodes
	// share a cluster when they share Redis and Key. Default "socket.io".
	Key string

	// RequestsTimeout bounds how long a query (sockets, rooms, remote join,
	// leave, disconnect, custom request) waits for the other nodes when its
	// context allows longer. Default 5s.
	RequestsTimeout time.Duration

	// PublishQueueSize bounds the publications (broadcasts and answers to
	// other nodes' queries) waiting to be sent to Redis by the publisher,
	// which sends them in order, pipelined. A broadcast that finds the queue
	// full waits for room while Redis works (a burst goes at the pace of
	// Redis); while publishing to Redis fails, publications are dropped
	// instead, and counted in the log. Local delivery never waits: it
	// happens first. Default 4096.
	PublishQueueSize int

	// Logger receives the loss and recovery of Redis and undecodable
	// publications. Default slog.Default().
	Logger *slog.Logger
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Key == "" {
		c.Key = "socket.io"
	}
	if c.RequestsTimeout <= 0 {
		c.RequestsTimeout = 5 * time.Second
	}
	if c.PublishQueueSize <= 0 {
		c.PublishQueueSize = 4096
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Delays between attempts to restore the subscription while Redis is
// unreachable: doubling from the first to the last.
const (
	retryDelayMin = 50 * time.Millisecond
	retryDelayMax = time.Second
	// idlePing is how long the subscription may stay silent before it is
	// pinged, so that a connection that died quietly is noticed.
	idlePing = 15 * time.Second
	// publishBatch bounds the publications sent in one pipeline.
	publishBatch = 256
)

// Cluster is this node's membership in a socket.io-redis cluster: one
// subscription connection and the publishing client, shared by the Adapter
// of every namespace of one socketio.Server. Create it with New, pass its
// Adapter method as socketio.Options.Adapter, and Close it after the
// server has shut down.
type Cluster struct {
	client *redis.Client
	opts   Options
	uid    string
	log    *slog.Logger
	ps     *redis.PubSub
	queue  chan publication
	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	byPattern  map[string]*Adapter // broadcast pattern -> adapter
	byChannel  map[string]*Adapter // request and response channels -> adapter
	wanted     map[string]bool     // channels and patterns subscribed to
	confirmed  map[string]bool     // ... and confirmed by Redis on this connection
	confirmedC chan struct{}       // closed (and replaced) when confirmed grows
	lost       bool                // the subscription failed and is not restored yet

	failing atomic.Bool  // the last publication to Redis failed
	dropped atomic.Int64 // publications dropped since the last report
}

type publication struct {
	channel string
	payload []byte
}

// New returns the cluster membership of one server, using client to reach
// Redis. client stays the caller's: Close does not close it. New does not
// wait for Redis: the subscription is made in the background and retried
// until Redis answers (see Ready), as socket.io-redis does.
func New(client *redis.Client, opts *Options) *Cluster {
	c := &Cluster{
		client:     client,
		opts:       opts.withDefaults(),
		uid:        randomID(6),
		byPattern:  make(map[string]*Adapter),
		byChannel:  make(map[string]*Adapter),
		wanted:     make(map[string]bool),
		confirmed:  make(map[string]bool),
		confirmedC: make(chan struct{}),
	}
	c.log = c.opts.Logger
	c.queue = make(chan publication, c.opts.PublishQueueSize)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	// An empty subscription opens no connection; receive does, and
	// go-redis re-subscribes everything on every new connection.
	c.ps = client.Subscribe(c.ctx)
	c.wg.Add(2)
	go c.receive()
	go c.publish()
	return c
}

// UID returns the random id that marks this node's publications, which
// the node itself ignores (socket.io-redis's uid).
func (c *Cluster) UID() string { return c.uid }

// Adapter returns the adapter of nsp; its signature is that of
// socketio.Options.Adapter. It subscribes to the namespace's channels in
// the background. A Cluster serves one Server: a second adapter for the
// same namespace name panics.
func (c *Cluster) Adapter(nsp *socketio.Namespace) socketio.Adapter {
	a := newAdapter(c, nsp)
	c.mu.Lock()
	if c.byPattern[a.pattern] != nil {
		c.mu.Unlock()
		panic("redisadapter: namespace " + nsp.Name() + " already has an adapter in this Cluster; use one Cluster per Server")
	}
	c.byPattern[a.pattern] = a
	c.byChannel[a.requestChannel] = a
	c.byChannel[a.responseChannel] = a
	for _, ch := range []string{a.pattern, a.requestChannel, a.responseChannel} {
		c.wanted[ch] = true
	}
	c.mu.Unlock()
	// Not inline: Server.Of holds its lock while it creates the adapter,
	// and reaching Redis may take a dial timeout.
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		// Errors need no handling here: go-redis records the subscription
		// even when it cannot send it, and sends it on the next connection.
		c.ps.PSubscribe(c.ctx, a.pattern)
		c.ps.Subscribe(c.ctx, a.requestChannel, a.responseChannel)
	}()
	return a
}

// Ready waits until Redis has confirmed the subscriptions of every
// namespace created so far, so that publications of other nodes reach this
// one from then on, or until ctx ends.
func (c *Cluster) Ready(ctx context.Context) error {
	for {
		c.mu.Lock()
		ready := len(c.confirmed) >= len(c.wanted)
		if ready {
			for ch := range c.wanted {
				if !c.confirmed[ch] {
					ready = false
					break
				}
			}
		}
		wait := c.confirmedC
		c.mu.Unlock()
		if ready {
			return nil
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return fmt.Errorf("redisadapter: not subscribed to Redis: %w", ctx.Err())
		case <-c.ctx.Done():
			return errClosed
		}
	}
}

var errClosed = errors.New("redisadapter: cluster closed")

// Close stops the subscription and the publisher; publications still
// queued are dropped. It does not close the Redis client.
func (c *Cluster) Close() error {
	c.cancel()
	err := c.ps.Close()
	c.wg.Wait()
	return err
}

// receive reads the subscription until Close, restoring it whenever it
// breaks: go-redis reconnects and re-subscribes on the next Receive.
func (c *Cluster) receive() {
	defer c.wg.Done()
	failures := 0
	for c.ctx.Err() == nil {
		msg, err := c.ps.ReceiveTimeout(c.ctx, idlePing)
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.ps.Ping(c.ctx) // a failure shows on the next receive
				continue
			}
			c.subscriptionLost(err)
			delay := min(retryDelayMin<<min(failures, 10), retryDelayMax)
			failures++
			select {
			case <-time.After(delay):
			case <-c.ctx.Done():
				return
			}
			continue
		}
		failures = 0
		switch m := msg.(type) {
		case *redis.Subscription:
			c.subscribed(m)
		case *redis.Message:
			c.mu.Lock()
			var a *Adapter
			if m.Pattern != "" {
				a = c.byPattern[m.Pattern]
			} else {
				a = c.byChannel[m.Channel]
			}
			c.mu.Unlock()
			if a == nil {
				continue
			}
			if m.Pattern != "" {
				a.onBroadcast(m.Channel, m.Payload)
			} else {
				a.onRequestChannel(m.Channel, m.Payload)
			}
		}
	}
}

func (c *Cluster) subscriptionLost(err error) {
	c.mu.Lock()
	clear(c.confirmed)
	first := !c.lost
	c.lost = true
	c.mu.Unlock()
	if first {
		c.log.Error("redisadapter: lost the Redis subscription; serving local clients only until it is back", "err", err)
	}
}

func (c *Cluster) subscribed(m *redis.Subscription) {
	if m.Kind != "subscribe" && m.Kind != "psubscribe" {
		return
	}
	c.mu.Lock()
	c.confirmed[m.Channel] = true
	close(c.confirmedC)
	c.confirmedC = make(chan struct{})
	restored := c.lost
	for ch := range c.wanted {
		if !c.confirmed[ch] {
			restored = false
		}
	}
	if restored {
		c.lost = false
	}
	c.mu.Unlock()
	if restored {
		c.log.Info("redisadapter: Redis subscription restored")
	}
}

// enqueue hands a publication to the publisher. When the queue is full
// and Redis works, it waits for room, so that a burst is slowed down to
// the pace of Redis rather than lost; while publishing fails, it drops the
// publication (and counts it) instead of waiting.
func (c *Cluster) enqueue(channel string, payload []byte) {
	p := publication{channel, payload}
	select {
	case c.queue <- p:
		return
	default:
	}
	for !c.failing.Load() {
		select {
		case c.queue <- p:
			return
		case <-c.ctx.Done():
			return
		case <-time.After(100 * time.Millisecond): // look at failing again
		}
	}
	c.dropped.Add(1)
}

// publish sends queued publications in order, in pipelines of what has
// accumulated, until Close.
func (c *Cluster) publish() {
	defer c.wg.Done()
	batch := make([]publication, 0, publishBatch)
	for {
		select {
		case p := <-c.queue:
			batch = append(batch[:0], p)
		case <-c.ctx.Done():
			return
		}
	fill:
		for len(batch) < publishBatch {
			select {
			case p := <-c.queue:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		_, err := c.client.Pipelined(c.ctx, func(pipe redis.Pipeliner) error {
			for _, p := range batch {
				pipe.Publish(c.ctx, p.channel, p.payload)
			}
			return nil
		})
		if c.ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			c.dropped.Add(int64(len(batch)))
			if !c.failing.Swap(true) {
				c.log.Error("redisadapter: publishing to Redis failed; broadcasts to other nodes are dropped until it is back", "err", err)
			}
		case c.failing.Swap(false):
			c.log.Info("redisadapter: publishing to Redis again", "dropped", c.dropped.Swap(0))
		}
		clear(batch) // let the payloads go
	}
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns n random letters and digits, as uid2 does.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return string(b)
}
