// Command chat is the classic Socket.IO chat, built entirely from code that
// siogen generated from package chatapi: open http://localhost:3000 in two
// tabs and type.
//
//	go run ./examples/chat [-addr :3000]
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", ":3000", "listen on `host:port`")
	flag.Parse()
	logger := log.New(os.Stdout, "", 0)
	handler, _ := newServer(logger, nil)
	_, port, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("-addr %q: %v", *addr, err)
	}
	logger.Println("listening on *:" + port)
	log.Fatal(http.ListenAndServe(*addr, handler))
}
