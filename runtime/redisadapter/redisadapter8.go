package redisadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/siogen/siogen/runtime/socketio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// The protocol of @socket.io/redis-adapter 8.x (ProtocolRedisAdapter8).
// Broadcasts are those of socket.io-redis 5.x. Requests go on the same
// request channel, as JSON (a broadcast with acks: msgpack) carrying the
// sender's uid and a requestId; answers go on the response channel, or on
// <response channel><uid># for a node that asks for it, as JSON (a client's
// ack: msgpack). A node ignores its own requests and answers for itself;
// one addressed to a socket id (sid) is answered only by its node.
const (
	request8Sockets          = 0
	request8AllRooms         = 1
	request8RemoteJoin       = 2
	request8RemoteLeave      = 3
	request8RemoteDisconnect = 4
	request8RemoteFetch      = 5
	request8ServerSideEmit   = 6
	request8Broadcast        = 7
	request8ClientCount      = 8
	request8BroadcastAck     = 9
)

// RemoteSocket is a socket of any node, as FetchSockets returns it.
type RemoteSocket struct {
	ID    string   `json:"id"`
	Rooms []string `json:"rooms"`
	// Handshake is socket.io 4.x's handshake object (headers, time,
	// address, xdomain, secure, issued, url, query, auth).
	Handshake json.RawMessage `json:"handshake"`
	// Data is socket.data on a socket.io 4.x node; a Go node sends {}.
	Data json.RawMessage `json:"data"`
}

// ServerSideEmitHandler receives the server-side emits of other nodes
// (socket.io 4.x's io.serverSideEmit): the event, its arguments as JSON,
// and ack, which answers the emitting node once (nil when it asked for no
// answer).
type ServerSideEmitHandler func(event string, args []json.RawMessage, ack func(answer any))

var errProtocol8 = errors.New("redisadapter: only the @socket.io/redis-adapter protocol (ProtocolRedisAdapter8) has this request")

func (a *Adapter) v8() bool { return a.c.opts.Protocol == ProtocolRedisAdapter8 }

// FetchSockets returns the sockets of every node that opts selects (its
// rooms, all sockets when none are given, and its Except rooms), with
// their rooms and handshakes (socket.io 4.x's fetchSockets). When a node
// does not answer in time, the sockets gathered are returned with
// ErrTimeout.
func (a *Adapter) FetchSockets(ctx context.Context, opts socketio.BroadcastOptions) ([]RemoteSocket, error) {
	local := a.localSockets(opts)
	if !a.v8() {
		return local, errProtocol8
	}
	r, err := a.request8(ctx, request8RemoteFetch, map[string]any{"opts": rawOpts(opts)}, "")
	if r != nil {
		a.mu.Lock()
		for _, raw := range r.replies {
			var s RemoteSocket
			if json.Unmarshal(raw, &s) == nil {
				local = append(local, s)
			}
		}
		a.mu.Unlock()
	}
	return local, err
}

// SocketsJoin makes the sockets opts selects, on every node, join rooms
// (socket.io 4.x's socketsJoin); SocketsLeave makes them leave, and
// DisconnectSockets disconnects them. Local sockets are done at once; the
// other nodes get a request that they do not answer.
func (a *Adapter) SocketsJoin(ctx context.Context, opts socketio.BroadcastOptions, rooms ...string) error {
	for _, id := range a.Targets(opts) {
		if s := a.nsp.Socket(id); s != nil {
			s.Join(rooms...)
		}
	}
	return a.notify8(ctx, request8RemoteJoin, map[string]any{"opts": rawOpts(opts), "rooms": nonNil(rooms)})
}

// SocketsLeave: see SocketsJoin.
func (a *Adapter) SocketsLeave(ctx context.Context, opts socketio.BroadcastOptions, rooms ...string) error {
	for _, id := range a.Targets(opts) {
		if s := a.nsp.Socket(id); s != nil {
			for _, room := range rooms {
				s.Leave(room)
			}
		}
	}
	return a.notify8(ctx, request8RemoteLeave, map[string]any{"opts": rawOpts(opts), "rooms": nonNil(rooms)})
}

