// Command client is a command-line client of the chat, built on the Go
// client siogen generated from package chatapi: it sends each line of
// standard input as a chat message and prints every message it receives,
// one per line. It reconnects by itself when the server restarts; lines
// typed meanwhile are sent once it is back.
//
//	go run ./examples/chat/client [-url http://localhost:3000] [-name gopher]
//
// The line "/nick NAME" picks a nickname. Status (connected, disconnected,
// delivery counts with -v) goes to standard error. It also talks to a
// plain socket.io chat such as the seed's, which has neither nicknames nor
// delivery acks: it then sends messages without asking for acks.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siogen/siogen/examples/chat/chatapi"
	"github.com/siogen/siogen/runtime/socketio"
)

func main() {
	url := flag.String("url", "http://localhost:3000", "chat server `URL`")
	name := flag.String("name", "", "nickname to take on each connection")
	verbose := flag.Bool("v", false, "report each delivery ack on standard error")
	protocol := flag.Int("protocol", 5, "Socket.IO `revision`: 5 for siogen and socket.io 3.x/4.x servers, 4 for socket.io 2.x")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := config{URL: *url, Name: *name, Verbose: *verbose, AckTimeout: 3 * time.Second,
		Options: &socketio.ManagerOptions{Protocol: *protocol}}
	if err := run(ctx, cfg, os.Stdin, os.Stdout, os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	URL        string
	Name       string
	Verbose    bool
	AckTimeout time.Duration            // how long a message waits for its delivery ack
	Options    *socketio.ManagerOptions // nil: the defaults of socket.io-client
}

// printer writes whole lines to one writer from several goroutines.
type printer struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *printer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// run connects to the chat at cfg.URL, prints what arrives on out, sends
// the lines of in, and returns when in ends (after sending every line) or
// ctx is done.
// Long on purpose: the handlers it sets share its state, and read
// best in the order a chat session goes.
func run(ctx context.Context, cfg config, in io.Reader, out, status io.Writer) error {
	msgs, info := &printer{w: out}, &printer{w: status}
	m := socketio.NewManager(cfg.URL, cfg.Options)
	chat := chatapi.NewChatClient(m)
	defer chat.Close()

	chat.OnChatMessage(func(msg string) { msgs.printf("%s", msg) })
	chat.OnUserJoined(func(name string, users int) { msgs.printf("* %s joined (%d online)", name, users) })
	chat.OnUserLeft(func(name string, users int) { msgs.printf("* %s left (%d online)", name, users) })
	var connects atomic.Int32
	var nick atomic.Pointer[string] // the name to take again on reconnection
	nick.Store(&cfg.Name)
	chat.OnConnect(func() {
		info.printf("connected to %s as %s", cfg.URL, chat.ID())
		// The first connection takes its name below, before any line is
		// sent. Acks are resolved apart from the handlers, so waiting for
		// one here is fine.
		if connects.Add(1) > 1 && *nick.Load() != "" {
			setName(ctx, chat, *nick.Load(), cfg.AckTimeout, info)
		}
	})
	chat.OnDisconnect(func(reason string) { info.printf("disconnected (%s)", reason) })
	chat.OnError(func(err error) { info.printf("bad message from the server: %v", err) })
	m.OnReconnectAttempt(func(attempt int) { info.printf("reconnecting (attempt %d)", attempt) })

	if err := chat.Connect(ctx); err != nil {
		return fmt.Errorf("connect to %s: %w", cfg.URL, err)
	}
	if cfg.Name != "" {
		setName(ctx, chat, cfg.Name, cfg.AckTimeout, info)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	acks := true // until the server shows it does not answer them
	for {
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			return nil
		}
		if name, isNick := strings.CutPrefix(line, "/nick "); isNick {
			nick.Store(&name)
			setName(ctx, chat, name, cfg.AckTimeout, info)
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !acks {
			if err := chat.EmitChatMessageNoAck(line); err != nil {
				info.printf("not sent: %v", err)
			}
			continue
		}
		connected := chat.Connected()
		if !connected {
			info.printf("not connected: the message goes out on reconnection")
		}
		actx, cancel := context.WithTimeout(ctx, cfg.AckTimeout)
		n, err := chat.EmitChatMessage(actx, line)
		cancel()
		switch {
		case err == nil:
			if cfg.Verbose {
				info.printf("delivered to %d", n)
			}
		case errors.Is(err, context.DeadlineExceeded) && connected && chat.Connected():
			// Connected all along and no answer: a server without acks,
			// such as the seed's. It did get the message.
			info.printf("the server does not acknowledge messages; sending without acks")
			acks = false
		case errors.Is(err, context.DeadlineExceeded):
			// Disconnected: the message stays buffered and goes out on
			// reconnection.
		default:
			info.printf("not sent: %v", err)
		}
	}
}

// setName asks the server for name and reports the name it kept.
func setName(ctx context.Context, chat *chatapi.ChatClient, name string, timeout time.Duration, info *printer) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	kept, err := chat.EmitSetName(ctx, name)
	if err != nil {
		info.printf("nickname not set: %v", err)
		return
	}
	info.printf("you are %s", kept)
}
