package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// tools are the load generators.
type tools struct {
	sioload string // the sioload binary
	self    string // this command, for its "poll" subcommand
}

func buildTools(ctx context.Context, c *config, log io.Writer) (*tools, error) {
	t := &tools{sioload: filepath.Join(c.work, "sioload")}
	if c.has("density") || c.has("fanout") || c.has("ceiling") || c.has("crossnode") || c.has("crossnode-cluster") || c.has("crossnode-v4") {
		if _, err := os.Stat(filepath.Join(c.sioload, "go.mod")); err != nil {
			return nil, fmt.Errorf("the sioload module is not at %s (-sioload): %w", c.sioload, err)
		}
		if err := goBuild(ctx, c.sioload, t.sioload, ".", log); err != nil {
			return nil, fmt.Errorf("build sioload: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	t.self = self
	return t, nil
}

// goBuild runs go build -o out pkg in dir (a module of its own, for the peers).
func goBuild(ctx context.Context, dir, out, pkg string, log io.Writer, flags ...string) error {
	args := append(append([]string{"build"}, flags...), "-o", out, pkg)
	fmt.Fprintf(log, "bench: go %s (in %s)\n", strings.Join(args, " "), dir)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v\n%s", err, msg)
	}
	return nil
}

// server is how to start one of the compared servers.
type server struct {
	name string
	dir  string
	argv []string                   // the command, before the address flag
	addr func(addr string) []string // the arguments that make it listen on addr
	env  func(port string) []string // and its environment
	// cluster returns the arguments and environment that join the server
	// to the others through the Redis server at redisAddr; nil when it
	// cannot (crossnode).
	cluster func(redisAddr string) (args, env []string)
	// redisCluster says that cluster also takes the comma-separated
	// addresses of a Redis Cluster (crossnode-cluster).
	redisCluster bool
	// protocol4 is cluster speaking @socket.io/redis-adapter 8.x's
	// protocol, beside a socket.io 4.x node; nil when the server cannot
	// (crossnode-v4).
	protocol4 func(redisAddr string) (args, env []string)
	// websocketOnly leaves the server out of the polling scenario.
	websocketOnly bool
	// eio is the Engine.IO revision the load speaks to it: 3, or 4
	// (sioload -eio 4; the long-polling generator speaks 3 only).
	eio int
	// mixed says that the server serves Engine.IO v3 and v4 at once, so
	// is measured in the mixed scenario (in its v3 column only: not when
	// eio is 4).
	mixed bool
}

// prepareServer builds or installs the named server and returns how to
// start it. Long on purpose: one case per server, each its own recipe.
func prepareServer(ctx context.Context, c *config, name string, log io.Writer) (*server, error) {
	goFlag := func(addr string) []string { return []string{"-addr", addr} }
	noEnv := func(string) []string { return nil }
	switch name {
	case "siogen-eio4":
		// The same chat, driven by socket.io 4.x clients.
		s, err := prepareServer(ctx, c, "siogen", log)
		if err != nil {
			return nil, err
		}
		// Plain crossnode only: the Redis Cluster and mixed-cluster
		// scenarios are measured with the v3 load.
		s.name, s.eio, s.redisCluster, s.protocol4 = name, 4, false, nil
		return s, nil
	case "siogen-metrics":
		// The same chat with -metrics: what recording the Prometheus
		// metrics costs (issue 17). Nothing scrapes them meanwhile.
		s, err := prepareServer(ctx, c, "siogen", log)
		if err != nil {
			return nil, err
		}
		s.name = name
		s.argv = append(s.argv[:len(s.argv):len(s.argv)], "-metrics", "127.0.0.1:0")
		return s, nil
	case "node-chat-v4-eio4":
		// node-chat-v4 (below), driven by socket.io 4.x clients.
		s, err := prepareServer(ctx, c, "node-chat-v4", log)
		if err != nil {
			return nil, err
		}
		s.name, s.eio, s.redisCluster, s.protocol4 = name, 4, false, nil
		return s, nil
	case "siogen":
		bin := filepath.Join(c.work, "siogen-chat")
		var flags []string
		if c.siogenProf != "" {
			overlay, err := profileOverlay(c)
			if err != nil {
				return nil, err
			}
			flags = []string{"-overlay", overlay}
		}
		if err := goBuild(ctx, c.root, bin, "./examples/chat", log, flags...); err != nil {
			return nil, err
		}
		return &server{name: name, dir: c.work, argv: append([]string{bin}, c.siogenArgs...), addr: goFlag, env: noEnv,
			cluster:      func(redisAddr string) ([]string, []string) { return []string{"-redis", redisAddr}, nil },
			redisCluster: true, mixed: true,
			protocol4: func(redisAddr string) ([]string, []string) {
				return []string{"-redis", redisAddr, "-redis-protocol", "redis-adapter"}, nil
			}}, nil
	case "relay":
		bin := filepath.Join(c.work, name)
		if err := goBuild(ctx, filepath.Join(c.peers, "go-relay"), bin, ".", log); err != nil {
			return nil, err
		}
		return &server{name: name, dir: c.work, argv: []string{bin}, websocketOnly: true,
			addr: func(string) []string { return nil },
			env:  func(port string) []string { return []string{"PORT=" + port} }}, nil
	case "googollee", "zishang520":
		bin := filepath.Join(c.work, name)
		if err := goBuild(ctx, filepath.Join(c.peers, "go-"+name), bin, ".", log); err != nil {
			return nil, err
		}
		// Both take PORT (zishang520 nothing else) and listen on 127.0.0.1.
		return &server{name: name, dir: c.work, argv: []string{bin},
			addr: func(string) []string { return nil },
			env:  func(port string) []string { return []string{"PORT=" + port} }}, nil
	case "node-chat":
		node, err := exec.LookPath("node")
		if err != nil {
			return nil, fmt.Errorf("node is not installed")
		}
		dir := c.nodeChat
		if dir == "" {
			if dir, err = installNodeChat(ctx, filepath.Join(c.peers, "node-chat"), log); err != nil {
				return nil, err
			}
		}
		return &server{name: name, dir: dir, argv: []string{node, "index.js"},
			addr: func(string) []string { return nil },
			env:  func(port string) []string { return []string{"PORT=" + port, "QUIET=1"} },
			// socket.io-redis 5.4.0, from the peer's package.json.
			cluster: func(redisAddr string) ([]string, []string) { return nil, []string{"REDIS=" + redisAddr} }}, nil
	case "node-chat-v4":
		// interop/node-chat-v4.js, the reference chat on socket.io 4.8.3
		// with @socket.io/redis-adapter 8.3.0, from interop's packages. It
		// admits Engine.IO v3, which sioload speaks, and the Go nodes of a
		// mixed cluster too.
		node, err := exec.LookPath("node")
		if err != nil {
			return nil, fmt.Errorf("node is not installed")
		}
		dir := filepath.Join(c.root, "interop")
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io-v4")); err != nil {
			return nil, fmt.Errorf("%s has no node_modules (run npm ci there, or scripts/test.sh)", dir)
		}
		join := func(redisAddr string) ([]string, []string) { return nil, []string{"REDIS=" + redisAddr} }
		return &server{name: name, dir: dir, argv: []string{node, "node-chat-v4.js"},
			addr:    func(string) []string { return nil },
			env:     func(port string) []string { return []string{"PORT=" + port, "QUIET=1", "ALLOW_EIO3=1"} },
			cluster: join, redisCluster: true, protocol4: join, mixed: true}, nil
	}
	return nil, fmt.Errorf("unknown server %q", name)
}

// installNodeChat returns a folder running the peer's index.js with its
// locked node_modules: the peer's own folder when installed there, else a
// copy installed with npm ci in the user cache, keyed by the lock file, so
// that later runs start at once.
func installNodeChat(ctx context.Context, src string, log io.Writer) (string, error) {
	if _, err := os.Stat(filepath.Join(src, "node_modules", "socket.io")); err == nil {
		return src, nil
	}
	lock, err := os.ReadFile(filepath.Join(src, "package-lock.json"))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "siogen-bench", "node-chat-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io")); err == nil {
		return dir, copyFiles(src, dir, "index.js", "index.html")
	}
	// Install beside it, then rename: a run interrupted half-way, or one
	// running at the same time, never sees a partial install.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "tmp-node-chat-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := copyFiles(src, tmp, "index.js", "index.html", "package.json", "package-lock.json"); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "bench: npm ci (node-chat, in %s)\n", dir)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci for node-chat: %v\n%s", err, msg)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "node_modules", "socket.io")); serr == nil {
			return dir, nil // another run installed it meanwhile
		}
		return "", err
	}
	return dir, nil
}

