package redisadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/siogen/siogen/runtime/socketio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// requestBroadcastWithAck is siogen's own request on socket.io-redis 5.x's
// request channel: a broadcast that asks every socket for an ack, which
// socket.io-redis 5.x does not have. socket.io-redis ignores request types
// it does not know, so socket.io 2.x nodes stay silent and their sockets
// take no part. The number is far from socket.io-redis's own (0 to 6).
const requestBroadcastWithAck = 100

// broadcastAckRequest is the JSON of that request.
type broadcastAckRequest struct {
	RequestID   string          `json:"requestid"`
	UID         string          `json:"uid"`
	Rooms       []string        `json:"rooms"`
	Except      []string        `json:"except"`
	Data        json.RawMessage `json:"data"`        // the EVENT's ["name", args…], binary as placeholders
	Attachments [][]byte        `json:"attachments"` // base64
	Timeout     int64           `json:"timeout"`     // milliseconds the sender waits
}

// broadcastAckAnswer is a node's answer to it: first one with the ids of
// the sockets it asked (Clients, present even when empty), then one per
// socket with its ack (Data, the ack's [args…], and Attachments) or, when
// the socket left first, Gone.
type broadcastAckAnswer struct {
	Clients     []string        `json:"clients"`
	SID         string          `json:"sid"`
	Data        json.RawMessage `json:"data"`
	Attachments [][]byte        `json:"attachments"`
	Gone        bool            `json:"gone"`
}

// remoteAcks is what the other nodes answered to a broadcast with acks of
// this node, under ProtocolSocketIORedis; guarded by Adapter.mu.
type remoteAcks struct {
	nodes    int             // other nodes expected to report their sockets
	reported int             // nodes that did
	sockets  map[string]bool // their sockets: true once answered or gone
	waiting  int             // sockets of sockets still false
	gone     []string        // sockets that left before answering
	acks     []socketio.SocketAck
}

// maxAckWait bounds how long a node waits for its sockets' acks to another
// node's broadcast, whatever that node asks.
const maxAckWait = time.Hour

