package everything

import (
	"time"

	"github.com/siogen/siogen"
)

type (
	// Admin is the namespace for operators.
	Admin struct {
		siogen.Namespace `sio:"/admin"`

		// Auth is what clients send with their CONNECT.
		Auth AdminCredentials

		// Only ClientToServer here; ServerToClient is optional.
		ClientToServer struct {
			Kick    func(user UserID, reason string, ack func(kicked bool, err string))       `sio:"kick"`
			Inspect func(b Box[Blob], s Status, f Flags, ratio float32, ack func(b Box[int])) `sio:"inspect"`
			// Message uses a wire name the other direction uses too.
			Message func(msg string) `sio:"chat message"`
		}
		ServerToClient struct {
			Message  func(msg string)                   `sio:"chat message"`
			Shutdown func(in time.Duration, ack func()) `sio:"shutdown"`
			Sign     func(s Signed, o *Opaque)          `sio:"sign"`
		}
	}

	// Empty has no events; clients may still connect to it.
	Empty struct {
		siogen.Namespace `sio:"/empty"`
	}
)

// AdminCredentials is the CONNECT payload of Admin.
type AdminCredentials struct {
	Token string `json:"token"`
	Level int    `json:"level,omitempty"`
}

// NotANamespace is an ordinary struct and is ignored.
type NotANamespace struct {
	ClientToServer struct{ X int }
}
