package socketio

import (
	"errors"
	"log/slog"
)

// InternalErrorMessage is what the peer receives in place of an error that
// is not meant for it: a handler's error that is not a *ClientError, a
// middleware refusal that is not one, a panic in middleware. The error
// itself is logged (or handed to OnError), never sent.
const InternalErrorMessage = "internal error"

// ClientError is an error meant for the peer. Its Message is what the
// peer receives: in an ack answered with {"error": Message} when a handler
// returns it or an event middleware refuses with it, or in the connect
// error when a connection middleware refuses with it. It may be wrapped
// (fmt.Errorf("...: %w", err)): errors.As finds it, and the peer gets its
// Message alone. Any other error's text stays on the server: the peer gets
// InternalErrorMessage, and the error is logged with log/slog.
//
// The runtime's own errors about what a peer sent (an *ArgError, an
// *AuthError) are meant for the peer too.
type ClientError struct {
	Message string
	Err     error // the cause, if any: for the server's logs and errors.Is, never sent
}

// NewClientError returns a *ClientError with message, which the peer
// receives. To keep the cause for the server's logs, set Err:
// &socketio.ClientError{Message: "could not save", Err: err}.
func NewClientError(message string) *ClientError {
	return &ClientError{Message: message}
}

func (e *ClientError) Error() string { return e.Message }

func (e *ClientError) Unwrap() error { return e.Err }

// forPeer returns the text of err that a peer may read, and whether err
// was meant for it. An error that is not gets InternalErrorMessage.
func forPeer(err error) (string, bool) {
	var ce *ClientError
	if errors.As(err, &ce) {
		return ce.Message, true
	}
	var ae *ArgError
	if errors.As(err, &ae) {
		return ae.Error(), true
	}
	var au *AuthError
	if errors.As(err, &au) {
		return au.Error(), true
	}
	return InternalErrorMessage, false
}

// logInternal logs an error that the peer was not told about, so that
// the server's operators still see it.
func logInternal(log *slog.Logger, msg string, err error, args ...any) {
	if log == nil {
		log = slog.Default()
	}
	log.Error(msg, append(args, "err", err)...)
}
