package socketio

import (
	"context"
	"errors"
	"sync"

	"github.com/siogen/siogen/runtime/socketio/codec"
)

// BroadcastOptions select the targets of a broadcast.
type BroadcastOptions struct {
	// Rooms: sockets in any of them; none means every socket.
	Rooms []string
	// Except: sockets in any of these rooms (or with these ids) are skipped.
	Except []string
	// Local keeps the broadcast on this node, for adapters that span
	// several (a node relaying a broadcast it received sets it).
	Local bool
}

// Adapter keeps the rooms of one namespace and carries its broadcasts. The
// default, MemoryAdapter, serves one process; an adapter that spans several
// nodes (the socket.io-redis protocol) embeds a MemoryAdapter for its local
// sockets and forwards what it must. Every method is safe for concurrent use.
//
// The shape follows socket.io 2.x's Adapter and socket.io-redis 5.x: room
// membership is local and synchronous; queries that may span nodes take a
// context and can fail.
type Adapter interface {
	// AddAll adds the local socket id to rooms.
	AddAll(id string, rooms []string)
	// Del removes the local socket id from room.
	Del(id, room string)
	// DelAll removes the local socket id from every room.
	DelAll(id string)
	// SocketRooms returns the rooms of the local socket id.
	SocketRooms(id string) []string

	// Broadcast delivers p to the selected sockets, each once.
	Broadcast(p *codec.Packet, opts BroadcastOptions) error
	// Sockets returns the ids of the sockets in any of rooms (all when
	// none are given).
	Sockets(ctx context.Context, rooms []string) ([]string, error)
	// Rooms returns every room that has a socket.
	Rooms(ctx context.Context) ([]string, error)
	// RemoteJoin, RemoteLeave and RemoteDisconnect act on the socket id
	// wherever it is connected.
	RemoteJoin(ctx context.Context, id, room string) error
	RemoteLeave(ctx context.Context, id, room string) error
	RemoteDisconnect(ctx context.Context, id string, closeConn bool) error
	// Close releases what the adapter holds.
	Close() error
}

// ErrUnknownSocket is returned by the Remote* methods for a socket id that
// is connected nowhere.
var ErrUnknownSocket = errors.New("socketio: unknown socket id")

// MemoryAdapter is the in-process Adapter: rooms are maps, and a broadcast
// encodes its packet once and queues the same bytes on every target.
//
// Every socket is in the room of its own id, and most are in no other, so
// that room is not stored: a socket is in it from AddAll of its id until it
// leaves it (left records the few that have). That spares an idle socket two
// single-entry maps, about 0.7 KiB.
type MemoryAdapter struct {
	nsp *Namespace

	mu    sync.RWMutex
	rooms map[string]map[string]struct{} // room -> socket ids, own rooms aside
	sids  map[string]map[string]struct{} // socket id -> rooms, own room aside; nil until it joins one
	left  map[string]struct{}            // sockets that left the room of their own id
}

// NewMemoryAdapter returns the in-memory adapter of nsp.
func NewMemoryAdapter(nsp *Namespace) *MemoryAdapter {
	return &MemoryAdapter{
		nsp:   nsp,
		rooms: make(map[string]map[string]struct{}),
		sids:  make(map[string]map[string]struct{}),
		left:  make(map[string]struct{}),
	}
}

// AddAll implements Adapter.
func (a *MemoryAdapter) AddAll(id string, rooms []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	mine, known := a.sids[id]
	if !known {
		// A socket's first rooms: it is in its own until it leaves it.
		a.sids[id] = nil
	}
	for _, r := range rooms {
		if r == id {
			delete(a.left, id)
			continue
		}
		if mine == nil {
			mine = make(map[string]struct{}, len(rooms))
			a.sids[id] = mine
		}
		mine[r] = struct{}{}
		members := a.rooms[r]
		if members == nil {
			members = make(map[string]struct{}, 1)
			a.rooms[r] = members
		}
		members[id] = struct{}{}
	}
}

// Del implements Adapter.
func (a *MemoryAdapter) Del(id, room string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, known := a.sids[id]; !known {
		return
	}
	if room == id {
		a.left[id] = struct{}{}
		return
	}
	delete(a.sids[id], room)
	a.delMember(room, id)
}