// AckBroadcast implements socketio.AckBroadcaster: Broadcast.EmitWithAck
// across the cluster. The local sockets are asked at once; the other nodes
// through Redis (see the package doc: siogen's own request under the
// default protocol, @socket.io/redis-adapter 8.x's broadcast with acks
// under ProtocolRedisAdapter8, whose acks carry no socket ids, only their
// first argument). Without a deadline on ctx it waits at most
// Options.RequestsTimeout. A node that does not say within
// RequestsTimeout which sockets it asked (a socket.io 2.x node, or one
// that is down) is given up: the acks gathered are returned with an error
// wrapping ErrTimeout. When Redis is unavailable the local sockets still
// answer, and the error wraps ErrUnavailable.
//
// Long on purpose: the request, the local part and the wait share one
// lock-guarded record; split, the locking would be harder to follow.
func (a *Adapter) AckBroadcast(ctx context.Context, p *codec.Packet, opts socketio.BroadcastOptions) (socketio.BroadcastAcks[socketio.SocketAck], error) {
	if opts.Local {
		return a.MemoryAdapter.AckBroadcast(ctx, p, opts)
	}
	var cancel context.CancelFunc
	if _, ok := ctx.Deadline(); ok {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	}
	defer cancel()
	deadline, _ := ctx.Deadline()
	var out socketio.BroadcastAcks[socketio.SocketAck]
	r := &pendingRequest{done: make(chan struct{})}
	if a.v8() {
		r.typ = request8Broadcast // the fields of BroadcastWithAck, remote only
	} else {
		r.typ, r.remote = requestBroadcastWithAck, &remoteAcks{sockets: map[string]bool{}}
	}
	reqID, failed := a.askNodes(ctx, r, p, opts, time.Until(deadline))
	if reqID != "" {
		defer func() {
			a.mu.Lock()
			delete(a.requests, reqID)
			a.mu.Unlock()
		}()
	}
	a.mu.Lock()
	_, nodes := r.unreported()
	a.mu.Unlock()

	// The local part, on its own goroutine; the remote acks land in r
	// meanwhile (onResponse, onResponse8).
	local := make(chan []string, 1)
	targets := a.Targets(opts)
	go func() {
		local <- a.nsp.DeliverWithAck(ctx, p, targets, func(id string, args *socketio.Args) {
			if args != nil {
				out.Replies = append(out.Replies, socketio.SocketAck{SocketID: id, Args: args})
			}
		})
	}()

	reports := time.NewTimer(a.c.opts.RequestsTimeout)
	defer reports.Stop()
	var unanswered []string
	localDone, remote := false, r.done
	closed := false
wait:
	for !localDone || remote != nil {
		select {
		case unanswered = <-local:
			localDone = true
		case <-remote:
			remote = nil
		case <-reports.C: // give up the nodes that did not report
			a.mu.Lock()
			r.giveUp()
			a.mu.Unlock()
		case <-ctx.Done():
			break wait
		case <-a.c.ctx.Done():
			closed = true
			break wait
		}
	}
	if !localDone {
		cancel()
		unanswered = <-local
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	missing := nodes - r.reported()
	if rem := r.remote; rem != nil {
		out.Replies = append(out.Replies, rem.acks...)
		for id, done := range rem.sockets {
			if !done {
				unanswered = append(unanswered, id)
			}
		}
		unanswered = append(unanswered, rem.gone...)
		slices.Sort(unanswered)
	} else {
		for _, ack := range r.acks {
			out.Replies = append(out.Replies, socketio.SocketAck{Args: ack})
		}
	}
	out.Unanswered = unanswered
	out.UnansweredCount = len(unanswered)
	if r.remote == nil {
		out.UnansweredCount += max(r.want-len(r.acks), 0)
	}
	switch {
	case closed:
		failed = errors.Join(failed, errClosed)
	case missing > 0:
		failed = errors.Join(failed, fmt.Errorf("redisadapter: broadcast with ack: %d of %d nodes did not tell which sockets they asked: %w", missing, nodes, ErrTimeout))
	}
	return out, failed
}

// askNodes registers r under the id it returns and publishes the broadcast
// with acks p to the other nodes, which the sender waits for up to
// timeout. The error says why it could not; r then expects no node.
func (a *Adapter) askNodes(ctx context.Context, r *pendingRequest, p *codec.Packet, opts socketio.BroadcastOptions, timeout time.Duration) (reqID string, err error) {
	fail := func(err error) error {
		a.mu.Lock()
		r.giveUp()
		a.mu.Unlock()
		return fmt.Errorf("redisadapter: broadcast with ack to other nodes: %w", err)
	}
	if err := a.c.unavailable(); err != nil {
		return "", fail(err)
	}
	n, err := a.numSub(ctx)
	if err != nil {
		return "", fail(fmt.Errorf("count nodes: %w", err))
	}
	var body []byte
	if a.v8() {
		reqID = randomID(6)
		body, err = encodeBroadcastRequest(a.c.uid, reqID, p, a.nsp.Name(), opts, timeout)
	} else {
		reqID = randomID(12)
		body, err = json.Marshal(map[string]any{
			"type": requestBroadcastWithAck, "requestid": reqID, "uid": a.c.uid,
			"rooms": nonNil(opts.Rooms), "except": nonNil(opts.Except),
			"data": json.RawMessage(p.Data), "attachments": p.Attachments,
			"timeout": timeout.Milliseconds(),
		})
	}
	if err != nil {
		return "", fail(fmt.Errorf("encode: %w", err))
	}
	a.mu.Lock()
	if r.remote != nil {
		r.remote.nodes = max(int(n)-1, 0)
	} else {
		r.servers = max(int(n)-1, 0)
	}
	a.requests[reqID] = r
	r.completeAcks()
	a.mu.Unlock()
	if err := a.c.publishNow(ctx, a.requestChannel, body); err != nil {
		return reqID, fail(err)
	}
	return reqID, nil
}

// reported returns how many of the other nodes told which sockets they
// asked; a.mu is held.
func (r *pendingRequest) reported() int {
	if r.remote != nil {
		return r.remote.reported
	}
	return r.counted
}

// unreported returns how many of the other nodes did not tell which
// sockets they asked, and how many were asked; a.mu is held.
func (r *pendingRequest) unreported() (missing, nodes int) {
	if r.remote != nil {
		return r.remote.nodes - r.remote.reported, r.remote.nodes
	}
	return max(r.servers-r.counted, 0), max(r.servers, 0)
}

// giveUp stops expecting the nodes that did not report yet; a.mu is held.
func (r *pendingRequest) giveUp() {
	if r.remote != nil {
		r.remote.nodes = r.remote.reported
	} else {
		r.servers = r.counted
	}
	r.completeAcks()
}

// completeAcks closes r.done once every node expected reported and every
// socket they asked answered or left; a.mu is held.
func (r *pendingRequest) completeAcks() {
	if rem := r.remote; rem != nil {
		if rem.reported >= rem.nodes && rem.waiting == 0 && !isClosed(r.done) {
			close(r.done)
		}
		return
	}
	r.complete()
}

// onAckAnswer records another node's answer to a broadcast with acks of
// this node (ProtocolSocketIORedis); a.mu is held.
func (a *Adapter) onAckAnswer(r *pendingRequest, payload string) {
	var res broadcastAckAnswer
	if err := json.Unmarshal([]byte(payload), &res); err != nil {
		a.c.log.Warn("redisadapter: undecodable answer", "channel", a.responseChannel, "err", err)
		return
	}
	rem := r.remote
	switch {
	case res.Clients != nil:
		rem.reported++
		for _, id := range res.Clients {
			if _, known := rem.sockets[id]; !known {
				rem.sockets[id] = false
				rem.waiting++
			}
		}
	case res.SID != "":
		if rem.sockets[res.SID] {
			return // answered already
		}
		if _, known := rem.sockets[res.SID]; known {
			rem.waiting--
		}
		rem.sockets[res.SID] = true
		if res.Gone {
			rem.gone = append(rem.gone, res.SID)
			break
		}
		args, err := splitAck(res.Data, res.Attachments)
		if err != nil {
			a.c.log.Warn("redisadapter: undecodable ack", "channel", a.responseChannel, "err", err)
			rem.gone = append(rem.gone, res.SID)
			break
		}
		rem.acks = append(rem.acks, socketio.SocketAck{SocketID: res.SID, Args: args})
	}
	r.completeAcks()
}

// splitAck turns an ack's [args…] and attachments back into Args.
func splitAck(data json.RawMessage, attachments [][]byte) (*socketio.Args, error) {
	if len(data) == 0 {
		return &socketio.Args{}, nil
	}
	raw, err := codec.SplitArray(data)
	if err != nil {
		return nil, err
	}
	return &socketio.Args{Raw: raw, Attachments: attachments}, nil
}

// onBroadcastWithAck5 delivers another node's broadcast with acks
// (ProtocolSocketIORedis) to the local sockets it selects, tells that node
// which they are, and then forwards each one's ack, or that it left.
func (a *Adapter) onBroadcastWithAck5(payload string) {
	var req broadcastAckRequest
	if err := json.Unmarshal([]byte(payload), &req); err != nil {
		a.c.log.Warn("redisadapter: undecodable request", "channel", a.requestChannel, "err", err)
		return
	}
	if req.UID == a.c.uid {
		return // the sender asks its own sockets itself
	}
	if _, _, ok, err := codec.EventName(req.Data); err != nil || !ok {
		a.c.log.Warn("redisadapter: broadcast with ack without an event", "channel", a.requestChannel, "err", err)
		return
	}
	p := &codec.Packet{Type: codec.Event, Namespace: a.nsp.Name(), Data: req.Data, Attachments: req.Attachments}
	if len(p.Attachments) > 0 {
		p.Type = codec.BinaryEvent
	}
	targets := a.Targets(socketio.BroadcastOptions{Rooms: req.Rooms, Except: req.Except})
	answer := func(v map[string]any) {
		v["requestid"] = req.RequestID
		body, err := json.Marshal(v)
		if err != nil {
			a.c.log.Warn("redisadapter: encode ack", "err", err)
			return
		}
		a.c.enqueue(a.responseChannel, body)
	}
	answer(map[string]any{"clients": nonNil(targets)})
	if len(targets) == 0 {
		return
	}
	timeout := time.Duration(req.Timeout) * time.Millisecond
	if timeout <= 0 || timeout > maxAckWait {
		timeout = min(max(timeout, a.c.opts.RequestsTimeout), maxAckWait)
	}
	go func() {
		ctx, cancel := context.WithTimeout(a.c.ctx, timeout)
		defer cancel()
		a.nsp.DeliverWithAck(ctx, p, targets, func(id string, args *socketio.Args) {
			if args == nil {
				answer(map[string]any{"sid": id, "gone": true})
				return
			}
			v := map[string]any{"sid": id, "data": json.RawMessage(joinArray(args.Raw))}
			if len(args.Attachments) > 0 {
				v["attachments"] = args.Attachments
			}
			answer(v)
		})
	}()
}

// joinArray writes the JSON values raw as one array.
func joinArray(raw [][]byte) []byte {
	return append(append([]byte{'['}, bytes.Join(raw, []byte{','})...), ']')
}
