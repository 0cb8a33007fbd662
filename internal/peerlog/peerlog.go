// Package peerlog bounds what one peer can make a server write to its log.
//
// A client that misbehaves on purpose can repeat the same bad input many
// times a second; a log line per occurrence lets it grow the log far faster
// than its own traffic (one 1 MB POST once made 166,675 lines). A Log, one
// per session, writes the first occurrence of each kind of message in full
// and only counts the repeats; Close writes one line per kind with the count
// when the session ends. Both the engine and the socket layer keep one per
// session.
package peerlog

import (
	"context"
	"log/slog"
	"sync"
)

// Log is the misbehaviour log of one session. Its zero value is ready; it is
// safe for concurrent use.
type Log struct {
	mu      sync.Mutex
	repeats []repeat // a handful of kinds at most: a slice costs an idle session nothing
}

// repeat counts the occurrences of one kind after the first.
type repeat struct {
	level slog.Level
	msg   string
	n     int
}

// Info logs msg at Info level the first time this session reports it, and
// counts it afterwards.
func (l *Log) Info(logger *slog.Logger, msg string, args ...any) {
	l.log(logger, slog.LevelInfo, msg, args)
}

// Warn is Info at Warn level.
func (l *Log) Warn(logger *slog.Logger, msg string, args ...any) {
	l.log(logger, slog.LevelWarn, msg, args)
}

// Error is Info at Error level.
func (l *Log) Error(logger *slog.Logger, msg string, args ...any) {
	l.log(logger, slog.LevelError, msg, args)
}

// log writes msg unless it was written before for this session; the message
// text is the kind.
func (l *Log) log(logger *slog.Logger, level slog.Level, msg string, args []any) {
	l.mu.Lock()
	for i := range l.repeats {
		if l.repeats[i].msg == msg {
			l.repeats[i].n++
			l.mu.Unlock()
			return
		}
	}
	l.repeats = append(l.repeats, repeat{level: level, msg: msg})
	l.mu.Unlock()
	logger.Log(context.Background(), level, msg, args...)
}

// Close writes, for every kind that repeated, one line with the message,
// args (which identify the session) and "repeats", the number of
// occurrences that were not written. It forgets the counts, so a second
// Close writes nothing.
func (l *Log) Close(logger *slog.Logger, args ...any) {
	l.mu.Lock()
	repeats := l.repeats
	l.repeats = nil
	l.mu.Unlock()
	for _, r := range repeats {
		if r.n > 0 {
			logger.Log(context.Background(), r.level, r.msg+" (repeats)", append(args[:len(args):len(args)], "repeats", r.n)...)
		}
	}
}
