package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// result is one scenario's JSON summary, as its load generator printed it.
type result map[string]any

// num returns a numeric field, and whether it is there.
func (r result) num(key string) (float64, bool) {
	v, ok := r[key].(float64)
	return v, ok
}

// serverResult is everything measured on one server.
type serverResult struct {
	Server     string            `json:"server"`
	Scenarios  map[string]result `json:"scenarios"`
	Errors     []string          `json:"errors,omitempty"`
	LoadBefore string            `json:"loadavg_before"`
	LoadAfter  string            `json:"loadavg_after"`
}

// runScenario starts the server afresh, drives it with the scenario's load
// generator, and stores the generator's summary in res. For crossnode it
// starts two nodes, Redis and the forwarder instead (crossnode.go); servers
// that cannot join through Redis are left out of it. Long on purpose: one
// case per scenario, each the command line of its load generator.
func runScenario(ctx context.Context, c *config, t *tools, s *server, scenario string, res *serverResult, log io.Writer) error {
	if crossnodeScenarios[scenario] && s.joins(scenario) == nil {
		fmt.Fprintf(log, "bench: %s: %s: not measured (the server cannot join that cluster here)\n", s.name, scenario)
		return nil
	}
	if scenario == "mixed" && (!s.mixed || s.eio == 4) {
		fmt.Fprintf(log, "bench: %s: mixed: not measured (it serves one Engine.IO revision, or is measured as its v3 column)\n", s.name)
		return nil
	}
	if scenario == "polling" && s.websocketOnly {
		fmt.Fprintf(log, "bench: %s: polling: not measured (websocket only)\n", s.name)
		return nil
	}
	var env []string
	if c.siogenProf != "" && s.name == "siogen" {
		prof, err := filepath.Abs(c.siogenProf + "." + scenario)
		if err != nil {
			return err
		}
		env = []string{profileEnv + "=" + prof}
	}
	var addr string
	var pid int
	var exited func() error
	var cl *cluster
	if crossnodeScenarios[scenario] {
		var peer *server
		if scenario == "crossnode-v4" {
			var err error
			if peer, err = prepareServer(ctx, c, "node-chat-v4", log); err != nil {
				return err
			}
		}
		var err error
		if cl, err = startCluster(ctx, c, scenario, s, peer, env); err != nil {
			return err
		}
		defer cl.stop()
		// sioload samples node A's CPU; node B's and Redis's are sampled
		// here over the same send window.
		addr, pid, exited = cl.fwd.addr(), cl.nodes[0].pid(), cl.exited
	} else {
		srv, err := s.start(c, scenario, env...)
		if err != nil {
			return err
		}
		defer srv.stop()
		addr, pid, exited = srv.addr, srv.pid(), srv.exited
	}
	if scenario == "polling" && s.eio == 4 {
		fmt.Fprintf(log, "bench: %s: polling: not measured (the long-polling generator speaks Engine.IO v3)\n", s.name)
		return nil
	}
	common := []string{"-addr", addr, "-pid", strconv.Itoa(pid)}
	if s.eio == 4 && scenario != "polling" && scenario != "mixed" {
		common = append(common, "-eio", "4")
	}
	var argv []string
	var limit time.Duration
	switch scenario {
	case "density":
		d := c.density
		argv = append([]string{t.sioload, "conns"}, common...)
		argv = append(argv, "-n", itoa(d.n), "-connrate", ftoa(d.connRate), "-hold", d.hold.String())
		limit = time.Duration(float64(d.n)/d.connRate*float64(time.Second)) + d.hold + 2*time.Minute
	case "fanout", "crossnode", "crossnode-cluster", "crossnode-v4":
		f := c.fanout
		if crossnodeScenarios[scenario] {
			f = c.crossnode
		}
		argv = append([]string{t.sioload, "chat"}, common...)
		argv = append(argv, "-n", itoa(f.n), "-rate", ftoa(f.rate), "-d", f.d.String())
		limit = f.d + 2*time.Minute
	case "ceiling":
		r := c.ceiling
		argv = append([]string{t.sioload, "ramp"}, common...)
		argv = append(argv, "-n", itoa(r.n), "-rate", ftoa(r.rate), "-d", r.d.String(), "-maxsteps", itoa(r.maxSteps))
		if c.smoke {
			argv = append(argv, "-refine", "0")
		}
		// Each step: its duration, up to 5 s of grace, up to 30 s settling.
		limit = time.Duration(r.maxSteps)*(r.d+40*time.Second) + time.Minute
	case "mixed":
		m := c.mixed
		argv = append([]string{t.self, "mixed"}, common...)
		argv = append(argv, "-n", itoa(m.n), "-rate", ftoa(m.rate), "-d", m.d.String())
		limit = m.d + 2*time.Minute
	case "polling":
		p := c.polling
		argv = append([]string{t.self, "poll"}, common...)
		argv = append(argv, "-n", itoa(p.n), "-rate", ftoa(p.rate), "-d", p.d.String())
		limit = p.d + 2*time.Minute
	default:
		return fmt.Errorf("unknown scenario %q", scenario)
	}
	if c.smoke {
		argv = append(argv, smokeFlags(scenario)...)
	}
	if c.pin {
		argv = append([]string{"taskset", "-c", c.loadCPU}, argv...)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	// The CPU of crossnode's node B and Redis, from when sioload starts
	// sending (it says so on stderr, then starts its own CPU sampling of
	// node A) to when it prints its summary (just after it stops sampling).
	var others [2]struct {
		pids          []int
		before, after float64
	}
	if cl != nil {
		others[0].pids = []int{cl.nodes[1].pid()}
		for _, r := range cl.redis {
			others[1].pids = append(others[1].pids, r.pid())
		}
	}
	cpuOf := func(pids []int) float64 { // -1 when any could not be sampled
		sum := 0.0
		for _, pid := range pids {
			cpu := procCPU(pid)
			if cpu < 0 {
				return -1
			}
			sum += cpu
		}
		return sum
	}
	stdout := &lineWriter{fn: func(line string) {
		if strings.HasPrefix(line, "{") {
			for i := range others {
				others[i].after = cpuOf(others[i].pids)
			}
		}
	}}
	stderr := &lineWriter{fn: func(line string) {
		if strings.HasPrefix(line, "sioload: chat ") {
			for i := range others {
				others[i].before = cpuOf(others[i].pids)
			}
		}
	}}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	runErr := cmd.Run()
	if err := exited(); err != nil {
		return err
	}
	if runErr != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), runErr, lastLines(stderr.buf.String(), 10))
	}
	r, err := lastJSON([]byte(stdout.buf.String()))
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, lastLines(stderr.buf.String(), 10))
	}
	r["command"] = strings.Join(argv, " ")
	if cl != nil {
		addClusterFigures(r, cl, others[0].before, others[0].after, others[1].before, others[1].after)
	}
	if res.Scenarios == nil {
		res.Scenarios = map[string]result{}
	}
	res.Scenarios[scenario] = r
	return nil
}