// DisconnectSockets: see SocketsJoin.
func (a *Adapter) DisconnectSockets(ctx context.Context, opts socketio.BroadcastOptions, closeConn bool) error {
	for _, id := range a.Targets(opts) {
		if s := a.nsp.Socket(id); s != nil {
			s.Disconnect(closeConn)
		}
	}
	return a.notify8(ctx, request8RemoteDisconnect, map[string]any{"opts": rawOpts(opts), "close": closeConn})
}

// ServerSideEmit sends event with args (JSON, without binary) to the
// other nodes' server-side emit handlers (socket.io 4.x's
// io.serverSideEmit), asking for no answer.
func (a *Adapter) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	data, err := json.Marshal(append([]any{event}, args...))
	if err != nil {
		return fmt.Errorf("redisadapter: server-side emit: %w", err)
	}
	return a.notify8(ctx, request8ServerSideEmit, map[string]any{"data": json.RawMessage(data)})
}

// ServerSideEmitWithAck is ServerSideEmit asking every other node for an
// answer, and returns the answers (socket.io 4.x's serverSideEmitWithAck).
// When a node does not answer in time, the answers gathered are returned
// with ErrTimeout.
func (a *Adapter) ServerSideEmitWithAck(ctx context.Context, event string, args ...any) ([]json.RawMessage, error) {
	data, err := json.Marshal(append([]any{event}, args...))
	if err != nil {
		return nil, fmt.Errorf("redisadapter: server-side emit: %w", err)
	}
	r, err := a.request8(ctx, request8ServerSideEmit, map[string]any{"data": json.RawMessage(data)}, "")
	if r == nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]json.RawMessage{}, r.replies...), err
}

// OnServerSideEmit sets the handler of other nodes' server-side emits.
// Without one they are dropped (an emit asking for an answer gets none).
// The handler runs on the goroutine that reads the subscription, in the
// order the emits arrive, so it must not block: slow work belongs in a
// goroutine of its own, from which ack may be called.
func (a *Adapter) OnServerSideEmit(h ServerSideEmitHandler) {
	a.mu.Lock()
	a.sse = h
	a.mu.Unlock()
}

// BroadcastWithAck sends event with args to the sockets opts selects on
// every node, each asked for an ack, and returns the acks' arguments,
// one *socketio.Args per client that answered (socket.io 4.x's
// io.timeout(t).emitWithAck: the other nodes report their first
// argument). It waits until every client has answered, ctx ends or
// RequestsTimeout passes; then it returns what it gathered with ErrTimeout
// (or ctx's error).
//
// Long on purpose: the request, its local part and the wait share
// one lock-guarded request record; split, the locking would be harder to
// follow.
func (a *Adapter) BroadcastWithAck(ctx context.Context, opts socketio.BroadcastOptions, event string, args ...any) ([]*socketio.Args, error) {
	p := &codec.Packet{Type: codec.Event, Namespace: a.nsp.Name()}
	data, err := codec.AppendEvent(nil, event, args, &p.Attachments)
	if err != nil {
		return nil, fmt.Errorf("redisadapter: broadcast with ack: %w", err)
	}
	p.Data = data
	timeout := a.c.opts.RequestsTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Local clients first: each answer lands in r, under a.mu from here on.
	var sockets []*socketio.Socket
	for _, id := range a.Targets(opts) {
		if s := a.nsp.Socket(id); s != nil {
			sockets = append(sockets, s)
		}
	}
	r := &pendingRequest{typ: request8Broadcast, done: make(chan struct{}), servers: -1, want: len(sockets)}
	for _, s := range sockets {
		go func() {
			ack, err := s.EmitWithAck(ctx, event, args...)
			a.mu.Lock()
			defer a.mu.Unlock()
			if err != nil {
				r.want-- // gone or silent: nothing to wait for
			} else {
				r.acks = append(r.acks, ack)
			}
			r.complete()
		}()
	}
	var unavailable error // the local clients are still asked
	localOnly := func() {
		a.mu.Lock()
		r.servers = 0
		a.mu.Unlock()
	}
	if !a.v8() || opts.Local {
		localOnly()
	} else if unavailable = a.c.unavailable(); unavailable != nil {
		localOnly()
		unavailable = fmt.Errorf("redisadapter: broadcast with ack to other nodes: %w", unavailable)
	} else {
		n, err := a.numSub(ctx)
		if err != nil {
			return nil, fmt.Errorf("redisadapter: count nodes: %w", err)
		}
		reqID := randomID(6)
		body, err := encodeBroadcastRequest(a.c.uid, reqID, p, a.nsp.Name(), opts, timeout)
		if err != nil {
			return nil, err
		}
		a.mu.Lock()
		r.servers = max(int(n)-1, 0)
		a.requests[reqID] = r
		a.mu.Unlock()
		defer func() {
			a.mu.Lock()
			delete(a.requests, reqID)
			a.mu.Unlock()
		}()
		if err := a.c.publishNow(ctx, a.requestChannel, body); err != nil {
			return nil, fmt.Errorf("redisadapter: send broadcast with ack: %w", err)
		}
	}
	a.mu.Lock()
	r.complete()
	a.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
	case <-a.c.ctx.Done():
		return nil, errClosed
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]*socketio.Args{}, r.acks...)
	if !isClosed(r.done) {
		err := ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("redisadapter: broadcast with ack: %d acks of %d clients, %d of %d nodes counted: %w", len(r.acks), r.want, r.counted, r.servers, ErrTimeout)
		}
		return out, errors.Join(err, unavailable)
	}
	return out, unavailable
}

