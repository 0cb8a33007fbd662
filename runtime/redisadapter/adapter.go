package redisadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/runtime/socketio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// Request types of socket.io-redis 5.x.
const (
	requestClients          = 0
	requestClientRooms      = 1
	requestAllRooms         = 2
	requestRemoteJoin       = 3
	requestRemoteLeave      = 4
	requestCustom           = 5
	requestRemoteDisconnect = 6
)

// ErrTimeout is returned (wrapped) by a query when Options.RequestsTimeout
// passed before every node answered. The queries that gather answers
// (Sockets, Rooms, CustomRequest) return what they gathered with it.
var ErrTimeout = errors.New("redisadapter: timeout waiting for other nodes")

// ErrNotSubscribed is returned by a query that every node should answer
// when Redis counts no subscriber of the request channel, not even this
// node (its subscription is being restored); Sockets and Rooms return the
// local answer with it.
var ErrNotSubscribed = errors.New("redisadapter: not subscribed to Redis")

// Adapter is the socketio.Adapter of one namespace in a socket.io-redis
// cluster. Rooms of local sockets are kept by the embedded MemoryAdapter;
// broadcasts are delivered locally and published for the other nodes;
// queries go to every node through Redis. Get it from a socket's namespace:
//
//	a := nsp.Adapter().(*redisadapter.Adapter)
type Adapter struct {
	*socketio.MemoryAdapter
	c   *Cluster
	nsp *socketio.Namespace

	channel         string // <key>#<nsp>#: broadcasts; rooms append <room>#
	pattern         string // channel + "*"
	requestChannel  string
	responseChannel string
	ownResponses    string // ProtocolRedisAdapter8: <response channel><uid>#

	mu       sync.Mutex
	requests map[string]*pendingRequest
	hook     func(data json.RawMessage) any
	sse      ServerSideEmitHandler
}

func newAdapter(c *Cluster, nsp *socketio.Namespace) *Adapter {
	key, name := c.opts.Key, nsp.Name()
	a := &Adapter{
		MemoryAdapter:   socketio.NewMemoryAdapter(nsp),
		c:               c,
		nsp:             nsp,
		channel:         key + "#" + name + "#",
		requestChannel:  key + "-request#" + name + "#",
		responseChannel: key + "-response#" + name + "#",
		requests:        make(map[string]*pendingRequest),
	}
	a.pattern = a.channel + "*"
	a.ownResponses = a.responseChannel + c.uid + "#"
	return a
}

// channels returns the channels of the adapter's requests and answers.
func (a *Adapter) channels() []string {
	if a.v8() {
		// A node of @socket.io/redis-adapter may answer on the
		// requester's own channel (publishOnSpecificResponseChannel).
		return []string{a.requestChannel, a.responseChannel, a.ownResponses}
	}
	return []string{a.requestChannel, a.responseChannel}
}

// numSub counts the subscribers of the request channel: the nodes of the
// cluster. In a Redis Cluster each node counts the subscriptions of its own
// connections, so the counts of every node are added up.
func (a *Adapter) numSub(ctx context.Context) (int64, error) {
	count := func(ctx context.Context, c redis.UniversalClient) (int64, error) {
		var n map[string]int64
		var err error
		if a.c.opts.Sharded {
			n, err = c.PubSubShardNumSub(ctx, a.requestChannel).Result()
		} else {
			n, err = c.PubSubNumSub(ctx, a.requestChannel).Result()
		}
		return n[a.requestChannel], err
	}
	cc, ok := a.c.client.(*redis.ClusterClient)
	if !ok {
		return count(ctx, a.c.client)
	}
	var total atomic.Int64
	err := cc.ForEachShard(ctx, func(ctx context.Context, node *redis.Client) error {
		n, err := count(ctx, node)
		total.Add(n)
		return err
	})
	return total.Load(), err
}

