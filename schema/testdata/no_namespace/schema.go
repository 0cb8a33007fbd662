// Package no_namespace declares events but forgets the siogen.Namespace
// marker.
package no_namespace

type Chat struct {
	ClientToServer struct {
		Hello func(msg string) `sio:"hello"`
	}
}