// complete closes r.done when a broadcast with acks has every node's count
// and every ack it counted; a.mu is held.
func (r *pendingRequest) complete() {
	if r.servers >= 0 && r.counted >= r.servers && len(r.acks) >= r.want && !isClosed(r.done) {
		close(r.done)
	}
}

// rawOpts is the opts object of a request: {rooms, except}.
func rawOpts(o socketio.BroadcastOptions) map[string]any {
	return map[string]any{"rooms": nonNil(o.Rooms), "except": nonNil(o.Except)}
}

// localSockets describes the local sockets opts selects.
func (a *Adapter) localSockets(opts socketio.BroadcastOptions) []RemoteSocket {
	var out []RemoteSocket
	for _, id := range a.Targets(opts) {
		s := a.nsp.Socket(id)
		if s == nil {
			continue
		}
		out = append(out, RemoteSocket{ID: id, Rooms: nonNil(s.Rooms()), Handshake: handshake4(s.Handshake()), Data: json.RawMessage("{}")})
	}
	return out
}

// handshake4 writes h as socket.io 4.x's handshake object.
func handshake4(h *socketio.Handshake) json.RawMessage {
	if h == nil {
		return json.RawMessage("{}")
	}
	headers := map[string]string{}
	for k, v := range h.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	if h.Host != "" {
		headers["host"] = h.Host
	}
	query := map[string]string{}
	for k, v := range h.Query {
		if len(v) > 0 {
			query[k] = v[0]
		}
	}
	b, _ := json.Marshal(map[string]any{
		"headers": headers,
		"time":    h.Time.Format("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"),
		"address": h.Address,
		"xdomain": h.XDomain,
		"secure":  h.Secure,
		"issued":  h.Time.UnixMilli(),
		"url":     h.URL,
		"query":   query,
		"auth":    map[string]any{},
	})
	return b
}

// request8 sends a request of the 8.x protocol and waits for its answers:
// from the node holding socket id when id is given, else from every other
// node (as many as subscribe to the request channel, less this one).
func (a *Adapter) request8(ctx context.Context, typ int, req map[string]any, id string) (*pendingRequest, error) {
	if err := a.c.unavailable(); err != nil {
		return nil, fmt.Errorf("redisadapter: %s: %w", requestName8(typ, id), err)
	}
	r := &pendingRequest{typ: typ, want: 1, set: make(map[string]struct{}), done: make(chan struct{})}
	if id == "" {
		n, err := a.numSub(ctx)
		if err != nil {
			return nil, fmt.Errorf("redisadapter: count nodes: %w", err)
		}
		if n == 0 {
			return nil, ErrNotSubscribed
		}
		r.want = int(n) - 1 // this node answers itself
		if r.want <= 0 {
			return r, nil
		}
	}
	reqID := randomID(6)
	req["uid"], req["requestId"], req["type"] = a.c.uid, reqID, typ
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("redisadapter: encode request: %w", err)
	}
	return r, a.send(ctx, r, reqID, body, requestName8(typ, id), id)
}

