package main

import (
	"bytes"
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
// generator, and stores the generator's summary in res.
func runScenario(ctx context.Context, c *config, t *tools, s *server, scenario string, res *serverResult, log io.Writer) error {
	var env []string
	if c.siogenProf != "" && s.name == "siogen" {
		prof, err := filepath.Abs(c.siogenProf + "." + scenario)
		if err != nil {
			return err
		}
		env = []string{profileEnv + "=" + prof}
	}
	srv, err := s.start(c, scenario, env...)
	if err != nil {
		return err
	}
	defer srv.stop()
	pid := strconv.Itoa(srv.pid())
	common := []string{"-addr", srv.addr, "-pid", pid}
	var argv []string
	var limit time.Duration
	switch scenario {
	case "density":
		d := c.density
		argv = append([]string{t.sioload, "conns"}, common...)
		argv = append(argv, "-n", itoa(d.n), "-connrate", ftoa(d.connRate), "-hold", d.hold.String())
		limit = time.Duration(float64(d.n)/d.connRate*float64(time.Second)) + d.hold + 2*time.Minute
	case "fanout":
		f := c.fanout
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
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	if err := srv.exited(); err != nil {
		return err
	}
	if runErr != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), runErr, lastLines(stderr.String(), 10))
	}
	r, err := lastJSON(stdout.Bytes())
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, lastLines(stderr.String(), 10))
	}
	r["command"] = strings.Join(argv, " ")
	if res.Scenarios == nil {
		res.Scenarios = map[string]result{}
	}
	res.Scenarios[scenario] = r
	return nil
}

// smokeFlags shorten the load generators' fixed waits, for the smoke run.
func smokeFlags(scenario string) []string {
	switch scenario {
	case "fanout", "ceiling", "polling":
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
