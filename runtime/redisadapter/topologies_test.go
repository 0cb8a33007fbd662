package redisadapter

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/internal/redistest"
)

// TestRedisCluster: two nodes on a Redis Cluster of three masters, with
// plain and with sharded pub/sub. A broadcast from each node reaches every
// client once, a room broadcast its members only, and a query counts the
// subscribers of every master.
func TestRedisCluster(t *testing.T) {
	rc := redistest.StartCluster(t, 3)
	for _, sharded := range []bool{false, true} {
		t.Run(fmt.Sprintf("sharded=%v", sharded), func(t *testing.T) {
			// A key of its own per run, so that the runs do not meet.
			opts := &Options{Key: fmt.Sprintf("cluster-%v", sharded), Sharded: sharded}
			newClient := func() redis.UniversalClient {
				return redis.NewClusterClient(&redis.ClusterOptions{Addrs: rc.Addrs, DialTimeout: time.Second})
			}
			a, b := startGoNodeWith(t, newClient(), opts), startGoNodeWith(t, newClient(), opts)
			a1, a2, b1 := dial(t, a.url), dial(t, a.url), dial(t, b.url)
			b1.join(t, "room")
			a1.Emit("say", "from a")
			b1.Emit("say", "from b")
			a2.Emit("say to", "room", "to room")
			settleGo(t, []*goNode{a, b}, a1, a2, b1)
			expect(t, "from a", map[*client]int{a1: 1, a2: 1, b1: 1})
			expect(t, "from b", map[*client]int{a1: 1, a2: 1, b1: 1})
			expect(t, "to room", map[*client]int{a1: 0, a2: 0, b1: 1})
			ids, err := a.nsp.SocketsIn(ctxFor(t, wait))
			if err != nil || !slices.Equal(ids, sorted(a1.ID(), a2.ID(), b1.ID())) {
				t.Errorf("sockets across the cluster: %q, %v", ids, err)
			}
			if err := a.adapter().RemoteJoin(ctxFor(t, wait), b1.ID(), "joined"); err != nil {
				t.Errorf("remote join across the cluster: %v", err)
			}
			if rooms := b.adapter().SocketRooms(b1.ID()); !slices.Contains(rooms, "joined") {
				t.Errorf("rooms of b1 after the remote join: %q", rooms)
			}
		})
	}
}

// TestSentinel: two nodes reach Redis through a Sentinel. The master is
// killed; the Sentinel promotes the replica, and the nodes, restarted by
// nobody, carry broadcasts across again.
func TestSentinel(t *testing.T) {
	rs := redistest.StartSentinel(t)
	newClient := func() redis.UniversalClient {
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: rs.MasterName, SentinelAddrs: []string{rs.Addr}, DialTimeout: time.Second, MaxRetries: -1,
		})
	}
	a, b := startGoNodeWith(t, newClient(), nil), startGoNodeWith(t, newClient(), nil)
	a1, b1 := dial(t, a.url), dial(t, b.url)
	a1.Emit("say", "before")
	settleGo(t, []*goNode{a, b}, a1, b1)
	expect(t, "before", map[*client]int{a1: 1, b1: 1})

	old := rs.Master.Addr
	rs.Master.Stop()
	if !waitUntil(30*time.Second, func() bool {
		addr, err := rs.MasterAddr()
		return err == nil && addr != old
	}) {
		t.Fatalf("the sentinel promoted no replica within 30s")
	}
	// Publications are lost until both nodes have found the new master and
	// subscribed on it: each node says "after <i>" until the other node's
	// client has one.
	for _, c := range []struct {
		from *goNode
		to   *client
	}{{a, b1}, {b, a1}} {
		i := 0
		if !waitUntil(20*time.Second, func() bool {
			i++
			c.from.nsp.Emit("said", fmt.Sprint("after ", i))
			for _, m := range c.to.received() {
				if len(m) > 6 && m[:6] == "after " {
					return true
				}
			}
			return false
		}) {
			t.Fatalf("no broadcast from %s reached %s after the failover; got %q", c.from.url, c.to.ID(), c.to.received())
		}
	}
	if err := a.cluster.Ready(ctxFor(t, wait)); err != nil {
		t.Fatal(err)
	}
	settleGo(t, []*goNode{a, b}, a1, b1)
	a1.Emit("say", "after the failover")
	settleGo(t, []*goNode{a, b}, a1, b1)
	expect(t, "after the failover", map[*client]int{a1: 1, b1: 1})
}

// TestShardedOnOneServer: sharded pub/sub works on a single Redis 7 too
// (one shard), so the option does not depend on the topology.
func TestShardedOnOneServer(t *testing.T) {
	r := redistest.Start(t)
	opts := &Options{Sharded: true}
	a, b := startGoNode(t, r, opts), startGoNode(t, r, opts)
	a1, b1 := dial(t, a.url), dial(t, b.url)
	b1.join(t, "room")
	a1.Emit("say", "sharded")
	a1.Emit("say to", "room", "sharded to room")
	settleGo(t, []*goNode{a, b}, a1, b1)
	expect(t, "sharded", map[*client]int{a1: 1, b1: 1})
	expect(t, "sharded to room", map[*client]int{a1: 0, b1: 1})
	if ids, err := b.nsp.SocketsIn(ctxFor(t, wait)); err != nil || !slices.Equal(ids, sorted(a1.ID(), b1.ID())) {
		t.Errorf("sockets: %q, %v", ids, err)
	}
}
