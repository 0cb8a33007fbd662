package engineio

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// readPoller lets an idle websocket session wait for its next packet
// without a goroutine: the socket is registered, one-shot, in an epoll
// instance of the process, and one goroutine, parked in Go's network poller
// on that epoll's descriptor, starts the session's reader when the socket
// becomes readable. An idle session then costs no goroutine stack or
// descriptor (about 2.6 KiB). The goroutine exits whenever nothing waits.
//
// The zero readPoller is ready to use. Its methods are called by one
// session's reader at a time, except stop, which may run at any moment.
type readPoller struct {
	id    atomic.Uint64 // the pending wait's key in sharedPoll.waits; 0: none
	added atomic.Bool   // the socket is in the epoll set (one-shot, so re-armed with MOD)
}

// arm makes ready run on a new goroutine once nc has data to read, has
// been closed by the peer or has failed. It reports false when it cannot
// arrange that (a TLS or other wrapped connection, an epoll failure); the
// caller then waits itself.
func (p *readPoller) arm(nc net.Conn, ready func()) bool {
	rc := rawConn(nc)
	if rc == nil || !sharedPoll.init() || sharedPoll.broken.Load() {
		return false
	}
	e := &sharedPoll
	id := e.add(ready)
	p.id.Store(id)
	var err error
	cerr := rc.Control(func(fd uintptr) {
		// Inside Control the descriptor cannot be closed and its number
		// reused by another connection, whose registration a MOD would
		// then re-arm with this wait's key.
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT}
		putKey(&ev, id)
		// added is set before the call: the event may fire, and the next
		// reader arm again, before epoll_ctl has returned.
		op, added := unix.EPOLL_CTL_ADD, p.added.Swap(true)
		if added {
			op = unix.EPOLL_CTL_MOD
		}
		if err = unix.EpollCtl(e.epfd, op, int(fd), &ev); err != nil {
			p.added.Store(added)
		}
	})
	if cerr != nil || err != nil {
		p.stop()
		return false
	}
	return true
}

// stop forgets a pending wait: its ready function will not run. The
// socket stays in the epoll set until it is closed, which removes it.
func (p *readPoller) stop() {
	if id := p.id.Swap(0); id != 0 {
		sharedPoll.remove(id)
	}
}

// rawConn returns the descriptor access of a plain TCP or Unix socket, or
// nil for anything else.
func rawConn(nc net.Conn) syscall.RawConn {
	var rc syscall.RawConn
	var err error
	switch c := nc.(type) {
	case *net.TCPConn:
		rc, err = c.SyscallConn()
	case *net.UnixConn:
		rc, err = c.SyscallConn()
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	return rc
}

// putKey and key store a wait's 64-bit key in the event's data, which
// package unix splits into two 32-bit fields, Fd and Pad, on every
// architecture.
func putKey(ev *unix.EpollEvent, id uint64) {
	ev.Fd, ev.Pad = int32(uint32(id)), int32(uint32(id>>32))
}

func key(ev *unix.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}

// sharedPoll is the process's epoll set of idle websockets.
var sharedPoll epollSet

// wakeKey is the key of the eventfd that tells the poll goroutine to look
// at whether anything still waits.
const wakeKey = 0

type epollSet struct {
	once  sync.Once
	ok    bool
	epfd  int
	file  *os.File // epfd, in Go's network poller; held so that its finalizer never closes epfd
	rc    syscall.RawConn
	wakeF int // eventfd

	broken atomic.Bool // epoll_wait failed: arm no more

	mu      sync.Mutex
	waits   map[uint64]func()
	next    uint64
	running bool // the poll goroutine runs
}

// init creates the epoll set on first use and reports whether it works.
func (e *epollSet) init() bool {
	e.once.Do(func() {
		epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			return
		}
		wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
		if err != nil {
			unix.Close(epfd)
			return
		}
		ev := unix.EpollEvent{Events: unix.EPOLLIN}
		putKey(&ev, wakeKey)
		if unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wfd, &ev) != nil || unix.SetNonblock(epfd, true) != nil {
			unix.Close(epfd)
			unix.Close(wfd)
			return
		}
		// A non-blocking descriptor given to os.NewFile joins the network
		// poller, so the goroutine waiting on it holds no thread.
		f := os.NewFile(uintptr(epfd), "epoll")
		rc, err := f.SyscallConn()
		if err != nil {
			f.Close()
			unix.Close(wfd)
			return
		}
		e.epfd, e.file, e.rc, e.wakeF = epfd, f, rc, wfd
		e.waits = make(map[uint64]func())
		e.ok = true
	})
	return e.ok
}

func (e *epollSet) add(ready func()) uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.next++
	id := e.next
	e.waits[id] = ready
	if !e.running {
		e.running = true
		go e.run()
	}
	return id
}

func (e *epollSet) remove(id uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.waits[id]; !ok {
		return
	}
	delete(e.waits, id)
	if len(e.waits) == 0 && e.running {
		e.wake()
	}
}

// wake makes the poll goroutine look at the wait list. Any non-zero
// count will do, whatever the byte order.
func (e *epollSet) wake() {
	unix.Write(e.wakeF, []byte{1, 0, 0, 0, 0, 0, 0, 0})
}

// run takes the epoll set's events and starts each ready function on a
// goroutine of its own, until nothing waits.
func (e *epollSet) run() {
	var events [128]unix.EpollEvent
	var ready []func()
	failed := false
	err := e.rc.Read(func(fd uintptr) bool {
		// The network poller reports the epoll descriptor edge-triggered:
		// take every event before waiting again.
		for {
			n, err := unix.EpollWait(int(fd), events[:], 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				failed = true
				return true
			}
			ready = ready[:0]
			e.mu.Lock()
			for i := 0; i < n; i++ {
				id := key(&events[i])
				if id == wakeKey {
					var b [8]byte
					unix.Read(e.wakeF, b[:])
					continue
				}
				if f, ok := e.waits[id]; ok {
					delete(e.waits, id)
					ready = append(ready, f)
				}
			}
			done := len(e.waits) == 0
			if done {
				// Decided under the lock that add takes: an add after
				// this starts a new goroutine.
				e.running = false
			}
			e.mu.Unlock()
			for _, f := range ready {
				go f()
			}
			if done {
				return true
			}
			if n < len(events) {
				return false
			}
		}
	})
	if err != nil || failed {
		// The epoll descriptor failed, which should not happen: start
		// whatever waits, whose reads then block the ordinary way, and
		// stop arming.
		e.broken.Store(true)
		e.mu.Lock()
		for id, f := range e.waits {
			delete(e.waits, id)
			go f()
		}
		e.running = false
		e.mu.Unlock()
	}
}
