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

	// Sharded makes the cluster use sharded pub/sub (SSUBSCRIBE and
	// SPUBLISH, Redis 7 and later): in a Redis Cluster each channel then
	// lives on the shard that owns its slot instead of being copied to
	// every node, so the load spreads over the shards. Every broadcast of a
	// namespace goes on its channel <Key>#<nsp># (sharded pub/sub has no
	// patterns), so nodes of one cluster must agree on Sharded; neither
	// socket.io-redis nor @socket.io/redis-adapter's plain adapter read it.
	// Default false: plain pub/sub, which every Redis has.
	Sharded bool

	// Protocol is the wire protocol the cluster speaks. Nodes of one
	// cluster must agree on it. Default ProtocolSocketIORedis5.
	Protocol Protocol
}

// Protocol names a wire protocol between the nodes of a cluster.
type Protocol int

const (
	// ProtocolSocketIORedis5 is the protocol of socket.io-redis 5.x, the
	// adapter of socket.io 2.x.
	ProtocolSocketIORedis5 Protocol = iota
	// ProtocolRedisAdapter8 is the protocol of @socket.io/redis-adapter
	// 8.x (createAdapter, not createShardedAdapter), the adapter of
	// socket.io 4.x: the same broadcasts, other requests (fetch sockets,
	// server-side emits, broadcasts with acks).
	ProtocolRedisAdapter8
)

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
	// stallTimeout bounds a broadcaster's wait for room in a full
	// publication queue (see enqueue).
	stallTimeout = 2 * time.Second
)

// Cluster is this node's membership in a socket.io-redis cluster: the
// subscription connections and the publishing client, shared by the
// Adapter of every namespace of one socketio.Server. Create it with New,
// pass its Adapter method as socketio.Options.Adapter, and Close it after
// the server has shut down.
type Cluster struct {
	client redis.UniversalClient
	opts   Options
	uid    string
	log    *slog.Logger
	queue  chan publication
	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	subs       []*subscription     // plain pub/sub: one; sharded: one per channel
	byPattern  map[string]*Adapter // broadcast pattern -> adapter
	byChannel  map[string]*Adapter // channels -> adapter
	wanted     map[string]bool     // channels and patterns subscribed to
	confirmed  map[string]bool     // ... and confirmed by Redis on their connection
	confirmedC chan struct{}       // closed (and replaced) when confirmed grows
	lost       bool                // a subscription failed and is not restored yet

	failing atomic.Bool  // the last publication to Redis failed
	dropped atomic.Int64 // publications dropped since the last report
}

// subscription is one subscribed connection and what it subscribes to.
type subscription struct {
	ps      *redis.PubSub
	names   []string // channels and patterns, guarded by Cluster.mu
	started sync.Once
}

type publication struct {
	channel string
	payload []byte
}

// New returns the cluster membership of one server, using client to reach
// Redis: a *redis.Client for one server, a *redis.ClusterClient for a Redis
// Cluster, or a failover client (redis.NewFailoverClient) for a master
// watched by Sentinels; redis.NewUniversalClient picks among them. client
// stays the caller's: Close does not close it. New does not wait for
// Redis: the subscription is made in the background and retried until
// Redis answers (see Ready), as socket.io-redis does.
func New(client redis.UniversalClient, opts *Options) *Cluster {
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
	c.wg.Add(1)
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
	if c.byChannel[a.channel] != nil {
		c.mu.Unlock()
		panic("redisadapter: namespace " + nsp.Name() + " already has an adapter in this Cluster; use one Cluster per Server")
	}
	channels := a.channels()
	if !c.opts.Sharded {
		c.byPattern[a.pattern] = a
		c.wanted[a.pattern] = true
	}
	c.byChannel[a.channel] = a
	for _, ch := range channels {
		c.byChannel[ch] = a
		c.wanted[ch] = true
	}
	var subs []*subscription
	switch {
	case c.opts.Sharded:
		// A connection holds the shard channels of one slot only.
		for _, ch := range append([]string{a.channel}, channels...) {
			c.wanted[ch] = true
			s := &subscription{ps: c.client.SSubscribe(c.ctx), names: []string{ch}}
			c.subs = append(c.subs, s)
			subs = append(subs, s)
		}
	case len(c.subs) == 0:
		c.subs = []*subscription{{ps: c.client.Subscribe(c.ctx)}}
		fallthrough
	default:
		c.subs[0].names = append(c.subs[0].names, a.pattern)
		c.subs[0].names = append(c.subs[0].names, channels...)
		subs = c.subs[:1]
	}
	c.mu.Unlock()
	// Not inline: Server.Of holds its lock while it creates the adapter,
	// and reaching Redis may take a dial timeout.
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		// Errors need no handling here: go-redis records the subscription
		// even when it cannot send it, and sends it on the next connection.
		if c.opts.Sharded {
			for _, s := range subs {
				s.ps.SSubscribe(c.ctx, s.names[0])
			}
		} else {
			// The first subscription picks the connection's node: in a
			// Redis Cluster, the master of the channel's slot, which is
			// where @socket.io/redis-adapter counts subscribers.
			subs[0].ps.Subscribe(c.ctx, channels...)
			subs[0].ps.PSubscribe(c.ctx, a.pattern)
		}
		for _, s := range subs {
			s.started.Do(func() {
				c.wg.Add(1)
				go c.receive(s)
			})
		}
	}()
	return a
}

