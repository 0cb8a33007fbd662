// Command bench measures the chat example beside socket.io 2.5.1 and two Go
// Socket.IO libraries, on loopback, with one load generator for all, and
// prints one table (BENCHMARKS.md has the results and how to read them).
//
//	go run ./bench                          # the full run: minutes per server
//	go run ./bench -smoke                   # every scenario at a tiny size
//	go run ./bench -servers siogen,node-chat -scenarios fanout,ceiling
//	go run ./bench -servers siogen,node-chat -scenarios fanout,crossnode
//	go run ./bench -servers siogen,node-chat-v4 -scenarios crossnode,crossnode-cluster,crossnode-v4
//	go run ./bench -servers siogen,node-chat-v4 -scenarios mixed
//	go run ./bench -servers siogen,node-chat,node-chat-v4,relay -scenarios fanout,ceiling -curve curve.svg
//
// Each server is started, for each scenario afresh, pinned to one core
// (-server-cpu) with taskset; the load generator runs pinned to another
// (-load-cpu). The websocket scenarios (density, fanout, ceiling) are driven by
// ../shared/sioload, which speaks the protocol itself and reports its own CPU;
// the polling scenario by this command's own long-polling generator (the
// "poll" subcommand, poll.go), which does the same over HTTP, and the mixed
// scenario, a fan-out to receivers half of which speak Engine.IO v3 and
// half v4, by its own websocket generator (the "mixed" subcommand,
// mixed.go), for the servers that serve both at once (siogen,
// node-chat-v4). Neither uses
// this repository's runtime. The crossnode scenario is fanout across two
// nodes of the server joined through a private redis-server (crossnode.go),
// crossnode-cluster the same through a Redis Cluster of three masters, and
// crossnode-v4 a mixed cluster whose node B is node-chat-v4; the servers with
// a Redis adapter only, and in the default run only when redis-server is
// installed.
//
// Servers: siogen (examples/chat), node-chat (../shared/peers/node-chat,
// installed with npm ci into a cache directory), node-chat-v4
// (interop/node-chat-v4.js on socket.io 4.8.3, from interop/node_modules,
// admitting sioload's Engine.IO v3), relay (../shared/peers/go-relay: no
// Socket.IO, every chat frame relayed as it comes, the floor a server
// cannot beat by much; websocket only, so not in the polling scenario),
// googollee and zishang520 (../shared/peers/go-*, each built from its own
// module). On request, the
// Engine.IO v4 columns, driven by sioload -eio 4 as socket.io 4.x clients:
// siogen-eio4 (the same chat) and node-chat-v4-eio4 (node-chat-v4); the
// table then adds their ratio. Also on request, siogen-metrics: the chat
// with -metrics, beside siogen for what the Prometheus metrics cost.
//
//	go run ./bench -servers siogen,siogen-eio4,node-chat-v4-eio4 -scenarios density,fanout,ceiling
//	go run ./bench -servers siogen,siogen-metrics -scenarios fanout
//
// -curve draws the ceiling ramps' steps as a picture: p50 and p99 latency
// against offered deliveries/s, one line per server (curve.go); `bench
// curve -json FILE -o FILE.svg` redraws it from a run saved with -json.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "poll" {
		os.Exit(pollMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "mixed" {
		os.Exit(mixedMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "curve" {
		os.Exit(curveMain(os.Args[2:]))
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, cfg, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if rep.failed() {
		os.Exit(1)
	}
}

// config is what one run measures, and where things are.
type config struct {
	root       string   // repository root (holds go.mod and examples/chat)
	peers      string   // ../shared/peers
	sioload    string   // the sioload module's folder
	nodeChat   string   // node-chat with node_modules; "" installs a cached copy
	work       string   // binaries and server logs; "" means a temporary folder
	jsonOut    string   // where to write every raw result as JSON
	curveOut   string   // where to draw the latency-vs-load curves (SVG)
	servers    []string // in column order
	scenarios  []string
	serverCPU  string // taskset CPU list for the servers
	loadCPU    string // and for the load generators
	pin        bool
	smoke      bool
	siogenProf string   // write CPU profiles of the siogen server to siogenProf.SCENARIO
	siogenArgs []string // more flags for examples/chat
	skipped    string   // a default scenario left out, and why

	density struct {
		n        int
		connRate float64
		hold     time.Duration
	}
	fanout struct {
		n    int
		rate float64
		d    time.Duration
	}
	ceiling struct {
		n        int
		rate     float64
		d        time.Duration
		maxSteps int
	}
	polling struct {
		n    int
		rate float64
		d    time.Duration
	}
	crossnode struct {
		n    int
		rate float64
		d    time.Duration
	}
	mixed struct {
		n    int
		rate float64
		d    time.Duration
	}
}

var (
	allServers   = []string{"siogen", "node-chat", "node-chat-v4", "relay", "googollee", "zishang520"}
	allScenarios = []string{"density", "fanout", "ceiling", "polling", "mixed", "crossnode", "crossnode-cluster", "crossnode-v4"}
	// eio4Servers are measured when asked for: socket.io 4.x clients
	// (sioload -eio 4) against the chat and against socket.io 4.8.3.
	eio4Servers = []string{"siogen-eio4", "node-chat-v4-eio4"}
	// metricsServers are measured when asked for: the chat with -metrics.
	metricsServers = []string{"siogen-metrics"}
)

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	servers := fs.String("servers", strings.Join(allServers, ","), "servers to measure, in column order: "+strings.Join(append(append(slices.Clip(allServers), eio4Servers...), metricsServers...), ","))
	scenarios := fs.String("scenarios", strings.Join(allScenarios, ","), "scenarios to run: "+strings.Join(allScenarios, ",")+" (by default the crossnode ones only when redis-server is installed)")
	fs.StringVar(&c.root, "root", "", "repository root (default: found from the working directory)")
	fs.StringVar(&c.peers, "peers", "", "reference peers folder (default ROOT/../shared/peers)")
	fs.StringVar(&c.sioload, "sioload", "", "sioload module folder (default ROOT/../shared/sioload)")
	fs.StringVar(&c.nodeChat, "node-chat", "", "node-chat folder with node_modules installed (default: PEERS/node-chat if installed, else a copy installed with npm ci in the user cache)")
	fs.StringVar(&c.work, "work", "", "folder for binaries and server logs (default: a temporary one, removed at the end)")
	fs.StringVar(&c.jsonOut, "json", "", "also write every raw result to this file as JSON")
	fs.StringVar(&c.curveOut, "curve", "", "draw p50/p99 latency against offered deliveries/s of every server's ceiling ramp into this `FILE` (SVG)")
	fs.StringVar(&c.serverCPU, "server-cpu", "1", "CPU list the servers are pinned to (taskset -c)")
	fs.StringVar(&c.loadCPU, "load-cpu", "0", "CPU list the load generators are pinned to (taskset -c)")
	fs.BoolVar(&c.pin, "pin", true, "pin with taskset (false: let the scheduler place everything)")
	fs.BoolVar(&c.smoke, "smoke", false, "every scenario at a tiny size, seconds in all: checks that the harness works, measures nothing")
	siogenArgs := fs.String("siogen-args", "", "more flags for examples/chat, space-separated (e.g. -write-interval=0)")
	fs.StringVar(&c.siogenProf, "siogen-cpuprofile", "", "write CPU profiles of the siogen server to `FILE`.SCENARIO, from a build of examples/chat that profiles (go tool pprof)")

	fs.IntVar(&c.density.n, "density-n", 10000, "density: idle websocket connections")
	fs.Float64Var(&c.density.connRate, "density-connrate", 2000, "density: connections opened per second")
	fs.DurationVar(&c.density.hold, "density-hold", 30*time.Second, "density: how long they are held (past the 25 s ping interval, so heartbeats count)")
	fs.IntVar(&c.fanout.n, "fanout-n", 1000, "fanout: websocket receivers")
	fs.Float64Var(&c.fanout.rate, "fanout-rate", 50, "fanout: chat messages per second, all senders together")
	fs.DurationVar(&c.fanout.d, "fanout-d", 10*time.Second, "fanout: send duration")
	fs.IntVar(&c.ceiling.n, "ceiling-n", 1000, "ceiling: websocket receivers")
	fs.Float64Var(&c.ceiling.rate, "ceiling-rate", 20, "ceiling: messages per second of the first step")
	fs.DurationVar(&c.ceiling.d, "ceiling-d", 5*time.Second, "ceiling: duration of each step")
	fs.IntVar(&c.ceiling.maxSteps, "ceiling-maxsteps", 16, "ceiling: most steps")
	fs.IntVar(&c.polling.n, "polling-n", 500, "polling: long-polling receivers")
	fs.Float64Var(&c.polling.rate, "polling-rate", 10, "polling: chat messages per second, all senders together")
	fs.DurationVar(&c.polling.d, "polling-d", 10*time.Second, "polling: send duration")
	fs.IntVar(&c.mixed.n, "mixed-n", 1000, "mixed: websocket receivers, half speaking Engine.IO v3, half v4")
	fs.Float64Var(&c.mixed.rate, "mixed-rate", 50, "mixed: chat messages per second, all senders together")
	fs.DurationVar(&c.mixed.d, "mixed-d", 10*time.Second, "mixed: send duration")
	fs.IntVar(&c.crossnode.n, "crossnode-n", 1000, "crossnode: websocket receivers, half on each of two nodes")
	fs.Float64Var(&c.crossnode.rate, "crossnode-rate", 50, "crossnode: chat messages per second, all senders together")
	fs.DurationVar(&c.crossnode.d, "crossnode-d", 10*time.Second, "crossnode: send duration")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.smoke {
		// Tiny sizes; flags given explicitly still win.
		smoke := map[string]string{
			"density-n": "20", "density-connrate": "200", "density-hold": "1s",
			"fanout-n": "20", "fanout-rate": "20", "fanout-d": "1s",
			"ceiling-n": "20", "ceiling-rate": "20", "ceiling-d": "1s", "ceiling-maxsteps": "2",
			"polling-n": "20", "polling-rate": "10", "polling-d": "1s",
			"crossnode-n": "20", "crossnode-rate": "20", "crossnode-d": "1s",
			"mixed-n": "20", "mixed-rate": "20", "mixed-d": "1s",
		}
		for name, v := range smoke {
			if !set[name] {
				fs.Set(name, v)
			}
		}
	}
	c.siogenArgs = strings.Fields(*siogenArgs)
	var err error
	if c.servers, err = pick(*servers, append(append(slices.Clip(allServers), eio4Servers...), metricsServers...)); err != nil {
		return nil, fmt.Errorf("-servers: %w", err)
	}
	if c.scenarios, err = pick(*scenarios, allScenarios); err != nil {
		return nil, fmt.Errorf("-scenarios: %w", err)
	}
	if !set["scenarios"] {
		if _, err := exec.LookPath("redis-server"); err != nil {
			// Asked for by name, a missing redis-server is an error of
			// the scenario; the default run goes without it.
			c.scenarios = slices.DeleteFunc(c.scenarios, func(s string) bool { return crossnodeScenarios[s] })
			c.skipped = "crossnode, crossnode-cluster, crossnode-v4 (" + errNoRedis.Error() + ")"
		}
	}
	return c, nil
}

// pick splits a comma-separated list, checking every name against known.
func pick(list string, known []string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		ok := false
		for _, k := range known {
			ok = ok || k == s
		}
		if !ok {
			return nil, fmt.Errorf("unknown %q (known: %s)", s, strings.Join(known, ", "))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty list")
	}
	return out, nil
}

// resolve fills in the default paths and the work folder.
func (c *config) resolve() (cleanup func(), err error) {
	if c.root == "" {
		if c.root, err = findRoot(); err != nil {
			return nil, err
		}
	}
	if c.root, err = filepath.Abs(c.root); err != nil {
		return nil, err
	}
	shared := sharedDir(c.root)
	if c.peers == "" {
		c.peers = filepath.Join(shared, "peers")
	}
	if c.sioload == "" {
		c.sioload = filepath.Join(shared, "sioload")
	}
	cleanup = func() {}
	if c.work == "" {
		if c.work, err = os.MkdirTemp("", "siogen-bench-"); err != nil {
			return nil, err
		}
		dir := c.work
		cleanup = func() { os.RemoveAll(dir) }
	} else if err = os.MkdirAll(c.work, 0o755); err != nil {
		return nil, err
	}
	return cleanup, nil
}

// findRoot walks up from the working directory to the module holding
// examples/chat.
// sharedDir returns the folder holding sioload and the reference peers:
// $SIOGEN_SHARED when set, else ROOT/../shared (this repository's
// workplace layout), else /work/shared when ROOT/../shared is absent (a
// clone elsewhere on the same machine).
func sharedDir(root string) string {
	if dir := os.Getenv("SIOGEN_SHARED"); dir != "" {
		return dir
	}
	dir := filepath.Join(root, "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		if _, err := os.Stat("/work/shared"); err == nil {
			return "/work/shared"
		}
	}
	return dir
}

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "examples", "chat", "main.go")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no repository root (with go.mod and examples/chat) above the working directory; use -root")
		}
		dir = parent
	}
}

