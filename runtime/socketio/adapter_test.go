package socketio

import (
	"context"
	"slices"
	"testing"
)

// TestMemoryAdapterRooms: the room of a socket's own id, which the adapter
// does not store, behaves as any other room: it is listed, selected,
// excepted and left like one, also when another socket joins a room named
// after that id.
func TestMemoryAdapterRooms(t *testing.T) {
	a := NewMemoryAdapter(nil)
	a.AddAll("a", []string{"a"})
	a.AddAll("b", []string{"b"})
	a.AddAll("b", []string{"room", "a"}) // b joins the room named after a

	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("%s = %q, want %q", what, sorted(got), sorted(want))
		}
	}
	rooms := func() []string {
		r, err := a.Rooms(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	targets := func(rooms, except []string) []string {
		return a.Targets(BroadcastOptions{Rooms: rooms, Except: except})
	}

	check("SocketRooms(a)", a.SocketRooms("a"), "a")
	check("SocketRooms(b)", a.SocketRooms("b"), "a", "b", "room")
	check("Rooms", rooms(), "a", "b", "room")
	check("everyone", targets(nil, nil), "a", "b")
	check("to a", targets([]string{"a"}, nil), "a", "b")
	check("to b", targets([]string{"b"}, nil), "b")
	check("to a and b", targets([]string{"a", "b"}, nil), "a", "b")
	check("everyone except a", targets(nil, []string{"a"}))
	check("everyone except b", targets(nil, []string{"b"}), "a")
	check("to room except b", targets([]string{"room"}, []string{"b"}))
	if !a.HasRoom("a") || !a.HasRoom("room") || a.HasRoom("nobody") {
		t.Errorf("HasRoom: a %v, room %v, nobody %v", a.HasRoom("a"), a.HasRoom("room"), a.HasRoom("nobody"))
	}

	a.Del("a", "a") // a leaves its own room; b is still in it
	check("SocketRooms(a) after leaving its own", a.SocketRooms("a"))
	check("to a after a left it", targets([]string{"a"}, nil), "b")
	check("everyone after a left its own room", targets(nil, nil), "a", "b")
	check("Rooms after a left its own", rooms(), "a", "b", "room")
	a.Del("b", "a")
	check("Rooms when nobody is in a", rooms(), "b", "room")
	if a.HasRoom("a") {
		t.Error("HasRoom(a) after everyone left it")
	}
	a.AddAll("a", []string{"a"})
	check("to a after rejoining", targets([]string{"a"}, nil), "a")

	a.DelAll("b")
	check("Rooms after b is gone", rooms(), "a")
	check("everyone after b is gone", targets(nil, nil), "a")
	check("SocketRooms(b) after it is gone", a.SocketRooms("b"))
	if a.HasRoom("b") || a.HasRoom("room") {
		t.Error("rooms of a removed socket remain")
	}
	a.Del("a", "a")
	a.DelAll("a")
	a.AddAll("a", []string{"a"}) // the same id connecting again is in its room
	check("to a after it reconnects", targets([]string{"a"}, nil), "a")
}