// Broadcast implements socketio.Adapter: the local sockets get p at once,
// then unless opts.Local it is queued for publication to the other nodes
// (on the room's own channel when it targets exactly one room, as
// socket.io-redis does; see Options.PublishQueueSize).
// A node running socket.io treats opts.Except as socket ids, not rooms.
func (a *Adapter) Broadcast(p *codec.Packet, opts socketio.BroadcastOptions) error {
	err := a.MemoryAdapter.Broadcast(p, opts)
	if opts.Local {
		return err
	}
	msg, encErr := encodeBroadcast(a.c.uid, p, a.nsp.Name(), opts, a.v8())
	if encErr != nil {
		return errors.Join(err, encErr)
	}
	ch := a.channel
	if len(opts.Rooms) == 1 && !a.c.opts.Sharded {
		ch += opts.Rooms[0] + "#"
	}
	a.c.enqueue(ch, msg)
	return err
}

// onBroadcast delivers another node's publication to the local sockets it
// targets.
func (a *Adapter) onBroadcast(channel, payload string) {
	if len(channel) < len(a.channel) || channel[:len(a.channel)] != a.channel {
		return
	}
	if room := channel[len(a.channel):max(len(a.channel), len(channel)-1)]; room != "" && !a.HasRoom(room) {
		return // nobody here is in the room: skip decoding
	}
	m, err := decodeBroadcast(payload, a.c.uid)
	if err != nil {
		a.c.log.Warn("redisadapter: undecodable publication", "channel", channel, "err", err)
		return
	}
	if m == nil || m.packet.Namespace != a.nsp.Name() {
		return // this node's own, or another namespace's
	}
	m.opts.Local = true
	a.MemoryAdapter.Broadcast(m.packet, m.opts)
}

// Sockets implements socketio.Adapter: the ids of the sockets in any of
// rooms (all when none are given) on every node, sorted. When a node does
// not answer in time, the ids gathered are returned with ErrTimeout.
func (a *Adapter) Sockets(ctx context.Context, rooms []string) ([]string, error) {
	if rooms == nil {
		rooms = []string{}
	}
	if a.v8() {
		local := a.Targets(socketio.BroadcastOptions{Rooms: rooms})
		r, err := a.request8(ctx, request8Sockets, map[string]any{"rooms": rooms}, "")
		return a.withLocal(r, local), err
	}
	req := map[string]any{"type": requestClients, "rooms": rooms}
	r, err := a.gather(ctx, requestClients, req)
	if errors.Is(err, ErrNotSubscribed) || errors.Is(err, ErrUnavailable) {
		local, _ := a.MemoryAdapter.Sockets(ctx, rooms)
		return local, err
	}
	return r.sortedSet(), err
}

// Rooms implements socketio.Adapter: every room with a socket on any node,
// sorted, socket ids included (each socket is in a room of its own). When
// a node does not answer in time, the rooms gathered are returned with
// ErrTimeout.
func (a *Adapter) Rooms(ctx context.Context) ([]string, error) {
	if a.v8() {
		local, _ := a.MemoryAdapter.Rooms(ctx)
		r, err := a.request8(ctx, request8AllRooms, map[string]any{}, "")
		return a.withLocal(r, local), err
	}
	r, err := a.gather(ctx, requestAllRooms, map[string]any{"type": requestAllRooms})
	if errors.Is(err, ErrNotSubscribed) || errors.Is(err, ErrUnavailable) {
		local, _ := a.MemoryAdapter.Rooms(ctx)
		return local, err
	}
	return r.sortedSet(), err
}

