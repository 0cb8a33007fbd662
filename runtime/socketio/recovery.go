package socketio

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// RecoveryOptions turn on connection state recovery (socket.io 4.6+) for
// socket.io 3.x/4.x clients: a socket whose connection is lost (not one
// that left its namespace or was disconnected by the server) may come back
// within MaxDisconnectionDuration with its id and rooms, and receives what
// was sent to it meanwhile. socket.io 2.x clients are not concerned.
//
// Every event sent to a v5 socket without an ack request then carries one
// more, last argument: its offset, which the client sends back when it
// reconnects. The server keeps every such packet for MaxDisconnectionDuration,
// in memory, per namespace and per node: a cluster's nodes do not share
// them, so a client must reconnect to its node (sticky sessions).
type RecoveryOptions struct {
	// MaxDisconnectionDuration is how long a lost session, and each packet
	// sent, is kept. Default 2 minutes, socket.io's.
	MaxDisconnectionDuration time.Duration
	// RunMiddlewares runs the namespace's middleware for a recovered socket
	// too. Default false: skipped, as socket.io's skipMiddlewares.
	RunMiddlewares bool
}

// recoverableReasons are the disconnect reasons after which a session is
// kept, as socket.io 4.x's RECOVERABLE_DISCONNECT_REASONS.
var recoverableReasons = []string{
	ReasonTransportError, ReasonTransportClose, engineio.ReasonForcedClose,
	ReasonPingTimeout, ReasonServerShutdown, ReasonForcedServerClose,
}

// recovery keeps one namespace's sent packets and lost sessions.
type recovery struct {
	opts   RecoveryOptions
	prefix string // makes offsets unique across restarts

	mu       sync.Mutex
	seq      uint64
	packets  []keptPacket // in the order sent, oldest first
	sessions map[string]*keptSession
	live     int // connected v5 sockets: without them and sessions nothing is kept
}

type keptPacket struct {
	offset        string
	at            time.Time
	msgs          []engineio.Message // the Socket.IO v5 encoding, offset included
	rooms, except []string
}

type keptSession struct {
	id, pid string
	rooms   []string
	data    any // Socket.Data, as socket.io keeps socket.data
	at      time.Time
}

func newRecovery(o RecoveryOptions) *recovery {
	if o.MaxDisconnectionDuration <= 0 {
		o.MaxDisconnectionDuration = 2 * time.Minute
	}
	var b [4]byte
	rand.Read(b[:])
	return &recovery{opts: o, prefix: base64.RawURLEncoding.EncodeToString(b[:]), sessions: make(map[string]*keptSession)}
}

// recordable reports whether p is kept and gets an offset: an event that
// asks for no ack.
func recordable(p *codec.Packet) bool {
	return (p.Type == codec.Event || p.Type == codec.BinaryEvent) && !p.HasID && len(p.Data) > 1
}

// record appends a fresh offset to the event p (sent to the sockets opts
// selects), keeps it, and returns its v5 encoding. It returns nil when
// nothing can need it: no v5 socket is connected and no session is kept.
func (r *recovery) record(p *codec.Packet, opts BroadcastOptions) []engineio.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.pruneLocked(now)
	if r.live == 0 && len(r.sessions) == 0 {
		return nil
	}
	r.seq++
	offset := r.prefix + strconv.FormatUint(r.seq, 36)
	withOffset := *p
	data := make([]byte, 0, len(p.Data)+len(offset)+3)
	data = append(data, p.Data[:len(p.Data)-1]...) // the array without its ]
	data = append(data, `,"`...)
	data = append(data, offset...)
	data = append(data, `"]`...)
	withOffset.Data = data
	msgs := encode(&withOffset, codec.V5)
	r.packets = append(r.packets, keptPacket{offset: offset, at: now, msgs: msgs, rooms: opts.Rooms, except: opts.Except})
	return msgs
}

// pruneLocked drops the packets and sessions older than
// MaxDisconnectionDuration.
func (r *recovery) pruneLocked(now time.Time) {
	cut := now.Add(-r.opts.MaxDisconnectionDuration)
	i := 0
	for i < len(r.packets) && r.packets[i].at.Before(cut) {
		r.packets[i] = keptPacket{}
		i++
	}
	if i > 0 {
		r.packets = r.packets[i:]
		if len(r.packets) == 0 {
			r.packets = nil // let the backing array go
		}
	}
	for pid, s := range r.sessions {
		if s.at.Before(cut) {
			delete(r.sessions, pid)
		}
	}
}

// keep records the session of a socket that lost its connection.
func (r *recovery) keep(id, pid string, rooms []string, data any) {
	r.mu.Lock()
	r.sessions[pid] = &keptSession{id: id, pid: pid, rooms: rooms, data: data, at: time.Now()}
	r.mu.Unlock()
}

// restore takes the kept session pid back when it has not expired and
// offset is a kept packet, with the packets sent after offset to its
// rooms, as socket.io's restoreSession.
func (r *recovery) restore(pid, offset string) (*keptSession, [][]engineio.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruneLocked(time.Now())
	s := r.sessions[pid]
	if s == nil {
		return nil, nil, false
	}
	i := slices.IndexFunc(r.packets, func(p keptPacket) bool { return p.offset == offset })
	if i < 0 {
		return nil, nil, false
	}
	delete(r.sessions, pid)
	var missed [][]engineio.Message
	for _, p := range r.packets[i+1:] {
		if reaches(s.rooms, p.rooms, p.except) {
			missed = append(missed, p.msgs)
		}
	}
	return s, missed, true
}

// reaches reports whether a packet sent to rooms except except reaches a
// socket in socketRooms.
func reaches(socketRooms, rooms, except []string) bool {
	for _, r := range except {
		if slices.Contains(socketRooms, r) {
			return false
		}
	}
	if len(rooms) == 0 {
		return true
	}
	for _, r := range rooms {
		if slices.Contains(socketRooms, r) {
			return true
		}
	}
	return false
}

// connected and gone count the namespace's connected v5 sockets.
func (r *recovery) connected() {
	r.mu.Lock()
	r.live++
	r.mu.Unlock()
}

func (r *recovery) gone() {
	r.mu.Lock()
	r.live--
	r.mu.Unlock()
}

// recoveryRequest reads the pid and offset a v5 CONNECT payload carries to
// ask for its session back.
func recoveryRequest(auth []byte) (pid, offset string, ok bool) {
	if len(auth) == 0 || !bytes.Contains(auth, []byte(`"pid"`)) {
		return "", "", false
	}
	var req struct {
		PID    *string `json:"pid"`
		Offset *string `json:"offset"`
	}
	if json.Unmarshal(auth, &req) != nil || req.PID == nil || req.Offset == nil {
		return "", "", false
	}
	return *req.PID, *req.Offset, true
}
