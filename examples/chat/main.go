// Command chat is the classic Socket.IO chat, built entirely from code that
// siogen generated from package chatapi: open http://localhost:3000 in two
// tabs and type.
//
//	go run ./examples/chat [-addr :3000] [-redis host:port[,host:port...]] [-redis-master name] [-write-interval 20ms]
//
// With -redis, several chat servers behind a load balancer share their
// users through Redis (see the README). -write-interval batches what a busy
// room sends each client (engineio.Options.MinWriteInterval): a line waits at
// most that long, and the server makes far fewer system calls. 20 ms caps
// the writes at 50 a second per client, which a core keeps up with for a
// thousand clients even where a write costs 12 µs (BENCHMARKS.md).
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/siogen/siogen/runtime/redisadapter"
	"github.com/siogen/siogen/runtime/socketio"
)

func main() {
	addr := flag.String("addr", ":3000", "listen on `host:port`")
	redisAddr := flag.String("redis", "", "join the other chat nodes through Redis at `host:port` (a comma-separated list: a Redis Cluster; see -redis-master)")
	writeInterval := flag.Duration("write-interval", 20*time.Millisecond, "write to each client at most once per `interval`; what is sent meanwhile goes out together (0: write every line at once)")
	flag.Parse()
	logger := log.New(os.Stdout, "", 0)
	opts := &socketio.Options{}
	var cluster *redisadapter.Cluster
	if *redisAddr != "" {
		opts, cluster = joinCluster(*redisAddr)
	}
	opts.Engine.MinWriteInterval = *writeInterval
	handler, _ := newServer(logger, opts)
	if cluster != nil {
		go reportJoined(logger, cluster, *redisAddr)
	}
	_, port, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("-addr %q: %v", *addr, err)
	}
	logger.Println("listening on *:" + port)
	log.Fatal(http.ListenAndServe(*addr, handler))
}