// withLocal returns the union of local and what r gathered, sorted.
func (a *Adapter) withLocal(r *pendingRequest, local []string) []string {
	set := map[string]struct{}{}
	for _, s := range local {
		set[s] = struct{}{}
	}
	if r != nil {
		a.mu.Lock()
		for s := range r.set {
			set[s] = struct{}{}
		}
		a.mu.Unlock()
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// CustomRequest sends data (JSON-encodable, without binary) to every node
// and returns the answers of their custom hooks (see SetCustomHook), this
// node's included, in arrival order. When a node does not answer in time,
// the answers gathered are returned with ErrTimeout.
//
// @socket.io/redis-adapter 8.x has no custom requests: with
// ProtocolRedisAdapter8, use ServerSideEmitWithAck.
func (a *Adapter) CustomRequest(ctx context.Context, data any) ([]json.RawMessage, error) {
	if a.v8() {
		return nil, errors.New("redisadapter: @socket.io/redis-adapter 8.x has no custom requests; use ServerSideEmitWithAck")
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("redisadapter: custom request: %w", err)
	}
	r, err := a.gather(ctx, requestCustom, map[string]any{"type": requestCustom, "data": json.RawMessage(raw)})
	if r == nil {
		return nil, err
	}
	return r.replies, err
}

// SetCustomHook sets the function that answers the custom requests of any
// node (socket.io-redis's customHook); its result is sent as JSON. The
// default answers null.
func (a *Adapter) SetCustomHook(fn func(data json.RawMessage) any) {
	a.mu.Lock()
	a.hook = fn
	a.mu.Unlock()
}

// SocketRoomsOf returns the rooms of the socket id wherever it is connected
// (socket.io-redis's clientRooms).
func (a *Adapter) SocketRoomsOf(ctx context.Context, id string) ([]string, error) {
	if a.nsp.Socket(id) != nil {
		return a.SocketRooms(id), nil
	}
	if a.v8() { // 8.x has no such request: fetch the socket (its own room)
		sockets, err := a.FetchSockets(ctx, socketio.BroadcastOptions{Rooms: []string{id}})
		for _, s := range sockets {
			if s.ID == id {
				return s.Rooms, nil
			}
		}
		if err == nil {
			err = fmt.Errorf("redisadapter: rooms of %s: %w", id, socketio.ErrUnknownSocket)
		}
		return nil, err
	}
	r, err := a.one(ctx, requestClientRooms, map[string]any{"type": requestClientRooms, "sid": id}, id)
	if err != nil {
		return nil, err
	}
	return r.rooms, nil
}

// RemoteJoin implements socketio.Adapter: the socket id joins room on
// whichever node it is connected to. Nodes stay silent about sockets they
// do not have, so an unknown id takes until ctx ends or RequestsTimeout
// passes; the error then wraps ErrTimeout and socketio.ErrUnknownSocket.
func (a *Adapter) RemoteJoin(ctx context.Context, id, room string) error {
	if s := a.nsp.Socket(id); s != nil {
		s.Join(room)
		return nil
	}
	if a.v8() {
		_, err := a.request8(ctx, request8RemoteJoin, map[string]any{"sid": id, "room": room}, id)
		return err
	}
	_, err := a.one(ctx, requestRemoteJoin, map[string]any{"type": requestRemoteJoin, "sid": id, "room": room}, id)
	return err
}

// RemoteLeave implements socketio.Adapter, as RemoteJoin.
func (a *Adapter) RemoteLeave(ctx context.Context, id, room string) error {
	if s := a.nsp.Socket(id); s != nil {
		s.Leave(room)
		return nil
	}
	if a.v8() {
		_, err := a.request8(ctx, request8RemoteLeave, map[string]any{"sid": id, "room": room}, id)
		return err
	}
	_, err := a.one(ctx, requestRemoteLeave, map[string]any{"type": requestRemoteLeave, "sid": id, "room": room}, id)
	return err
}

// RemoteDisconnect implements socketio.Adapter, as RemoteJoin.
func (a *Adapter) RemoteDisconnect(ctx context.Context, id string, closeConn bool) error {
	if s := a.nsp.Socket(id); s != nil {
		s.Disconnect(closeConn)
		return nil
	}
	if a.v8() {
		_, err := a.request8(ctx, request8RemoteDisconnect, map[string]any{"sid": id, "close": closeConn}, id)
		return err
	}
	_, err := a.one(ctx, requestRemoteDisconnect, map[string]any{"type": requestRemoteDisconnect, "sid": id, "close": closeConn}, id)
	return err
}

// Close implements socketio.Adapter. The Redis connections belong to the
// Cluster; Cluster.Close releases them.
func (a *Adapter) Close() error { return nil }

// pendingRequest is a query of this node waiting for answers.
type pendingRequest struct {
	typ     int
	want    int // answers expected: the subscribers of the request channel
	got     int
	set     map[string]struct{}
	rooms   []string
	replies []json.RawMessage
	done    chan struct{} // closed when complete

	// A broadcast with acks (ProtocolRedisAdapter8): want counts the
	// clients asked, servers the other nodes (-1 until known), counted
	// those that told how many clients they asked.
	servers, counted int
	acks             []*socketio.Args

	remote *remoteAcks // a broadcast with acks, ProtocolSocketIORedis
}

func (r *pendingRequest) sortedSet() []string {
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.set))
	for s := range r.set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// gather sends a query that every node answers, this one included, and
// collects the answers of as many nodes as subscribe to the request
// channel (socket.io-redis counts them with PUBSUB NUMSUB).
func (a *Adapter) gather(ctx context.Context, typ int, req map[string]any) (*pendingRequest, error) {
	if err := a.c.unavailable(); err != nil {
		return nil, fmt.Errorf("redisadapter: %s: %w", requestName(typ, ""), err)
	}
	n, err := a.numSub(ctx)
	if err != nil {
		return nil, fmt.Errorf("redisadapter: count nodes: %w", err)
	}
	if n == 0 {
		return nil, ErrNotSubscribed
	}
	r := &pendingRequest{typ: typ, want: int(n), set: make(map[string]struct{}), done: make(chan struct{})}
	return r, a.send5(ctx, r, req, "")
}

// one sends a query that only the node holding socket id answers.
func (a *Adapter) one(ctx context.Context, typ int, req map[string]any, id string) (*pendingRequest, error) {
	if err := a.c.unavailable(); err != nil {
		return nil, fmt.Errorf("redisadapter: %s: %w", requestName(typ, id), err)
	}
	r := &pendingRequest{typ: typ, want: 1, done: make(chan struct{})}
	return r, a.send5(ctx, r, req, id)
}

// send5 sends a request of socket.io-redis 5.x.
func (a *Adapter) send5(ctx context.Context, r *pendingRequest, req map[string]any, id string) error {
	reqID := randomID(12)
	req["requestid"] = reqID
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("redisadapter: encode request: %w", err)
	}
	return a.send(ctx, r, reqID, body, requestName(r.typ, id), id)
}

