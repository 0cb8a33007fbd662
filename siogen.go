// Package siogen generates typed Socket.IO servers and clients from a schema
// written in plain Go.
//
// Using siogen takes three steps: write a schema, generate code from it, and
// run that code on the siogen runtime.
//
// # Schema
//
// In a package of its own, declare each namespace as a struct that
// embeds [Namespace], tagged with the namespace's path. Its ClientToServer and
// ServerToClient fields list the events of each direction: one func-typed
// field per event, tagged with the event's name on the wire. The func's
// parameters are the payload; an optional last parameter of func type is the
// acknowledgement, and its parameters are the values the receiver replies
// with.
//
//	package chatschema
//
//	import "github.com/siogen/siogen"
//
//	// Chat is the default namespace.
//	type Chat struct {
//		siogen.Namespace `sio:"/"`
//
//		ClientToServer struct {
//			// ChatMessage carries one line of chat.
//			ChatMessage func(msg string)                    `sio:"chat message"`
//			SetName     func(name string, ack func(ok bool)) `sio:"set name"`
//		}
//		ServerToClient struct {
//			ChatMessage func(msg string) `sio:"chat message"`
//		}
//	}
//
// The compiler checks the schema like any Go code, and the payload types may
// come from any package. The full set of rules, with the error each mistake
// produces, is in docs/schema.md.
//
// # Generate
//
// Run the siogen command in the schema package from a go:generate line,
// after adding it to your module's tools with
// "go get -tool github.com/siogen/siogen/cmd/siogen":
//
//	//go:generate go tool siogen
//
// It loads the schema (package github.com/siogen/siogen/schema), reports every
// mistake at file:line:col, and writes *_siogen.go files holding typed
// handlers and emitters for the server and a typed client, with the schema's
// doc comments carried over. Generated files are meant to be checked in.
//
// # Runtime
//
// The generated code calls the Socket.IO layer, package runtime/socketio
// (packets, binary attachments, namespaces, rooms, acks), which sits on the
// Engine.IO layer, package runtime/engineio (sessions, long polling and
// websocket transports, heartbeats). They speak the wire protocol of socket.io 2.x, so
// the official JavaScript clients and servers interoperate with the
// generated code.
package siogen

// Namespace marks a struct in a schema package as a Socket.IO namespace.
// Embed it, tagged with the namespace's path, which must start with "/":
//
//	type Admin struct {
//		siogen.Namespace `sio:"/admin"`
//
//		ClientToServer struct{ ... } // events the server handles
//		ServerToClient struct{ ... } // events the client handles
//	}
//
// Namespace carries no data and has no methods: schema structs are read by
// the generator and never instantiated at run time.
type Namespace struct{}
