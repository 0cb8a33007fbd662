package main

import (
	"context"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/runtime/redisadapter"
	"github.com/siogen/siogen/runtime/socketio"
)

// joinCluster returns server options that join the cluster of chat nodes
// sharing the Redis server at addr. It speaks socket.io-redis's protocol,
// so Node.js chat nodes with socket.io-redis may join too.
func joinCluster(addr string) (*socketio.Options, *redisadapter.Cluster) {
	cluster := redisadapter.New(redis.NewClient(&redis.Options{Addr: addr}), nil)
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