// Ready waits until Redis has confirmed the subscriptions of every
// namespace created so far, so that publications of other nodes reach this
// one from then on, or until ctx ends.
func (c *Cluster) Ready(ctx context.Context) error {
	for {
		c.mu.Lock()
		ready := c.allConfirmed()
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

// allConfirmed reports whether every wanted subscription is confirmed;
// c.mu is held.
func (c *Cluster) allConfirmed() bool {
	for ch := range c.wanted {
		if !c.confirmed[ch] {
			return false
		}
	}
	return true
}

var errClosed = errors.New("redisadapter: cluster closed")

// ErrUnavailable is returned (wrapped) by a query made while this node's
// subscription to Redis is lost: the query fails at once instead of
// waiting for nodes it cannot reach. Sockets and Rooms return the local
// answer with it.
var ErrUnavailable = errors.New("redisadapter: Redis is unavailable")

// unavailable returns ErrUnavailable while a subscription is lost.
func (c *Cluster) unavailable() error {
	c.mu.Lock()
	lost := c.lost
	c.mu.Unlock()
	if lost {
		return ErrUnavailable
	}
	return nil
}

// Close stops the subscriptions and the publisher; publications still
// queued are dropped. It does not close the Redis client.
func (c *Cluster) Close() error {
	c.cancel()
	c.mu.Lock()
	subs := c.subs
	c.mu.Unlock()
	var errs []error
	for _, s := range subs {
		errs = append(errs, s.ps.Close())
	}
	c.wg.Wait()
	return errors.Join(errs...)
}

// receive reads subscription s until Close, restoring it whenever it
// breaks: go-redis reconnects and re-subscribes on the next Receive.
func (c *Cluster) receive(s *subscription) {
	defer c.wg.Done()
	failures := 0
	for c.ctx.Err() == nil {
		msg, err := s.ps.ReceiveTimeout(c.ctx, idlePing)
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				s.ps.Ping(c.ctx) // a failure shows on the next receive
				continue
			}
			c.subscriptionLost(s, err)
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
			if m.Pattern != "" || m.Channel == a.channel {
				a.onBroadcast(m.Channel, m.Payload)
			} else {
				a.onRequestChannel(m.Channel, m.Payload)
			}
		}
	}
}

func (c *Cluster) subscriptionLost(s *subscription, err error) {
	c.mu.Lock()
	for _, name := range s.names {
		delete(c.confirmed, name)
	}
	first := !c.lost
	c.lost = true
	c.mu.Unlock()
	if first {
		c.log.Error("redisadapter: lost the Redis subscription; serving local clients only until it is back", "err", err)
	}
}

func (c *Cluster) subscribed(m *redis.Subscription) {
	if m.Kind != "subscribe" && m.Kind != "psubscribe" && m.Kind != "ssubscribe" {
		return
	}
	c.mu.Lock()
	c.confirmed[m.Channel] = true
	close(c.confirmedC)
	c.confirmedC = make(chan struct{})
	restored := c.lost && c.allConfirmed()
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
// publication (and counts it) instead of waiting. A queue that stays full
// for stallTimeout means that Redis takes nothing (hung, or a connection
// that died silently and that the client waits on): publishing then counts
// as failing until a pipeline goes through, so that no broadcaster waits
// longer than that.
func (c *Cluster) enqueue(channel string, payload []byte) {
	p := publication{channel, payload}
	select {
	case c.queue <- p:
		return
	default:
	}
	var stalled <-chan time.Time // made only when the queue is full
	for !c.failing.Load() {
		if stalled == nil {
			t := time.NewTimer(stallTimeout)
			defer t.Stop()
			stalled = t.C
		}
		select {
		case c.queue <- p:
			return
		case <-c.ctx.Done():
			return
		case <-stalled:
			if !c.failing.Swap(true) {
				c.log.Error("redisadapter: publishing to Redis stalled; broadcasts to other nodes are dropped until it takes them again", "waited", stallTimeout)
			}
		case <-time.After(100 * time.Millisecond): // look at failing again
		}
	}
	c.dropped.Add(1)
}

// publishNow publishes one message at once, bypassing the queue (a
// request, whose answers its caller waits for).
func (c *Cluster) publishNow(ctx context.Context, channel string, payload []byte) error {
	if c.opts.Sharded {
		return c.client.SPublish(ctx, channel, payload).Err()
	}
	return c.client.Publish(ctx, channel, payload).Err()
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
				if c.opts.Sharded {
					pipe.SPublish(c.ctx, p.channel, p.payload)
				} else {
					pipe.Publish(c.ctx, p.channel, p.payload)
				}
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