// notify8 publishes a request that no node answers.
func (a *Adapter) notify8(ctx context.Context, typ int, req map[string]any) error {
	if !a.v8() {
		return errProtocol8
	}
	if err := a.c.unavailable(); err != nil {
		return fmt.Errorf("redisadapter: %s: %w", requestName8(typ, ""), err)
	}
	req["uid"], req["type"] = a.c.uid, typ
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("redisadapter: encode request: %w", err)
	}
	if err := a.c.publishNow(ctx, a.requestChannel, body); err != nil {
		return fmt.Errorf("redisadapter: send %s: %w", requestName8(typ, ""), err)
	}
	return nil
}

// remoteOps8 says what each 8.x request that acts on sockets does.
var remoteOps8 = map[int]remoteOp{
	request8RemoteJoin:       remoteJoin,
	request8RemoteLeave:      remoteLeave,
	request8RemoteDisconnect: remoteDisconnect,
}

func requestName8(typ int, id string) string {
	switch typ {
	case request8Sockets:
		return "sockets"
	case request8AllRooms:
		return "rooms"
	case request8RemoteJoin:
		return "remote join of " + id
	case request8RemoteLeave:
		return "remote leave of " + id
	case request8RemoteDisconnect:
		return "remote disconnect of " + id
	case request8RemoteFetch:
		return "fetch sockets"
	case request8ServerSideEmit:
		return "server-side emit"
	case request8Broadcast:
		return "broadcast with ack"
	}
	return "request"
}

// request8Message is a request of any node, JSON or (a broadcast with
// acks) msgpack.
type request8Message struct {
	UID       string          `json:"uid"`
	RequestID string          `json:"requestId"`
	Type      int             `json:"type"`
	Rooms     []string        `json:"rooms"`
	SID       string          `json:"sid"`
	Room      string          `json:"room"`
	Close     bool            `json:"close"`
	Data      json.RawMessage `json:"data"`
	Opts      *struct {
		Rooms  []string `json:"rooms"`
		Except []string `json:"except"`
	} `json:"opts"`

	// Of a broadcast with acks.
	packet  *codec.Packet
	bopts   socketio.BroadcastOptions
	timeout time.Duration
}

// onRequest8 answers a request of another node as @socket.io/redis-adapter
// 8.x does.
func (a *Adapter) onRequest8(payload string) {
	var req request8Message
	var err error
	if strings.HasPrefix(payload, "{") {
		err = json.Unmarshal([]byte(payload), &req)
	} else {
		err = decodeBroadcastRequest(payload, &req)
	}
	if err != nil {
		a.c.log.Warn("redisadapter: undecodable request", "channel", a.requestChannel, "err", err)
		return
	}
	if req.UID == a.c.uid {
		return // this node did its part when it sent it
	}
	var opts socketio.BroadcastOptions
	if req.Opts != nil {
		opts = socketio.BroadcastOptions{Rooms: req.Opts.Rooms, Except: req.Opts.Except}
	}
	answer := map[string]any{"requestId": req.RequestID}
	switch req.Type {
	case request8Sockets:
		answer["sockets"] = nonNil(a.Targets(socketio.BroadcastOptions{Rooms: req.Rooms}))
	case request8AllRooms:
		rooms, _ := a.MemoryAdapter.Rooms(context.Background())
		answer["rooms"] = nonNil(rooms)
	case request8RemoteFetch:
		sockets := a.localSockets(opts)
		if sockets == nil {
			sockets = []RemoteSocket{}
		}
		answer["sockets"] = sockets
	case request8RemoteJoin, request8RemoteLeave, request8RemoteDisconnect:
		op := remoteOps8[req.Type]
		if req.Opts != nil {
			// The bulk form (socketsJoin, socketsLeave, disconnectSockets):
			// every local socket the options select.
			for _, id := range a.Targets(opts) {
				a.applyRemote(id, op, req.Rooms, req.Close)
			}
			return // not answered
		}
		if !a.applyRemote(req.SID, op, []string{req.Room}, req.Close) {
			return
		}
	case request8ServerSideEmit:
		a.onServerSideEmit(req)
		return
	case request8Broadcast:
		a.onBroadcastWithAck(req)
		return
	default:
		return
	}
	body, err := json.Marshal(answer)
	if err != nil {
		a.c.log.Error("redisadapter: encode answer", "err", err)
		return
	}
	a.c.enqueue(a.responseChannel, body)
}

