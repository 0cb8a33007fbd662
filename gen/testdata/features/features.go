// Package features is a schema that uses every feature siogen supports; the
// generator's golden and end-to-end tests run on it.
package features

import (
	"time"

	"github.com/siogen/siogen"
)

// Room is the default namespace of a small chat with rooms.
type Room struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// Say sends a line to everyone else.
		Say func(text string) `sio:"chat message"`
		// Join enters a room and is acked with the number of members.
		Join func(room string, ack func(members int)) `sio:"join room"`
		// Post sends a message with an attachment to a room.
		Post func(room string, m Message, ack func(id int64, at time.Time)) `sio:"post"`
		// Ping takes no arguments and an ack with none.
		Ping func(ack func()) `sio:"ping me"`
		// Echo returns whatever it gets, binary included.
		Echo func(v any, ack func(v any)) `sio:"echo"`
		// Count takes numbers of several kinds.
		Count func(a int8, b uint16, c float32, d bool, e *int, f map[string][]int) `sio:"count"`
	}
	ServerToClient struct {
		Said     func(from string, text string)                 `sio:"chat message"`
		Posted   func(room string, m Message)                   `sio:"posted"`
		Question func(q string, ack func(yes bool, why string)) `sio:"question"`
		Blob     func(data []byte)                              `sio:"blob"`
	}
}

// Vault is a namespace behind a token.
type Vault struct {
	siogen.Namespace `sio:"/vault"`

	ClientToServer struct {
		Open func(ack func(secret string)) `sio:"open"`
	}
}

// Keyring admits clients by the key in their CONNECT payload.
type Keyring struct {
	siogen.Namespace `sio:"/keyring"`

	// Auth is what a client sends when it connects.
	Auth KeyringCredentials

	ClientToServer struct {
		Whoami func(ack func(user string)) `sio:"whoami"`
	}
}

// KeyringCredentials is the CONNECT payload of Keyring.
type KeyringCredentials struct {
	User string `json:"user"`
	Key  int    `json:"key"`
}

// Message is a chat message with an optional binary attachment.
type Message struct {
	Text    string            `json:"text"`
	Data    []byte            `json:"data,omitempty"`
	Tags    []string          `json:"tags"`
	Meta    map[string]string `json:"meta,omitempty"`
	Parts   [][]byte          `json:"parts,omitempty"`
	ReplyTo *Message          `json:"replyTo,omitempty"`
}
