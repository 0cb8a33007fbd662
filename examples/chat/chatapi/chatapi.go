// Package chatapi is the schema of the chat example: the seed's wire
// contract ("chat message" with a string, sent to every client, the sender
// included) plus what a real chat needs: nicknames, join and leave notices,
// and an ack that confirms delivery to the sender.
package chatapi

//go:generate go tool siogen -ts ../ts/chatapi.ts -asyncapi asyncapi.json

import "github.com/siogen/siogen"

// Chat is the default namespace.
type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// ChatMessage sends a line to everyone, the sender included. The ack,
		// when the client asks for one, says how many clients it was sent to.
		ChatMessage func(msg string, ack func(recipients int)) `sio:"chat message"`
		// SetName picks a nickname; the ack carries the name the server kept
		// (trimmed, at most 32 characters, "anonymous" when empty).
		SetName func(name string, ack func(name string)) `sio:"set name"`
	}

	ServerToClient struct {
		// ChatMessage carries a line sent by anyone, as the seed does.
		ChatMessage func(msg string) `sio:"chat message"`
		// UserJoined tells everyone else that a user picked a name.
		UserJoined func(name string, users int) `sio:"user joined"`
		// UserLeft tells everyone that a named user left.
		UserLeft func(name string, users int) `sio:"user left"`
	}
}
