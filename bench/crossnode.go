package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// The crossnode scenario runs two nodes of one server joined through a
// private Redis, behind a round-robin TCP forwarder: sioload's chat receivers
// are split evenly over the nodes, so every message reaches half of them
// through Redis. crossnode-cluster is the same over a Redis Cluster of three
// masters; crossnode-v4 makes node B node-chat-v4 (socket.io 4.8.3 with
// @socket.io/redis-adapter 8.3.0) and node A the server speaking that
// adapter's protocol: a mixed cluster with socket.io 4.x.

// crossnodeScenarios are the scenarios of two nodes joined through Redis.
var crossnodeScenarios = map[string]bool{"crossnode": true, "crossnode-cluster": true, "crossnode-v4": true}

// clusterServers are the servers that can join a cluster through Redis.
var clusterServers = map[string]bool{"siogen": true, "node-chat": true}

// redisServer is a private redis-server on a free loopback port.
type redisServer struct {
	addr string
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// startRedis runs redis-server, persisting nothing, pinned to the server
// CPUs (it is part of what serves the chat), and waits until it answers PING.
// extra are more redis-server arguments.
func startRedis(ctx context.Context, c *config, extra ...string) (*redisServer, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errNoRedis
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(c.work, "redis-")
	if err != nil {
		return nil, err
	}
	argv := []string{path, "--bind", "127.0.0.1", "--port", port, "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"}
	argv = append(argv, extra...)
	if c.pin {
		argv = append([]string{"taskset", "-c", c.serverCPU}, argv...)
	}
	logPath := filepath.Join(c.work, "redis-crossnode-"+port+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir // where a cluster node writes its nodes.conf
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &redisServer{addr: "127.0.0.1:" + port, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() { cmd.Wait(); close(r.done) }()
	rdb := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err = rdb.Ping(ctx).Err(); err == nil {
			return r, nil
		}
		select {
		case <-r.done:
			return nil, fmt.Errorf("redis-server exited: %s", tail(logPath))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.stop()
			return nil, fmt.Errorf("redis-server on %s: %v", r.addr, err)
		}
	}
}

var errNoRedis = errors.New("redis-server is not installed (apt-get install redis-server)")

func (r *redisServer) pid() int { return r.cmd.Process.Pid }

func (r *redisServer) stop() {
	r.cmd.Process.Kill()
	<-r.done
}

// startRedisCluster runs three redis-servers in cluster mode and joins
// them into one Redis Cluster with redis-cli, every slot assigned.
func startRedisCluster(ctx context.Context, c *config) ([]*redisServer, error) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, errors.New("redis-cli is not installed (apt-get install redis-tools)")
	}
	var rs []*redisServer
	var addrs []string
	for range 3 {
		r, err := startRedis(ctx, c, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
		if err != nil {
			stopAll(rs)
			return nil, err
		}
		rs = append(rs, r)
		addrs = append(addrs, r.addr)
	}
	args := append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		stopAll(rs)
		return nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, r := range rs {
		rdb := redis.NewClient(&redis.Options{Addr: r.addr})
		var info string
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(info, "cluster_state:ok"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				rdb.Close()
				stopAll(rs)
				return nil, fmt.Errorf("redis cluster node %s not ok within 20s: %s", r.addr, info)
			}
			info, _ = rdb.ClusterInfo(ctx).Result()
		}
		rdb.Close()
	}
	return rs, nil
}

func stopAll(rs []*redisServer) {
	for _, r := range rs {
		r.stop()
	}
}

// waitSubscribers waits until n Redis clients hold a pattern subscription,
// on any of the Redis servers at addrs: both servers' adapters subscribe
// after they listen, and a message published before then would be lost to
// the other node.
func waitSubscribers(ctx context.Context, addrs []string, n int) error {
	var got int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		got = 0
		for _, addr := range addrs {
			rdb := redis.NewClient(&redis.Options{Addr: addr})
			list, err := rdb.ClientList(ctx).Result()
			rdb.Close()
			if err != nil {
				return err
			}
			for _, line := range strings.Split(list, "\n") {
				for _, f := range strings.Fields(line) {
					if strings.HasPrefix(f, "psub=") && f != "psub=0" {
						got++
					}
				}
			}
		}
		if got >= n {
			return nil
		}
	}
	return fmt.Errorf("%d of %d nodes subscribed to Redis within 30s", got, n)
}

// forwarder accepts TCP connections on a loopback port and hands them to
// its backends in turn, copying bytes both ways: a load balancer without
// sticky sessions, which websocket-only clients do not need.
type forwarder struct {
	ln       net.Listener
	backends []string
	next     atomic.Uint64
	conns    []atomic.Int64 // connections handed to each backend
	wg       sync.WaitGroup
	mu       sync.Mutex
	open     map[net.Conn]struct{}
}