// onServerSideEmit hands another node's server-side emit to the handler.
func (a *Adapter) onServerSideEmit(req request8Message) {
	a.mu.Lock()
	h := a.sse
	a.mu.Unlock()
	var data []json.RawMessage
	if h == nil || json.Unmarshal(req.Data, &data) != nil || len(data) == 0 {
		return
	}
	var event string
	if json.Unmarshal(data[0], &event) != nil {
		return
	}
	var ack func(any)
	if req.RequestID != "" {
		var answered bool
		ack = func(answer any) {
			a.mu.Lock()
			first := !answered
			answered = true
			a.mu.Unlock()
			if !first {
				return
			}
			body, err := json.Marshal(map[string]any{"type": request8ServerSideEmit, "requestId": req.RequestID, "data": answer})
			if err != nil {
				a.c.log.Error("redisadapter: encode server-side emit answer", "err", err)
				return
			}
			a.c.enqueue(a.responseChannel, body)
		}
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				a.c.log.Error("redisadapter: panic in server-side emit handler", "panic", r)
			}
		}()
		h(event, data[1:], ack)
	}()
}

// onBroadcastWithAck delivers another node's broadcast with acks to the
// local sockets it selects (encoded once, with one ack id), tells that node
// how many they are, then forwards each client's ack (its first argument).
func (a *Adapter) onBroadcastWithAck(req request8Message) {
	if req.packet == nil || req.packet.Namespace != a.nsp.Name() {
		return
	}
	var ids []string
	for _, id := range a.Targets(req.bopts) {
		if a.nsp.Socket(id) != nil {
			ids = append(ids, id)
		}
	}
	count, _ := json.Marshal(map[string]any{"type": request8ClientCount, "requestId": req.RequestID, "clientCount": len(ids)})
	a.c.enqueue(a.responseChannel, count)
	if len(ids) == 0 {
		return
	}
	timeout := req.timeout
	if timeout <= 0 {
		timeout = a.c.opts.RequestsTimeout
	}
	go func() {
		ctx, cancel := context.WithTimeout(a.c.ctx, timeout)
		defer cancel()
		a.nsp.DeliverWithAck(ctx, req.packet, ids, func(_ string, ack *socketio.Args) {
			if ack == nil {
				return // it left: 8.x has no word for that
			}
			body, err := encodeBroadcastAck(req.RequestID, ack)
			if err != nil {
				a.c.log.Warn("redisadapter: encode ack", "err", err)
				return
			}
			a.c.enqueue(a.responseChannel, body)
		})
	}()
}

// onResponse8 records another node's answer to one of this node's
// requests.
func (a *Adapter) onResponse8(payload string) {
	var res struct {
		RequestID   string            `json:"requestId"`
		Type        int               `json:"type"`
		Sockets     []json.RawMessage `json:"sockets"`
		Rooms       []string          `json:"rooms"`
		Data        json.RawMessage   `json:"data"`
		ClientCount int               `json:"clientCount"`
		ack         *socketio.Args
	}
	var err error
	if strings.HasPrefix(payload, "{") {
		err = json.Unmarshal([]byte(payload), &res)
	} else {
		res.Type = request8BroadcastAck
		res.RequestID, res.ack, err = decodeBroadcastAck(payload)
	}
	if err != nil {
		a.c.log.Warn("redisadapter: undecodable answer", "channel", a.responseChannel, "err", err)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.requests[res.RequestID]
	if r == nil || isClosed(r.done) {
		return
	}
	if r.typ == request8Broadcast {
		switch res.Type {
		case request8ClientCount:
			r.counted++
			r.want += res.ClientCount
		case request8BroadcastAck:
			r.acks = append(r.acks, res.ack)
		}
		r.complete()
		return
	}
	r.got++
	switch r.typ {
	case request8Sockets:
		for _, raw := range res.Sockets {
			var id string
			if json.Unmarshal(raw, &id) == nil {
				r.set[id] = struct{}{}
			}
		}
	case request8AllRooms:
		for _, room := range res.Rooms {
			r.set[room] = struct{}{}
		}
	case request8RemoteFetch:
		r.replies = append(r.replies, res.Sockets...)
	case request8ServerSideEmit:
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
