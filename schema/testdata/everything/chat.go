// Package everything uses every feature of the schema form.
package everything

import (
	"encoding/json"
	"time"

	"github.com/siogen/siogen"
	"github.com/siogen/siogen/schema/testdata/everything/geo"
)

// Chat is the default namespace.
//
// It has two paragraphs of documentation.
type Chat struct {
	siogen.Namespace `sio:"/"`

	// ClientToServer: events the client emits and the server handles.
	ClientToServer struct {
		// ChatMessage carries one line of chat.
		ChatMessage func(msg string)                                                   `sio:"chat message"`
		SetName     func(name string, ack func(ok bool))                               `sio:"set name"`
		Upload      func(f File, ack func(size int, err string))                       `sio:"upload"`
		Typing      func()                                                             `sio:"typing"`
		WhoAmI      func(ack func(name string))                                        `sio:"who am i"` // asks for the caller's name
		Join        func(room string, at time.Time, ack func())                        `sio:"join"`
		Locate      func(p *geo.Point, trail []geo.Point, tiles map[geo.Cell]geo.Tile) `sio:"locate"`
		Unnamed     func(string, int, func(bool, error2))                              `sio:"unnamed"`
		Collide     func(ack string, arg1 int, _ bool, _ func())                       `sio:"collide"`
		Raw         func(_ json.RawMessage, extra any, _ []byte)                       `sio:"raw"`
	}
	// ServerToClient: events the server emits and the client handles.
	ServerToClient ChatServerEvents // a named struct type is fine too
}

// ChatServerEvents are the events the server sends on "/".
type ChatServerEvents struct {
	ChatMessage func(msg string)             `sio:"chat message"`
	Double      func(n int, ack func(m int)) `sio:"double"` // server asks the client for an ack
	// Stats reports counters; the ack replies with several values.
	Stats   func(counts map[string]int64, byID map[int]uint8, ack func(ok bool, at time.Time, missing []string)) `sio:"stats"`
	History Handler                                                                                              `sio:"history"`
	Tree    func(root *Node)                                                                                     `sio:"tree"`
	Confirm func(id int, done Done)                                                                              `sio:"confirm"`
}

// Done is a named func type used as an ack.
type Done func(ok bool)

// Handler is a named func type used as an event.
type Handler func(lines []Line, window time.Duration)

// error2 is an unexported type; fine, since the generated code goes into
// this package.
type error2 string