func startForwarder(backends ...string) (*forwarder, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &forwarder{ln: ln, backends: backends, conns: make([]atomic.Int64, len(backends)), open: map[net.Conn]struct{}{}}
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

func (f *forwarder) addr() string { return f.ln.Addr().String() }

func (f *forwarder) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		i := int((f.next.Add(1) - 1) % uint64(len(f.backends)))
		f.conns[i].Add(1)
		f.wg.Add(1)
		go f.pipe(c, f.backends[i])
	}
}

// track records c as open (to close it in stop), or forgets it.
func (f *forwarder) track(c net.Conn, open bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if open {
		f.open[c] = struct{}{}
	} else {
		delete(f.open, c)
	}
}

func (f *forwarder) pipe(client net.Conn, backend string) {
	defer f.wg.Done()
	defer client.Close()
	server, err := net.DialTimeout("tcp", backend, 10*time.Second)
	if err != nil {
		return
	}
	defer server.Close()
	f.track(client, true)
	f.track(server, true)
	defer f.track(client, false)
	defer f.track(server, false)
	done := make(chan struct{})
	go func() {
		io.Copy(server, client)
		server.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(client, server)
	client.(*net.TCPConn).CloseWrite()
	<-done
}

// stop closes the listener and every connection still open.
func (f *forwarder) stop() {
	f.ln.Close()
	f.mu.Lock()
	for c := range f.open {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// cluster is a running crossnode set-up: Redis (one server, or the
// masters of a Redis Cluster), two nodes, the forwarder.
type cluster struct {
	redis []*redisServer
	nodes [2]*running
	fwd   *forwarder
}

// joins returns how the server joins the cluster of the scenario, or nil
// when it cannot.
func (s *server) joins(scenario string) func(redisAddr string) (args, env []string) {
	switch scenario {
	case "crossnode-cluster":
		if !s.redisCluster {
			return nil
		}
	case "crossnode-v4":
		return s.protocol4
	}
	return s.cluster
}

// startCluster starts Redis, then two nodes joined through it (of s, or for
// crossnode-v4 s and peer), then the forwarder in front of them, and waits
// until both nodes have subscribed.
func startCluster(ctx context.Context, c *config, scenario string, s, peer *server, env []string) (cl *cluster, err error) {
	if s.joins(scenario) == nil {
		return nil, fmt.Errorf("%s cannot join a cluster of %s", s.name, scenario)
	}
	cl = &cluster{}
	defer func() {
		if err != nil {
			cl.stop()
		}
	}()
	if scenario == "crossnode-cluster" {
		if cl.redis, err = startRedisCluster(ctx, c); err != nil {
			return nil, err
		}
	} else {
		r, err := startRedis(ctx, c)
		if err != nil {
			return nil, err
		}
		cl.redis = []*redisServer{r}
	}
	var addrs []string
	for _, r := range cl.redis {
		addrs = append(addrs, r.addr)
	}
	nodes := [2]*server{s, s}
	if scenario == "crossnode-v4" {
		nodes[1] = peer
	}
	for i, tag := range []string{scenario + "-a", scenario + "-b"} {
		args, clusterEnv := nodes[i].joins(scenario)(strings.Join(addrs, ","))
		if nodes[i] != s {
			env = nil // the profile is siogen's
		}
		if cl.nodes[i], err = nodes[i].startWith(c, tag, args, append(clusterEnv, env...)...); err != nil {
			return nil, err
		}
	}
	if err = waitSubscribers(ctx, addrs, 2); err != nil {
		return nil, err
	}
	cl.fwd, err = startForwarder(cl.nodes[0].addr, cl.nodes[1].addr)
	return cl, err
}

// exited reports whether a node or Redis died during the scenario.
func (cl *cluster) exited() error {
	for i, n := range cl.nodes {
		if err := n.exited(); err != nil {
			return fmt.Errorf("node %c: %w", 'A'+i, err)
		}
	}
	for _, r := range cl.redis {
		select {
		case <-r.done:
			return fmt.Errorf("redis-server exited: %s", tail(r.log))
		default:
		}
	}
	return nil
}

func (cl *cluster) stop() {
	if cl.fwd != nil {
		cl.fwd.stop()
	}
	for _, n := range cl.nodes {
		if n != nil {
			n.stop()
		}
	}
	stopAll(cl.redis)
}

// lineWriter calls fn on each complete line written to it, as it arrives,
// and keeps everything written in buf.
type lineWriter struct {
	buf     strings.Builder
	partial []byte
	fn      func(line string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := strings.IndexByte(string(w.partial), '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}
