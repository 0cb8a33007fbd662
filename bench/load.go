package main

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds what the project's own load generators (poll.go, the
// long-polling scenario; mixed.go, the fan-out mixing Engine.IO revisions)
// share: how they open sessions, record deliveries, wait for the last ones
// and measure CPU.

// connectPaced opens n sessions with dial, at rate per second and at most
// 200 at a time, and returns the connected ones in id order with their
// connect latencies. A failed dial is passed to noteErr.
func connectPaced[C any](n int, rate float64, dial func(i int) (C, error), id func(C) int, noteErr func(error)) ([]C, []time.Duration) {
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		clients []C
		lat     []time.Duration
	)
	sem := make(chan struct{}, 200)
	start := time.Now()
	for i := 0; i < n; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(float64(i) / rate * 1e9))))
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			t0 := time.Now()
			c, err := dial(i)
			if err != nil {
				noteErr(err)
				return
			}
			mu.Lock()
			clients = append(clients, c)
			lat = append(lat, time.Since(t0))
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.SortFunc(clients, func(a, b C) int { return id(a) - id(b) })
	return clients, lat
}

// receipts is what one receiver got: the sequence numbers seen (a bitset,
// for duplicates) and the latency of each first delivery.
type receipts struct {
	mu   sync.Mutex
	seen []uint64
	lat  []int64 // µs
}

// add records message seq, sent at ts, arriving at now (ns), and reports
// whether it is the first delivery of seq.
func (r *receipts) add(seq, ts, now int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, bit := seq/64, uint64(1)<<(seq%64)
	for int64(len(r.seen)) <= i {
		r.seen = append(r.seen, 0)
	}
	if r.seen[i]&bit != 0 {
		return false
	}
	r.seen[i] |= bit
	r.lat = append(r.lat, (now-ts)/1e3)
	return true
}

// appendLatencies appends the latencies recorded to dst.
func (r *receipts) appendLatencies(dst []time.Duration) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, us := range r.lat {
		dst = append(dst, time.Duration(us)*time.Microsecond)
	}
	return dst
}

// storeMax raises v to at least x.
func storeMax(v *atomic.Int64, x int64) {
	for {
		old := v.Load()
		if x <= old || v.CompareAndSwap(old, x) {
			return
		}
	}
}

// parseChat reads `SENDER:SEQ:TS"]` (perhaps followed by more: googollee
// ends its packets with a newline), what appendChat wrote.
func parseChat(p []byte) (seq, ts int64, ok bool) {
	var f [3]int64
	for i := range f {
		j := 0
		for ; j < len(p) && p[j] >= '0' && p[j] <= '9'; j++ {
			f[i] = f[i]*10 + int64(p[j]-'0')
		}
		if j == 0 || (i < 2 && (j == len(p) || p[j] != ':')) {
			return 0, 0, false
		}
		p = p[min(j+1, len(p)):]
	}
	return f[1], f[2], true
}

// awaitDeliveries waits, at most grace, until delivered reaches expected
// or stops growing for 2 s (what is still missing then is lost).
func awaitDeliveries(grace time.Duration, expected int64, delivered func() int64) {
	last, lastAt := int64(-1), time.Now()
	for deadline := time.Now().Add(grace); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		n := delivered()
		if n >= expected {
			return
		}
		if n != last {
			last, lastAt = n, time.Now()
		} else if time.Since(lastAt) > 2*time.Second {
			return
		}
	}
}

// cpuMeter measures the CPU of the server process and of this generator
// from its start.
type cpuMeter struct {
	pid         int
	server, own float64
	t0          time.Time
}

func startCPU(pid int) cpuMeter {
	return cpuMeter{pid: pid, server: procCPU(pid), own: selfCPU(), t0: time.Now()}
}

// stop returns the CPU seconds used since the start and their percentage
// of the wall time, the server's -1 when /proc cannot tell.
func (m cpuMeter) stop() (serverS, serverPct, ownS, ownPct float64) {
	wall := time.Since(m.t0).Seconds()
	if cpu1 := procCPU(m.pid); m.server >= 0 && cpu1 >= 0 {
		serverS = cpu1 - m.server
		serverPct = 100 * serverS / wall
	} else {
		serverS, serverPct = -1, -1
	}
	ownS = selfCPU() - m.own
	return serverS, serverPct, ownS, 100 * ownS / wall
}
