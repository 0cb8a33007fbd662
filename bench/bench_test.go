package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
)

// TestMain lets the test binary stand in for the command: the harness runs
// its own executable with "poll" for the polling scenario.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "poll" {
		os.Exit(pollMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "mixed" {
		os.Exit(mixedMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// TestSmoke runs every scenario at a tiny size against examples/chat,
// node-chat (socket.io 2.5.1), node-chat-v4 (socket.io 4.8.3) and the bare
// relay (websocket scenarios only), through
// the same code as `make bench`, so that the harness cannot rot: the servers
// are built or installed, started, driven by sioload and the polling
// generator, and must deliver every message; the table must have a row for
// every figure, and the latency-vs-load picture a line per server. With redis-server installed (required under CI=true) it also
// runs the crossnode scenarios: two nodes of each server joined through
// Redis (one server; a Redis Cluster; a mixed cluster with node-chat-v4),
// receivers split evenly over them, every message delivered to all. The
// mixed scenario (bench's own generator, half its receivers on Engine.IO
// v3 and half on v4) runs against siogen and node-chat-v4. It
// measures nothing (the machine running tests is busy).
func TestSmoke(t *testing.T) {
	nodetest.Require(t)
	if _, err := exec.LookPath("npm"); err != nil {
		testutil.Missing(t, "npm is not installed (node-chat is installed with npm ci)")
	}
	_, err := exec.LookPath("redis-server")
	crossnode := err == nil
	if !crossnode {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed (the crossnode scenario needs it; run scripts/test.sh)")
		}
		t.Log("redis-server is not installed: crossnode is left out")
	}
	servers := []string{"siogen", "node-chat", "node-chat-v4", "siogen-eio4", "node-chat-v4-eio4", "relay"}
	curvePath := filepath.Join(t.TempDir(), "curve.svg")
	cfg, err := parseFlags([]string{"-smoke", "-servers", strings.Join(servers, ","), "-work", t.TempDir(), "-curve", curvePath})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.has("crossnode") != crossnode {
		t.Fatalf("crossnode selected: %v; want it exactly when redis-server is installed (%v)", cfg.has("crossnode"), crossnode)
	}
	// sioload and node-chat live outside the repository (README.md: make
	// bench); without them there is no harness to smoke-test: a failure
	// under CI=true, a skip elsewhere.
	if root, err := findRoot(); err == nil {
		shared := sharedDir(root)
		for _, dir := range []string{filepath.Join(shared, "sioload"), filepath.Join(shared, "peers", "node-chat")} {
			if _, err := os.Stat(dir); err != nil {
				msg := dir + " is not here (set SIOGEN_SHARED to the folder with sioload and peers/)"
				testutil.Missing(t, msg)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var out, log bytes.Buffer
	rep, err := run(ctx, cfg, &out, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Logf("table:\n%s", out.String())
	if rep.failed() {
		t.Fatalf("errors in the run:\n%s", log.String())
	}

	for _, server := range servers {
		res := rep.server(server)
		if res == nil {
			t.Fatalf("no results for %s", server)
		}
		get := func(scenario, key string) float64 {
			t.Helper()
			r := res.Scenarios[scenario]
			if r == nil {
				t.Fatalf("%s: no %s result", server, scenario)
			}
			v, ok := r.num(key)
			if !ok {
				t.Fatalf("%s %s: no %q in %v", server, scenario, key, r)
			}
			return v
		}
		if n := get("density", "established"); n != float64(cfg.density.n) {
			t.Errorf("%s density: %v of %d connections established", server, n, cfg.density.n)
		}
		if d := get("density", "dropped"); d != 0 {
			t.Errorf("%s density: %v connections dropped while idle", server, d)
		}
		checked := []string{"fanout", "polling"}
		eio4 := strings.HasSuffix(server, "-eio4")
		if eio4 {
			checked = checked[:1] // the long-polling generator speaks Engine.IO v3
		}
		if server == "relay" { // websocket only, no Redis adapter
			checked = checked[:1]
			if res.Scenarios["polling"] != nil {
				t.Errorf("relay: measured in the polling scenario, which it does not serve")
			}
		} else if crossnode {
			clusters := []string{"crossnode", "crossnode-cluster", "crossnode-v4"}
			if server == "node-chat" || eio4 { // socket.io-redis 5.x: one Redis server, 2.x nodes; v4 load: plain crossnode
				clusters = clusters[:1]
			}
			for _, sc := range clusters {
				checked = append(checked, sc)
				// Receivers half on each node, so that every message crosses.
				a, b := get(sc, "node_a_conns"), get(sc, "node_b_conns")
				if n := float64(cfg.crossnode.n); a != n/2 || b != n/2 {
					t.Errorf("%s %s: %v and %v connections on the nodes, want %v each", server, sc, a, b, n/2)
				}
				if cpu := get(sc, "server_cpu_s"); cpu < get(sc, "node_a_cpu_s") {
					t.Errorf("%s %s: server CPU %v, less than node A's alone", server, sc, cpu)
				}
			}
		}
		if server == "siogen" || server == "node-chat-v4" {
			// Half the receivers on each revision, each getting every
			// message.
			checked = append(checked, "mixed")
			for _, rev := range []string{"eio3", "eio4"} {
				n, _ := revision(rev, "receivers")(res.Scenarios["mixed"])
				d, _ := revision(rev, "delivered")(res.Scenarios["mixed"])
				if want := float64(cfg.mixed.n) / 2; n != want || d != get("mixed", "sent")*want {
					t.Errorf("%s mixed: %v %s receivers got %v deliveries, want %v receivers, every message", server, n, rev, d, want)
				}
			}
		} else if res.Scenarios["mixed"] != nil {
			t.Errorf("%s: measured in the mixed scenario, which is for the servers of both revisions (in their v3 column)", server)
		}
		for _, sc := range checked {
			sent, lost, dups := get(sc, "sent"), get(sc, "lost"), get(sc, "duplicates")
			if sent == 0 || lost != 0 || dups != 0 {
				t.Errorf("%s %s: sent %v, lost %v, duplicates %v; want every message delivered once", server, sc, sent, lost, dups)
			}
			if want := sent * get(sc, "n"); get(sc, "delivered") != want {
				t.Errorf("%s %s: delivered %v, want %v", server, sc, get(sc, "delivered"), want)
			}
		}
		if steps, _ := res.Scenarios["ceiling"]["steps"].([]any); len(steps) == 0 {
			t.Errorf("%s ceiling: no ramp steps", server)
		}
	}

	svg, err := os.ReadFile(curvePath)
	if err != nil {
		t.Fatalf("-curve: %v", err)
	}
	for _, server := range servers {
		if !bytes.Contains(svg, []byte(`data-server="`+server+`"`)) {
			t.Errorf("the curve has no line for %s", server)
		}
	}
	if !bytes.HasPrefix(svg, []byte("<svg ")) || !bytes.HasSuffix(svg, []byte("</svg>\n")) {
		t.Errorf("the curve is not one SVG element")
	}

	table := out.String()
	for _, want := range []string{"| metric | siogen | node-chat | node-chat-v4 | siogen-eio4 | node-chat-v4-eio4 | relay | siogen/node | siogen-eio4/node-v4 |", "| target (issue 6) |", "| target (issue 21) |"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	for _, m := range metrics {
		if crossnodeScenarios[m.scenario] && !crossnode {
			continue
		}
		if !strings.Contains(table, "| "+m.label+" |") {
			t.Errorf("table lacks the row %q", m.label)
		}
	}
}
