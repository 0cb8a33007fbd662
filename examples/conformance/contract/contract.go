// Package contract is the schema of the conformance contracts of socket.io
// 2.x and 4.x (shared/peers/node-conformance/README.md and
// shared/peers/node-conformance-v4/README.md): the events and namespaces a
// Socket.IO server exposes so that real clients can check it row by row.
// The two agree on every event they share; the 4.x one adds GetId. siogen
// generates the typed server and client beside it.
package contract

//go:generate go tool siogen

import "github.com/siogen/siogen"

// Main is the default namespace. A connection middleware refuses a
// handshake whose query has a "fail" parameter.
type Main struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// Hi is answered with Hi.
		Hi func() `sio:"hi"`
		// Ack makes the server emit Ack asking for an ack, and GotIt when
		// the client acks with (5, {test: true}).
		Ack func() `sio:"ack"`
		// GetAckDate is acked with the current time (ISO-8601).
		GetAckDate func(data any, ack func(date string)) `sio:"getAckDate"`
		GetDate    func()                                `sio:"getDate"`
		GetDateObj func()                                `sio:"getDateObj"`
		GetUtf8    func()                                `sio:"getUtf8"`
		False      func()                                `sio:"false"`
		Doge       func()                                `sio:"doge"`
		// Buffa is answered with Buffack when its argument arrived as
		// binary; any keeps what arrived, so the server can tell.
		Buffa    func(data any)     `sio:"buffa"`
		JSONBuff func(v JSONBuffer) `sio:"jsonbuff"`
		Abuff1   func(data any)     `sio:"abuff1"`
		Abuff2   func(data any)     `sio:"abuff2"`
		GetBin   func()             `sio:"getbin"`
		// Echo is acked with its value unchanged, binary included.
		Echo         func(value any, ack func(value any))  `sio:"echo"`
		GetHandshake func(ack func(h Handshake))           `sio:"getHandshake"`
		Join         func(room string, ack func(size int)) `sio:"join"`
		RoomMessage  func(room string, msg any)            `sio:"room message"`
		Broadcast    func(msg any)                         `sio:"broadcast"`
		DisconnectMe func()                                `sio:"disconnect me"`
		ServerAck    func(n float64)                       `sio:"server ack"`
		// GetId is acked with the socket's id (4.x contract).
		GetId func(ack func(id string)) `sio:"getId"`
	}

	ServerToClient struct {
		Hi           func()                               `sio:"hi"`
		Ack          func(ack func(n int, obj AckObject)) `sio:"ack"`
		GotIt        func()                               `sio:"got it"`
		TakeDate     func(date string)                    `sio:"takeDate"`
		TakeDateObj  func(v DateObject)                   `sio:"takeDateObj"`
		TakeUtf8     func(s string)                       `sio:"takeUtf8"`
		False        func(v bool)                         `sio:"false"`
		Doge         func(data []byte)                    `sio:"doge"`
		Buffack      func()                               `sio:"buffack"`
		JSONBuffAck  func()                               `sio:"jsonbuff-ack"`
		Abuff2Ack    func()                               `sio:"abuff2-ack"`
		TakeBin      func(data []byte)                    `sio:"takebin"`
		RoomMessage  func(room string, msg any)           `sio:"room message"`
		Broadcast    func(msg any)                        `sio:"broadcast"`
		Double       func(n float64, ack func(m float64)) `sio:"double"`
		DoubleResult func(m float64)                      `sio:"double result"`
	}
}

// The namespaces that accept every connection and have no events.
type (
	Asd struct {
		siogen.Namespace `sio:"/asd"`
	}
	Valid struct {
		siogen.Namespace `sio:"/valid"`
	}
	TimeoutSocket struct {
		siogen.Namespace `sio:"/timeout_socket"`
	}
)

// Foo accepts every connection; the 4.x contract has it answer GetId with
// the id of the /foo socket.
type Foo struct {
	siogen.Namespace `sio:"/foo"`
	ClientToServer   struct {
		GetId func(ack func(id string)) `sio:"getId"`
	}
}

// Abc sends each socket its handshake on connection; query parameters of
// the namespace's CONNECT are part of it.
type Abc struct {
	siogen.Namespace `sio:"/abc"`
	ServerToClient   struct {
		Handshake func(h Handshake) `sio:"handshake"`
	}
}

// No refuses every connection in its middleware.
type No struct {
	siogen.Namespace `sio:"/no"`
}

// Admin admits only handshakes whose query has token=secret.
type Admin struct {
	siogen.Namespace `sio:"/admin"`
	ClientToServer   struct {
		WhoAmI func(ack func(name string)) `sio:"whoami"`
	}
}

// JSONBuffer is the argument of "jsonbuff": Message must arrive as binary.
type JSONBuffer struct {
	Hello   string `json:"hello"`
	Message any    `json:"message"`
	Goodbye string `json:"goodbye"`
}

// AckObject is the second value the client acks "ack" with.
type AckObject struct {
	Test bool `json:"test"`
}

// DateObject carries a date as JavaScript's Date.toJSON writes it.
type DateObject struct {
	Date string `json:"date"`
}

// Handshake is socket.handshake as it travels in JSON; Auth, the CONNECT
// payload, only for socket.io 3.x/4.x clients.
type Handshake struct {
	Headers map[string]string `json:"headers"`
	Time    string            `json:"time"`
	Address string            `json:"address"`
	XDomain bool              `json:"xdomain"`
	Secure  bool              `json:"secure"`
	Issued  int64             `json:"issued"`
	URL     string            `json:"url"`
	Query   map[string]string `json:"query"`
	Auth    any               `json:"auth,omitempty"`
}
