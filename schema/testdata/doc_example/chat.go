// Code below is the example of docs/schema.md; keep them in step.

// Package doc_example declares the events of the chat example.
package doc_example

import (
	"time"

	"github.com/siogen/siogen"
)

// Chat is the default namespace: everyone who opens the page joins it.
type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// ChatMessage sends one line to everyone in the room.
		ChatMessage func(msg string) `sio:"chat message"`
		// SetName picks a display name; ok is false when it is taken.
		SetName func(name string, ack func(ok bool)) `sio:"set name"`
		// Upload shares a file; the server replies with its stored size,
		// or an error text.
		Upload func(f File, ack func(size int, err string)) `sio:"upload"`
	}
	ServerToClient ChatEvents
}

// ChatEvents are sent by the server on "/".
type ChatEvents struct {
	// ChatMessage delivers a line from someone.
	ChatMessage func(from string, msg string, at time.Time) `sio:"chat message"`
	// Typing tells who is typing.
	Typing func(names []string) `sio:"typing"`
	// AreYouThere asks the client to answer, to measure latency.
	AreYouThere func(ack func()) `sio:"are you there"`
}

// Admin is for moderators.
type Admin struct {
	siogen.Namespace `sio:"/admin"`

	ClientToServer struct {
		// Kick disconnects a user from "/".
		Kick func(user string, reason string, ack func(kicked bool)) `sio:"kick"`
	}
}