func copyFiles(from, to string, names ...string) error {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, n), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// running is a started server.
type running struct {
	addr string
	cmd  *exec.Cmd
	log  string // its output
	done chan struct{}
	err  error
}

// start runs the server on a free loopback port, pinned to the server CPUs,
// and waits until it accepts connections. env is added to its environment.
func (s *server) start(c *config, tag string, env ...string) (*running, error) {
	return s.startWith(c, tag, nil, env...)
}

// startWith is start with more arguments for the server.
func (s *server) startWith(c *config, tag string, args []string, env ...string) (*running, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + port
	argv := append(append(append([]string{}, s.argv...), args...), s.addr(addr)...)
	if c.pin {
		argv = append([]string{"taskset", "-c", c.serverCPU}, argv...)
	}
	logPath := filepath.Join(c.work, s.name+"-"+tag+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.dir
	cmd.Env = append(append(os.Environ(), s.env(port)...), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// taskset execs the server, so the pid is the server's own, as /proc
	// sampling needs.
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &running{addr: addr, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { r.err = cmd.Wait(); close(r.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case <-r.done:
			return nil, fmt.Errorf("%s exited before listening: %v\n%s", s.name, r.err, tail(logPath))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.stop()
			return nil, fmt.Errorf("%s did not listen on %s within 60s\n%s", s.name, addr, tail(logPath))
		}
	}
	// The process listening may be a child (it is not, for these four), so
	// check that the pid is alive and ours.
	if err := alive(cmd.Process.Pid); err != nil {
		return nil, fmt.Errorf("%s: %v", s.name, err)
	}
	return r, nil
}

func (r *running) pid() int { return r.cmd.Process.Pid }

// exited reports whether the server died during a scenario.
func (r *running) exited() error {
	select {
	case <-r.done:
		return fmt.Errorf("server exited: %v\n%s", r.err, tail(r.log))
	default:
		return nil
	}
}

// stop ends the server: SIGINT (on which the profiling build of siogen writes
// its profile), then SIGKILL after 10 s.
func (r *running) stop() {
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// tail returns the end of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

var errNoResult = errors.New("no JSON result line")

// profileEnv names the file the profiling build of examples/chat writes its
// CPU profile to.
const profileEnv = "SIOGEN_BENCH_CPUPROFILE"

// profileSource is added to examples/chat, for -siogen-cpuprofile only, through
// go build -overlay: the example itself stays free of benchmark code.
const profileSource = `package main

import (
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func init() {
	path := os.Getenv("` + profileEnv + `")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(0)
	}()
}
`

// profileOverlay writes the overlay that adds profileSource to examples/chat
// and returns its path.
func profileOverlay(c *config) (string, error) {
	src := filepath.Join(c.work, "zz_bench_cpuprofile.go")
	if err := os.WriteFile(src, []byte(profileSource), 0o644); err != nil {
		return "", err
	}
	overlay := filepath.Join(c.work, "overlay.json")
	target := filepath.Join(c.root, "examples", "chat", "zz_bench_cpuprofile.go")
	b, err := json.Marshal(map[string]map[string]string{"Replace": {target: src}})
	if err != nil {
		return "", err
	}
	return overlay, os.WriteFile(overlay, b, 0o644)
}