// send publishes the request body, whose id is reqID, and waits for r to
// complete, for ctx to end or for RequestsTimeout. name and id (of a
// socket, or "") describe it in errors.
func (a *Adapter) send(ctx context.Context, r *pendingRequest, reqID string, body []byte, name, id string) error {
	a.mu.Lock()
	a.requests[reqID] = r
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		delete(a.requests, reqID)
		a.mu.Unlock()
	}()
	if err := a.c.publishNow(ctx, a.requestChannel, body); err != nil {
		return fmt.Errorf("redisadapter: send request: %w", err)
	}
	timer := time.NewTimer(a.c.opts.RequestsTimeout)
	defer timer.Stop()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("redisadapter: %s: %w", name, ctx.Err())
	case <-timer.C:
		if id != "" {
			return fmt.Errorf("redisadapter: %s: no node answered within %v: %w: %w", name, a.c.opts.RequestsTimeout, ErrTimeout, socketio.ErrUnknownSocket)
		}
		a.mu.Lock() // r is still written by onResponse until deleted
		got, want := r.got, r.want
		a.mu.Unlock()
		return fmt.Errorf("redisadapter: %s: %d of %d nodes answered within %v: %w", name, got, want, a.c.opts.RequestsTimeout, ErrTimeout)
	case <-a.c.ctx.Done():
		return errClosed
	}
}

// remoteOp is what another node asks of one of this node's sockets.
type remoteOp int

const (
	remoteJoin remoteOp = iota
	remoteLeave
	remoteDisconnect
)

// applyRemote does op to the local socket id (join or leave rooms, or
// disconnect, closing the connection when close is set), in either wire
// protocol. It reports whether the socket is here.
func (a *Adapter) applyRemote(id string, op remoteOp, rooms []string, close bool) bool {
	s := a.nsp.Socket(id)
	if s == nil {
		return false
	}
	switch op {
	case remoteJoin:
		s.Join(rooms...)
	case remoteLeave:
		s.Leave(rooms...)
	case remoteDisconnect:
		s.Disconnect(close)
	}
	return true
}

func requestName(typ int, id string) string {
	switch typ {
	case requestClients:
		return "sockets"
	case requestClientRooms:
		return "rooms of " + id
	case requestAllRooms:
		return "rooms"
	case requestRemoteJoin:
		return "remote join of " + id
	case requestRemoteLeave:
		return "remote leave of " + id
	case requestCustom:
		return "custom request"
	case requestRemoteDisconnect:
		return "remote disconnect of " + id
	}
	return "request"
}

