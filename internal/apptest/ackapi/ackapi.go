// Package ackapi is the schema of the end-to-end tests of broadcasts with
// acks: the server asks every client for a vote, and the generated
// PollServer.EmitVote and PollBroadcast.EmitVote gather the typed answers.
package ackapi

//go:generate go tool siogen

import "github.com/siogen/siogen"

// Poll is the default namespace.
type Poll struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// Enter puts the client in room; the ack says it is in.
		Enter func(room string, ack func()) `sio:"enter"`
	}

	ServerToClient struct {
		// Vote asks a client to choose; its ack carries the choice and
		// how much it weighs.
		Vote func(question string, ack func(choice string, weight int)) `sio:"vote"`
	}
}