// run builds everything, runs every scenario on every server, prints the
// table to out (progress to log) and returns the report.
func run(ctx context.Context, c *config, out, log io.Writer) (*report, error) {
	cleanup, err := c.resolve()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if nofile := raiseNofile(); c.has("density") && uint64(c.density.n)+256 > nofile {
		fmt.Fprintf(log, "bench: warning: RLIMIT_NOFILE is %d, below what %d connections need\n", nofile, c.density.n)
	}
	if c.pin {
		if _, err := exec.LookPath("taskset"); err != nil {
			fmt.Fprintln(log, "bench: taskset not found: running unpinned")
			c.pin = false
		}
	}
	rep := &report{Machine: describeMachine(c), Config: c.describe(), Date: time.Now().UTC().Format(time.RFC3339)}
	fmt.Fprintf(log, "bench: %s\n", rep.Machine)
	if c.skipped != "" {
		fmt.Fprintf(log, "bench: left out %s\n", c.skipped)
	}

	tools, err := buildTools(ctx, c, log)
	if err != nil {
		return nil, err
	}
	for _, name := range c.servers {
		res := &serverResult{Server: name, LoadBefore: loadAvg()}
		rep.Results = append(rep.Results, res)
		srv, err := prepareServer(ctx, c, name, log)
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
			fmt.Fprintf(log, "bench: %s: %v\n", name, err)
			continue
		}
		for _, sc := range c.scenarios {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fmt.Fprintf(log, "bench: %s: %s (load average %s)\n", name, sc, loadAvg())
			t0 := time.Now()
			err := runScenario(ctx, c, tools, srv, sc, res, log)
			fmt.Fprintf(log, "bench: %s: %s done in %.1fs\n", name, sc, time.Since(t0).Seconds())
			if err != nil {
				res.Errors = append(res.Errors, sc+": "+err.Error())
				fmt.Fprintf(log, "bench: %s: %s: %v\n", name, sc, err)
			}
		}
		res.LoadAfter = loadAvg()
	}
	printReport(out, rep)
	if c.jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(c.jsonOut, append(b, '\n'), 0o644); err != nil {
			return rep, err
		}
	}
	if c.curveOut != "" && rep.ran("ceiling") {
		f, err := os.Create(c.curveOut)
		if err != nil {
			return rep, err
		}
		err = writeCurve(f, rep, rep.p99Limit())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return rep, fmt.Errorf("-curve: %w", err)
		}
	}
	return rep, nil
}