// request is a query of any node, as socket.io-redis encodes it (JSON).
type request struct {
	RequestID string          `json:"requestid"`
	Type      int             `json:"type"`
	Rooms     []string        `json:"rooms"`
	SID       string          `json:"sid"`
	Room      string          `json:"room"`
	Close     bool            `json:"close"`
	Data      json.RawMessage `json:"data"`
}

func (a *Adapter) onRequestChannel(channel, payload string) {
	if a.v8() {
		switch channel {
		case a.responseChannel, a.ownResponses:
			a.onResponse8(payload)
		case a.requestChannel:
			a.onRequest8(payload)
		}
		return
	}
	switch channel {
	case a.responseChannel:
		a.onResponse(payload)
	case a.requestChannel:
		a.onRequest(payload)
	}
}

// onRequest answers a query of any node, this one included, as
// socket.io-redis 5.x does: a node without the socket in question stays
// silent.
func (a *Adapter) onRequest(payload string) {
	var req request
	if err := json.Unmarshal([]byte(payload), &req); err != nil {
		a.c.log.Warn("redisadapter: undecodable request", "channel", a.requestChannel, "err", err)
		return
	}
	answer := map[string]any{"requestid": req.RequestID}
	switch req.Type {
	case requestClients:
		answer["clients"] = nonNil(a.Targets(socketio.BroadcastOptions{Rooms: req.Rooms}))
	case requestClientRooms:
		if a.nsp.Socket(req.SID) == nil {
			return
		}
		answer["rooms"] = nonNil(a.SocketRooms(req.SID))
	case requestAllRooms:
		rooms, _ := a.MemoryAdapter.Rooms(context.Background())
		answer["rooms"] = nonNil(rooms)
	case requestRemoteJoin:
		if !a.applyRemote(req.SID, remoteJoin, []string{req.Room}, false) {
			return
		}
	case requestRemoteLeave:
		if !a.applyRemote(req.SID, remoteLeave, []string{req.Room}, false) {
			return
		}
	case requestRemoteDisconnect:
		if !a.applyRemote(req.SID, remoteDisconnect, nil, req.Close) {
			return
		}
	case requestBroadcastWithAck:
		a.onBroadcastWithAck5(payload)
		return
	case requestCustom:
		a.mu.Lock()
		hook := a.hook
		a.mu.Unlock()
		var out any
		if hook != nil {
			out = a.runHook(hook, req.Data)
		}
		answer["data"] = out
	default:
		return
	}
	body, err := json.Marshal(answer)
	if err != nil {
		a.c.log.Error("redisadapter: encode answer", "err", err)
		body, _ = json.Marshal(map[string]any{"requestid": req.RequestID, "data": nil})
	}
	a.c.enqueue(a.responseChannel, body)
}

// runHook calls the custom hook, recovering a panic as a null answer.
func (a *Adapter) runHook(hook func(json.RawMessage) any, data json.RawMessage) (out any) {
	defer func() {
		if r := recover(); r != nil {
			a.c.log.Error("redisadapter: panic in custom hook", "panic", r)
			out = nil
		}
	}()
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	return hook(data)
}

// nonNil keeps lists in answers from being null: socket.io-redis does not
// count an answer whose list is missing, and would wait for its timeout.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// onResponse records an answer to one of this node's queries.
func (a *Adapter) onResponse(payload string) {
	var res struct {
		RequestID string          `json:"requestid"`
		Clients   []string        `json:"clients"`
		Rooms     []string        `json:"rooms"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(payload), &res); err != nil {
		a.c.log.Warn("redisadapter: undecodable answer", "channel", a.responseChannel, "err", err)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.requests[res.RequestID]
	if r == nil || isClosed(r.done) {
		return
	}
	if r.remote != nil {
		a.onAckAnswer(r, payload)
		return
	}
	r.got++
	switch r.typ {
	case requestClients:
		for _, id := range res.Clients {
			r.set[id] = struct{}{}
		}
	case requestAllRooms:
		for _, room := range res.Rooms {
			r.set[room] = struct{}{}
		}
	case requestClientRooms:
		r.rooms = res.Rooms
	case requestCustom:
		data := res.Data
		if len(data) == 0 {
			data = json.RawMessage("null")
		}
		r.replies = append(r.replies, data)
	}
	if r.got >= r.want {
		close(r.done)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
