package socketio

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// SocketAck is one socket's answer to a broadcast with acks.
type SocketAck struct {
	// SocketID is the id of the socket that answered. It is empty for a
	// socket of a node whose protocol does not tell ids
	// (@socket.io/redis-adapter 8.x's, see package redisadapter).
	SocketID string
	// Args are the ack's arguments, still encoded.
	Args *Args
}

// BroadcastAcks is what a broadcast with acks gathered before its context
// ended: a reply of type T from each socket that answered, and which of
// the targeted sockets did not. Broadcast.EmitWithAck returns it with
// SocketAck replies; generated code with typed ones.
type BroadcastAcks[T any] struct {
	// Replies holds one reply per socket that answered: those of this
	// node first, in the order they arrived, then those of other nodes.
	Replies []T
	// Unanswered lists, sorted, the ids of the targeted sockets that did
	// not answer: silent until the context ended, disconnected first, or
	// already waiting for Options.MaxPendingAcks acks.
	Unanswered []string
	// UnansweredCount counts the sockets that did not answer: those of
	// Unanswered, and those of nodes that report a count of sockets, not
	// their ids (@socket.io/redis-adapter 8.x's protocol).
	UnansweredCount int
}

// AckBroadcaster is what an Adapter implements to carry broadcasts with
// acks (Broadcast.EmitWithAck). MemoryAdapter asks the local sockets; an
// adapter spanning several nodes asks every node's, the local ones with
// Namespace.DeliverWithAck. An adapter that embeds MemoryAdapter inherits
// its AckBroadcast, local only, unless it has its own.
type AckBroadcaster interface {
	// AckBroadcast delivers p, an EVENT packet without an ack id, to the
	// sockets opts selects, asks each for an ack, and gathers the acks
	// until every target answered or left, or ctx ends. An error reports a
	// failure (a node unreachable), with what was gathered all the same.
	AckBroadcast(ctx context.Context, p *codec.Packet, opts BroadcastOptions) (BroadcastAcks[SocketAck], error)
}

// ErrNoAckBroadcast is returned by Broadcast.EmitWithAck when the
// namespace's adapter does not implement AckBroadcaster.
var ErrNoAckBroadcast = errors.New("socketio: the adapter cannot broadcast with acks")

// EmitWithAck sends the event to every selected socket, asking each for an
// ack, as socket.io 4.x's timeout(d).emit(…, callback), and waits until
// every target answered or disconnected, or ctx ends; give ctx a deadline.
// It returns the acks that arrived, each with its socket's id, and the
// sockets that did not answer: that is no error. An error means the
// broadcast failed (its arguments do not encode, or the adapter could not
// reach every node); what was gathered is returned with it.
//
// The packet is encoded once for all local targets, with one ack id, as
// socket.io does. An ack answered with {"error": message} is a reply like
// any other: Args.Rejected tells it.
func (b Broadcast) EmitWithAck(ctx context.Context, event string, args ...any) (BroadcastAcks[SocketAck], error) {
	p, err := eventPacket(b.nsp.name, event, args)
	if err != nil {
		return BroadcastAcks[SocketAck]{}, err
	}
	ab, ok := b.nsp.adapter.(AckBroadcaster)
	if !ok {
		return BroadcastAcks[SocketAck]{}, ErrNoAckBroadcast
	}
	return ab.AckBroadcast(ctx, p, BroadcastOptions{Rooms: b.rooms, Except: b.except, Local: b.local})
}

// EmitWithAck sends the event to every socket of the namespace, asking
// each for an ack: see Broadcast.EmitWithAck.
func (n *Namespace) EmitWithAck(ctx context.Context, event string, args ...any) (BroadcastAcks[SocketAck], error) {
	return Broadcast{nsp: n}.EmitWithAck(ctx, event, args...)
}

// AckBroadcast implements AckBroadcaster for the local sockets.
func (a *MemoryAdapter) AckBroadcast(ctx context.Context, p *codec.Packet, opts BroadcastOptions) (BroadcastAcks[SocketAck], error) {
	var out BroadcastAcks[SocketAck]
	out.Unanswered = a.nsp.DeliverWithAck(ctx, p, a.Targets(opts), func(id string, args *Args) {
		if args != nil {
			out.Replies = append(out.Replies, SocketAck{SocketID: id, Args: args})
		}
	})
	out.UnansweredCount = len(out.Unanswered)
	return out, nil
}