func (a *MemoryAdapter) delMember(room, id string) {
	if members := a.rooms[room]; members != nil {
		delete(members, id)
		if len(members) == 0 {
			delete(a.rooms, room)
		}
	}
}

// DelAll implements Adapter.
func (a *MemoryAdapter) DelAll(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for r := range a.sids[id] {
		a.delMember(r, id)
	}
	delete(a.sids, id)
	delete(a.left, id)
}

// inOwnRoom reports whether room is the id of a local socket that is in it.
// The caller holds mu.
func (a *MemoryAdapter) inOwnRoom(room string) bool {
	if _, known := a.sids[room]; !known {
		return false
	}
	_, gone := a.left[room]
	return !gone
}

// members calls f with each local socket in room, once each. The caller
// holds mu.
func (a *MemoryAdapter) members(room string, f func(id string)) {
	if a.inOwnRoom(room) {
		f(room)
	}
	for id := range a.rooms[room] {
		f(id) // never room itself: own rooms are not stored
	}
}

// SocketRooms implements Adapter.
func (a *MemoryAdapter) SocketRooms(id string) []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]string, 0, len(a.sids[id])+1)
	if a.inOwnRoom(id) {
		out = append(out, id)
	}
	for r := range a.sids[id] {
		out = append(out, r)
	}
	return out
}

// HasRoom reports whether a local socket is in room.
func (a *MemoryAdapter) HasRoom(room string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.rooms[room]) > 0 || a.inOwnRoom(room)
}

// Targets returns the local socket ids that opts selects, each once.
func (a *MemoryAdapter) Targets(opts BroadcastOptions) []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var except map[string]struct{}
	if len(opts.Except) > 0 {
		except = make(map[string]struct{})
		for _, r := range opts.Except {
			a.members(r, func(id string) { except[id] = struct{}{} })
		}
	}
	var ids []string
	add := func(id string) {
		if _, skip := except[id]; !skip {
			ids = append(ids, id)
		}
	}
	if len(opts.Rooms) == 0 {
		ids = make([]string, 0, len(a.sids))
		for id := range a.sids {
			add(id)
		}
		return ids
	}
	if len(opts.Rooms) == 1 {
		a.members(opts.Rooms[0], add)
		return ids
	}
	seen := make(map[string]struct{})
	for _, r := range opts.Rooms {
		a.members(r, func(id string) {
			if _, dup := seen[id]; !dup {
				seen[id] = struct{}{}
				add(id)
			}
		})
	}
	return ids
}

// Broadcast implements Adapter: the packet is encoded once for all targets.
func (a *MemoryAdapter) Broadcast(p *codec.Packet, opts BroadcastOptions) error {
	a.nsp.deliver(p, a.Targets(opts), &opts)
	return nil
}

// Sockets implements Adapter.
func (a *MemoryAdapter) Sockets(ctx context.Context, rooms []string) ([]string, error) {
	return a.Targets(BroadcastOptions{Rooms: rooms}), nil
}

// Rooms implements Adapter.
func (a *MemoryAdapter) Rooms(ctx context.Context) ([]string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]string, 0, len(a.rooms)+len(a.sids))
	for r := range a.rooms {
		if !a.inOwnRoom(r) { // a room named as a socket id, listed below
			out = append(out, r)
		}
	}
	for id := range a.sids {
		if a.inOwnRoom(id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// RemoteJoin implements Adapter.
func (a *MemoryAdapter) RemoteJoin(ctx context.Context, id, room string) error {
	s := a.nsp.Socket(id)
	if s == nil {
		return ErrUnknownSocket
	}
	s.Join(room)
	return nil
}

// RemoteLeave implements Adapter.
func (a *MemoryAdapter) RemoteLeave(ctx context.Context, id, room string) error {
	s := a.nsp.Socket(id)
	if s == nil {
		return ErrUnknownSocket
	}
	s.Leave(room)
	return nil
}

// RemoteDisconnect implements Adapter.
func (a *MemoryAdapter) RemoteDisconnect(ctx context.Context, id string, closeConn bool) error {
	s := a.nsp.Socket(id)
	if s == nil {
		return ErrUnknownSocket
	}
	s.Disconnect(closeConn)
	return nil
}

// Close implements Adapter.
func (a *MemoryAdapter) Close() error { return nil }
