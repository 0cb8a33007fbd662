package main

import (
	"context"
	"flag"
	"log"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/runtime/redisadapter"
	"github.com/siogen/siogen/runtime/socketio"
)

// The Redis flags other than -redis, which main declares.
var (
	redisMaster   = flag.String("redis-master", "", "with -redis: the addresses are Sentinels, and the master they watch is `name`")
	redisSharded  = flag.Bool("redis-sharded", false, "with -redis: use sharded pub/sub (Redis 7+; every node of the cluster must agree)")
	redisProtocol = flag.String("redis-protocol", "socket.io-redis", "with -redis: the cluster's wire protocol, `socket.io-redis` (5.x, socket.io 2.x nodes) or redis-adapter (@socket.io/redis-adapter 8.x, socket.io 4.x nodes)")
)

// joinCluster returns server options that join the cluster of chat nodes
// sharing Redis at addrs, as go-redis' universal client reads them: one
// address is a single server, a comma-separated list a Redis Cluster, and
// with -redis-master the addresses are Sentinels. By default it speaks
// socket.io-redis's protocol, so Node.js chat nodes with socket.io-redis
// may join too.
func joinCluster(addrs string) (*socketio.Options, *redisadapter.Cluster) {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:      strings.Split(addrs, ","),
		MasterName: *redisMaster,
	})
	opts := &redisadapter.Options{Sharded: *redisSharded}
	switch *redisProtocol {
	case "socket.io-redis":
	case "redis-adapter":
		opts.Protocol = redisadapter.ProtocolRedisAdapter8
	default:
		log.Fatalf("-redis-protocol %q: want socket.io-redis or redis-adapter", *redisProtocol)
	}
	cluster := redisadapter.New(rdb, opts)
	return &socketio.Options{Adapter: cluster.Adapter}, cluster
}

// reportJoined logs when the node's subscription is in place, or that
// Redis has not answered within 5 s (the cluster keeps trying).
func reportJoined(logger *log.Logger, cluster *redisadapter.Cluster, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cluster.Ready(ctx); err != nil {
		logger.Printf("redis %s: %v; retrying in the background", addr, err)
		return
	}
	logger.Printf("joined the cluster through redis %s", addr)
}