// addClusterFigures makes crossnode's server_cpu_s the sum over both nodes,
// keeping each node's, Redis's CPU and how many connections each node got.
// A figure that could not be sampled is -1, as sioload's own.
func addClusterFigures(r result, cl *cluster, b0, b1, redis0, redis1 float64) {
	cpu := func(before, after float64) float64 {
		if before < 0 || after < 0 || after < before {
			return -1
		}
		return after - before
	}
	a, _ := r.num("server_cpu_s")
	b := cpu(b0, b1)
	r["node_a_cpu_s"], r["node_b_cpu_s"], r["redis_cpu_s"] = a, b, cpu(redis0, redis1)
	if a >= 0 && b >= 0 {
		r["server_cpu_s"] = a + b
	} else {
		r["server_cpu_s"] = -1.0
	}
	// sioload's percentage is of node A alone.
	r["node_a_cpu_pct"] = r["server_cpu_pct"]
	delete(r, "server_cpu_pct")
	r["node_a_conns"] = float64(cl.fwd.conns[0].Load())
	r["node_b_conns"] = float64(cl.fwd.conns[1].Load())
}

// smokeFlags shorten the load generators' fixed waits, for the smoke run,
// and lengthen the wait for late deliveries where the smoke test requires
// every one (it costs nothing unless some are late): on an overloaded
// machine node-chat, starved of its core, once still owed half its
// deliveries 5 s after the last send.
func smokeFlags(scenario string) []string {
	switch scenario {
	case "fanout", "polling", "mixed", "crossnode", "crossnode-cluster", "crossnode-v4":
		return []string{"-warmup", "200ms", "-grace", "20s"}
	case "ceiling":
		return []string{"-warmup", "200ms"}
	}
	return nil
}

// lastJSON parses the last non-empty line of out, where the load generators
// print their summary.
func lastJSON(out []byte) (result, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if !strings.HasPrefix(last, "{") {
		return nil, errNoResult
	}
	var r result
	if err := json.Unmarshal([]byte(last), &r); err != nil {
		return nil, err
	}
	return r, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func itoa(n int) string     { return strconv.Itoa(n) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
