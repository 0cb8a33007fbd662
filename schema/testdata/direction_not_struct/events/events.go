// Package events declares an event struct outside the schema package.
package events

// Admin are events of the admin namespace.
type Admin struct {
	Kick func(user string) `sio:"kick"`
}
