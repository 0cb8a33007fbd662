// Command chat is the classic Socket.IO chat, built entirely from code that
// siogen generated from package chatapi: open http://localhost:3000 in two
// tabs and type.
//
//	go run ./examples/chat [-addr :3000] [-redis host:port[,host:port...]] [-redis-master name] [-write-interval 0]
//	                       [-ping-interval 25s] [-ping-timeout 20s] [-debug 127.0.0.1:6060] [-metrics :9100]
//
// With -redis, several chat servers behind a load balancer share their
// users through Redis (see the README). The chat needs no write tuning: the
// runtime writes a line to an idle client at once and, when it falls behind,
// sends each client what queued meanwhile in one write, so batches grow with
// the load by themselves (BENCHMARKS.md). -write-interval fixes an interval
// instead (engineio.Options.MinWriteInterval): each client is written at most
// once per interval; 0, the default, is the adaptive policy.
//
// -debug serves net/http/pprof (goroutines, heap, CPU profiles) on a
// separate loopback address: go tool pprof http://127.0.0.1:6060/debug/pprof/heap.
//
// -metrics serves Prometheus metrics at /metrics on an address of its own
// (connections, traffic, events by name, acks, handler durations, refusals:
// docs/metrics.md), for Prometheus to scrape: curl http://localhost:9100/metrics.
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
	metricsAddr := flag.String("metrics", "", "serve Prometheus metrics at /metrics on `host:port` (:9100)")
	writeInterval := flag.Duration("write-interval", 0, "write to each client at most once per `interval`; what is sent meanwhile goes out together (0: at once when idle, batched only while the server is behind)")
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
	if *metricsAddr != "" {
		ms, err := newMetricsServer(opts)
		if err != nil {
			log.Fatalf("-metrics: %v", err)
		}
		l, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			log.Fatalf("-metrics: %v", err)
		}
		logger.Printf("metrics on http://%s/metrics", l.Addr())
		go func() { log.Fatal(ms.Serve(l)) }()
	}
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