func (c *config) has(scenario string) bool {
	for _, s := range c.scenarios {
		if s == scenario {
			return true
		}
	}
	return false
}

// describe is the run's sizes, for the report.
func (c *config) describe() string {
	var parts []string
	for _, sc := range c.scenarios {
		switch sc {
		case "density":
			parts = append(parts, fmt.Sprintf("density: %d idle websockets at %g/s, held %v", c.density.n, c.density.connRate, c.density.hold))
		case "fanout":
			parts = append(parts, fmt.Sprintf("fanout: %d websocket receivers, %g msgs/s for %v", c.fanout.n, c.fanout.rate, c.fanout.d))
		case "ceiling":
			parts = append(parts, fmt.Sprintf("ceiling: %d websocket receivers, steps of %v from %g msgs/s, p99 limit 250 ms", c.ceiling.n, c.ceiling.d, c.ceiling.rate))
		case "polling":
			parts = append(parts, fmt.Sprintf("polling: %d long-polling receivers, %g msgs/s for %v", c.polling.n, c.polling.rate, c.polling.d))
		case "mixed":
			parts = append(parts, fmt.Sprintf("mixed: %d websocket receivers, half Engine.IO v3 and half v4, %g msgs/s for %v", c.mixed.n, c.mixed.rate, c.mixed.d))
		case "crossnode":
			parts = append(parts, fmt.Sprintf("crossnode: %d websocket receivers over two nodes joined through Redis, %g msgs/s for %v", c.crossnode.n, c.crossnode.rate, c.crossnode.d))
		case "crossnode-cluster":
			parts = append(parts, "crossnode-cluster: the same through a Redis Cluster of three masters (siogen/node: against node-chat-v4)")
		case "crossnode-v4":
			parts = append(parts, "crossnode-v4: the same, node B being node-chat-v4 (socket.io 4.8.3, @socket.io/redis-adapter 8.3.0), node A speaking its protocol (siogen/node: against node-chat-v4)")
		}
	}
	if len(c.siogenArgs) > 0 {
		parts = append(parts, "siogen: examples/chat "+strings.Join(c.siogenArgs, " "))
	}
	return strings.Join(parts, "; ")
}
