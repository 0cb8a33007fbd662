// Command chat is the classic Socket.IO chat, built entirely from code that
// siogen generated from package chatapi: open http://localhost:3000 in two
// tabs and type.
//
//	go run ./examples/chat [-addr :3000] [-redis host:port[,host:port...]] [-redis-master name] [-write-interval 20ms]
//	                       [-ping-interval 25s] [-ping-timeout 20s] [-debug 127.0.0.1:6060]
//
// With -redis, several chat servers behind a load balancer share their
// users through Redis (see the README). -write-interval batches what a busy
// room sends each client (engineio.Options.MinWriteInterval): a line waits at
// most that long, and the server makes far fewer system calls. 20 ms caps
// the writes at 50 a second per client, which a core keeps up with for a
// thousand clients even where a write costs 12 µs (BENCHMARKS.md).
//
// -debug serves net/http/pprof (goroutines, heap, CPU profiles) on a
// separate loopback address: go tool pprof http://127.0.0.1:6060/debug/pprof/heap.
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
	pingInterval := flag.Duration("ping-interval", 25*time.Second, "how often clients ping (the Engine.IO heartbeat)")
	pingTimeout := flag.Duration("ping-timeout", 20*time.Second, "how long past -ping-interval a silent client keeps its session")
	debugAddr := flag.String("debug", "", "serve net/http/pprof on the loopback `host:port` (127.0.0.1:6060)")
	writeInterval := flag.Duration("write-interval", 20*time.Millisecond, "write to each client at most once per `interval`; what is sent meanwhile goes out together (0: write every line at once)")
	flag.Parse()
	logger := log.New(os.Stdout, "", 0)
	opts := &socketio.Options{}
	var cluster *redisadapter.Cluster
	if *redisAddr != "" {
		opts, cluster = joinCluster(*redisAddr)
	}
	opts.Engine.MinWriteInterval = *writeInterval
	opts.Engine.PingInterval = *pingInterval
	opts.Engine.PingTimeout = *pingTimeout
	handler, _ := newServer(logger, opts)
	if cluster != nil {
		go reportJoined(logger, cluster, *redisAddr)
	}
	_, port, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("-addr %q: %v", *addr, err)
	}
	if *debugAddr != "" {
		l, err := listenDebug(*debugAddr)
		if err != nil {
			log.Fatalf("-debug: %v", err)
		}
		logger.Printf("pprof on http://%s/debug/pprof/", l.Addr())
		go func() { log.Fatal(http.Serve(l, debugHandler())) }()
	}
	logger.Println("listening on *:" + port)
	log.Fatal(newHTTPServer(*addr, handler).ListenAndServe())
}