// DeliverWithAck sends p, an EVENT packet, to the local sockets ids, each
// asked for an ack, and calls answered (on the calling goroutine) with each
// ack as it arrives, or with nil args for a socket that disconnected first,
// until every socket answered or disconnected, or ctx ends. It returns the sorted ids of the sockets that did not answer. The
// packet is encoded once per protocol revision among them, with one ack
// id. It is meant for adapters implementing AckBroadcaster.
//
// Nothing waits past ctx: a socket that disconnects is unanswered at once,
// and when ctx ends the sockets forget the ack they were asked for.
func (n *Namespace) DeliverWithAck(ctx context.Context, p *codec.Packet, ids []string, answered func(id string, args *Args)) []string {
	q := *p
	q.ID, q.HasID = n.ackSeq.Add(1)-1, true
	w := &ackWait{id: q.ID, events: make(chan ackEvent, len(ids))}
	waiting := make(map[string]*Socket, len(ids))
	var unanswered []string
	var v4, v5 []engineio.Message
	start, sent := time.Now(), 0
	watched := n.outgoingListeners.Load() > 0 // OnAnyOutgoing, as in deliver
	for _, id := range ids {
		s := n.Socket(id)
		if s == nil || !s.expectBroadcastAck(w) {
			unanswered = append(unanswered, id)
			continue
		}
		waiting[id] = s
		if watched {
			s.notifyOutgoing(&q)
		}
		var msgs []engineio.Message
		if s.conn.version == codec.V5 {
			if v5 == nil {
				v5 = encode(&q, codec.V5)
			}
			msgs = v5
		} else {
			if v4 == nil {
				v4 = encode(&q, codec.V4)
			}
			msgs = v4
		}
		if s.conn.sendEncoded(msgs) == nil { // a failure closes the socket: it counts as lost
			sent++
		}
	}
	acked := n.sentWithAck(p, sent, start)
	take := func(e ackEvent) {
		if _, ok := waiting[e.id]; !ok {
			return
		}
		delete(waiting, e.id)
		if e.args == nil {
			unanswered = append(unanswered, e.id)
		} else if acked != nil {
			acked()
		}
		answered(e.id, e.args)
	}
	for len(waiting) > 0 {
		select {
		case e := <-w.events:
			take(e)
		case <-ctx.Done():
			for _, s := range waiting {
				s.forgetBroadcastAck(w)
			}
			// Acks that arrived before their socket forgot are kept.
			for drained := false; !drained; {
				select {
				case e := <-w.events:
					take(e)
				default:
					drained = true
				}
			}
			for id := range waiting {
				unanswered = append(unanswered, id)
			}
			clear(waiting)
		}
	}
	slices.Sort(unanswered)
	return unanswered
}

// ackWait is one broadcast with acks waiting for the local sockets: each
// sends one ackEvent, an answer or its loss. events holds one per socket,
// so sockets never block on it.
type ackWait struct {
	id     uint64
	events chan ackEvent
}

type ackEvent struct {
	id   string // the socket's
	args *Args  // nil: it disconnected first
}

// expectBroadcastAck registers w for the socket's ack of w.id. It reports
// false when the socket is gone or waits for too many acks already.
func (s *Socket) expectBroadcastAck(w *ackWait) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected || len(s.acks)+len(s.broadcastAcks) >= s.nsp.srv.opts.MaxPendingAcks {
		return false
	}
	if s.broadcastAcks == nil {
		s.broadcastAcks = make(map[uint64]*ackWait)
	}
	s.broadcastAcks[w.id] = w
	return true
}

// forgetBroadcastAck drops w's registration, if the socket still has it.
func (s *Socket) forgetBroadcastAck(w *ackWait) {
	s.mu.Lock()
	if s.broadcastAcks[w.id] == w {
		delete(s.broadcastAcks, w.id)
	}
	s.mu.Unlock()
}
