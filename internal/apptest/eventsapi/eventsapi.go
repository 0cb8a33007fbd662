// Package eventsapi is the schema of the end-to-end tests of what sees
// every event: per-event middleware, the OnAny and OnAnyOutgoing
// listeners, and which errors a client may read. Its tests drive the
// generated server with the official socket.io-client (2.x and 4.x) and
// the generated Go client.
package eventsapi

//go:generate go tool siogen

import "github.com/siogen/siogen"

// Shop is the default namespace of a small shop.
type Shop struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// Note is a line for the shop's log.
		Note func(text string) `sio:"note"`
		// Order places an order; the ack carries its number.
		Order func(item Item, ack func(number int)) `sio:"place order"`
		// Fail makes the handler fail: with an error meant for the client
		// ("client") or an internal one (anything else).
		Fail func(kind string, ack func()) `sio:"fail"`
	}
	ServerToClient struct {
		// Receipt tells the client who ordered its order's number.
		Receipt func(number int) `sio:"receipt"`
		// Placed tells every client that an order was placed.
		Placed func(number int) `sio:"placed"`
	}
}

// Item is what an order asks for.
type Item struct {
	Name string `json:"name"`
	Qty  int    `json:"qty"`
}
