package socketio

import "slices"

// Broadcast selects sockets of a namespace to emit to. Build one with
// Namespace.To, Namespace.Except, Socket.To or Socket.Broadcast; it is a
// value, and each method returns a new one.
type Broadcast struct {
	nsp    *Namespace
	rooms  []string
	except []string
	local  bool
}

// To narrows the selection to sockets in any of rooms (added to the rooms
// already given). A socket in several of them receives the event once.
func (b Broadcast) To(rooms ...string) Broadcast {
	b.rooms = append(slices.Clip(b.rooms), rooms...)
	return b
}

// Except leaves out the sockets in any of rooms; a socket id names the room
// of that socket alone.
func (b Broadcast) Except(rooms ...string) Broadcast {
	b.except = append(slices.Clip(b.except), rooms...)
	return b
}

// Local keeps the broadcast on this node when the adapter spans several
// (socket.io's local flag); with the default MemoryAdapter it changes
// nothing.
func (b Broadcast) Local() Broadcast {
	b.local = true
	return b
}

// Emit sends the event to every selected socket. The packet is encoded once
// for all of them.
func (b Broadcast) Emit(event string, args ...any) error {
	p, err := eventPacket(b.nsp.name, event, args)
	if err != nil {
		return err
	}
	return b.nsp.adapter.Broadcast(p, BroadcastOptions{Rooms: b.rooms, Except: b.except, Local: b.local})
}
