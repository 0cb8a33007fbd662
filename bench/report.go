package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// report is one run: the machine, the sizes, and every server's results.
type report struct {
	Date    string          `json:"date"`
	Machine string          `json:"machine"`
	Config  string          `json:"config"`
	Results []*serverResult `json:"results"`
}

func (r *report) failed() bool {
	for _, res := range r.Results {
		if len(res.Errors) > 0 {
			return true
		}
	}
	return false
}

func (r *report) server(name string) *serverResult {
	for _, res := range r.Results {
		if res.Server == name {
			return res
		}
	}
	return nil
}

// metric is one row of the table: a figure read from a scenario's summary.
type metric struct {
	scenario string
	label    string
	format   string
	value    func(r result) (float64, bool)
}

func field(key string) func(result) (float64, bool) {
	return func(r result) (float64, bool) { return r.num(key) }
}

// perDelivery is server CPU microseconds per delivery.
func perDelivery(r result) (float64, bool) {
	cpu, ok1 := r.num("server_cpu_s")
	n, ok2 := r.num("delivered")
	if !ok1 || !ok2 || n == 0 || cpu < 0 {
		return 0, false
	}
	return cpu / n * 1e6, true
}

// nonNegative is a field that is -1 when it could not be measured.
func nonNegative(key string) func(result) (float64, bool) {
	return func(r result) (float64, bool) {
		v, ok := r.num(key)
		return v, ok && v >= 0
	}
}

// revision is a figure of the mixed scenario's receivers of one Engine.IO
// revision ("eio3", "eio4").
func revision(rev, key string) func(result) (float64, bool) {
	return func(r result) (float64, bool) {
		sub, ok := r[rev].(map[string]any)
		if !ok {
			return 0, false
		}
		return result(sub).num(key)
	}
}

func rssMiB(r result) (float64, bool) {
	kib, ok := r.num("server_rss_after_kib")
	return kib / 1024, ok && kib >= 0
}

var metrics = withCrossnodeVariants([]metric{
	{"density", "connections established", "%.0f", field("established")},
	{"density", "server RSS per connection, KiB", "%.1f", field("server_kib_per_conn")},
	{"density", "server RSS with all connected, MiB", "%.0f", rssMiB},
	{"density", "connect latency p50, ms", "%.1f", field("connect_p50_ms")},
	{"density", "connect latency p99, ms", "%.1f", field("connect_p99_ms")},
	{"density", "server CPU while idle, % of a core", "%.2f", field("server_idle_cpu_pct")},
	{"density", "connections dropped", "%.0f", field("dropped")},

	{"fanout", "deliveries/s", "%.0f", field("deliveries_per_s")},
	{"fanout", "latency p50, ms", "%.1f", field("lat_p50_ms")},
	{"fanout", "latency p99, ms", "%.1f", field("lat_p99_ms")},
	{"fanout", "latency max, ms", "%.1f", field("lat_max_ms")},
	{"fanout", "lost deliveries", "%.0f", field("lost")},
	{"fanout", "server CPU, s", "%.2f", field("server_cpu_s")},
	{"fanout", "server CPU per delivery, µs", "%.1f", perDelivery},
	{"fanout", "load generator CPU, % of a core", "%.0f", field("client_cpu_pct")},

	{"mixed", "deliveries/s", "%.0f", field("deliveries_per_s")},
	{"mixed", "latency p50, ms", "%.1f", field("lat_p50_ms")},
	{"mixed", "latency p99, ms", "%.1f", field("lat_p99_ms")},
	{"mixed", "EIO3 receivers: latency p50, ms", "%.1f", revision("eio3", "lat_p50_ms")},
	{"mixed", "EIO3 receivers: latency p99, ms", "%.1f", revision("eio3", "lat_p99_ms")},
	{"mixed", "EIO3 receivers: lost deliveries", "%.0f", revision("eio3", "lost")},
	{"mixed", "EIO4 receivers: latency p50, ms", "%.1f", revision("eio4", "lat_p50_ms")},
	{"mixed", "EIO4 receivers: latency p99, ms", "%.1f", revision("eio4", "lat_p99_ms")},
	{"mixed", "EIO4 receivers: lost deliveries", "%.0f", revision("eio4", "lost")},
	{"mixed", "duplicate deliveries", "%.0f", field("duplicates")},
	{"mixed", "server CPU, s", "%.2f", nonNegative("server_cpu_s")},
	{"mixed", "server CPU per delivery, µs", "%.1f", perDelivery},
	{"mixed", "load generator CPU, % of a core", "%.0f", field("client_cpu_pct")},
	{"mixed", "load generator's worst send lag, ms", "%.1f", field("send_lag_max_ms")},

	{"crossnode", "deliveries/s", "%.0f", field("deliveries_per_s")},
	{"crossnode", "latency p50, ms", "%.1f", field("lat_p50_ms")},
	{"crossnode", "latency p99, ms", "%.1f", field("lat_p99_ms")},
	{"crossnode", "latency max, ms", "%.1f", field("lat_max_ms")},
	{"crossnode", "lost deliveries", "%.0f", field("lost")},
	{"crossnode", "duplicate deliveries", "%.0f", field("duplicates")},
	{"crossnode", "server CPU, both nodes, s", "%.2f", nonNegative("server_cpu_s")},
	{"crossnode", "server CPU per delivery, µs", "%.1f", perDelivery},
	{"crossnode", "Redis CPU, s", "%.2f", nonNegative("redis_cpu_s")},
	{"crossnode", "load generator CPU, % of a core", "%.0f", field("client_cpu_pct")},

	{"ceiling", "highest sustained deliveries/s", "%.0f", field("max_sustained_deliveries_per_s")},
	{"ceiling", "at msgs/s", "%.0f", field("best_rate")},

	{"polling", "deliveries/s", "%.0f", field("deliveries_per_s")},
	{"polling", "latency p50, ms", "%.1f", field("lat_p50_ms")},
	{"polling", "latency p99, ms", "%.1f", field("lat_p99_ms")},
	{"polling", "latency max, ms", "%.1f", field("lat_max_ms")},
	{"polling", "lost deliveries", "%.0f", field("lost")},
	{"polling", "server CPU, s", "%.2f", field("server_cpu_s")},
	{"polling", "server CPU per delivery, µs", "%.1f", perDelivery},
	{"polling", "load generator CPU, % of a core", "%.0f", field("client_cpu_pct")},
})

// withCrossnodeVariants gives crossnode-cluster and crossnode-v4 the rows
// of crossnode, after them.
func withCrossnodeVariants(ms []metric) []metric {
	var out []metric
	for i, m := range ms {
		out = append(out, m)
		if m.scenario == "crossnode" && (i+1 == len(ms) || ms[i+1].scenario != "crossnode") {
			for _, variant := range []string{"crossnode-cluster", "crossnode-v4"} {
				for _, cm := range ms {
					if cm.scenario == "crossnode" {
						cm.scenario = variant
						out = append(out, cm)
					}
				}
			}
		}
	}
	return out
}

// reference is the server siogen is compared with in the ratio column:
// node-chat (socket.io 2.5.1), except where it cannot run the scenario.
func reference(scenario string) string {
	switch scenario {
	case "crossnode-cluster", "crossnode-v4", "mixed":
		return "node-chat-v4"
	}
	return "node-chat"
}

// value is a metric of one server, when measured.
func (r *report) value(server string, m metric) (float64, bool) {
	res := r.server(server)
	if res == nil || res.Scenarios[m.scenario] == nil {
		return 0, false
	}
	return m.value(res.Scenarios[m.scenario])
}

// scenarioTitle heads a scenario's rows with its sizes.
func scenarioTitle(c string, rep *report) string {
	for _, part := range strings.Split(rep.Config, "; ") {
		if strings.HasPrefix(part, c+":") {
			return part
		}
	}
	return c
}

// printReport writes the table (Markdown), the targets and any errors.
// Long on purpose: one section per scenario, in the order the table reads.
func printReport(w io.Writer, rep *report) {
	var servers []string
	for _, res := range rep.Results {
		servers = append(servers, res.Server)
	}
	hasNode := rep.server("siogen") != nil && (rep.server("node-chat") != nil || rep.server("node-chat-v4") != nil)
	// The Engine.IO v4 columns have their own ratio: the chat to socket.io
	// 4.8.3, both driven by socket.io 4.x clients.
	hasV4 := rep.server("node-chat-v4-eio4") != nil && rep.server("siogen-eio4") != nil
	fmt.Fprintf(w, "\ndate: %s\nmachine: %s\n", rep.Date, rep.Machine)
	fmt.Fprintf(w, "load average (1/5/15 min) before → after each server:")
	for _, res := range rep.Results {
		fmt.Fprintf(w, " %s %s → %s;", res.Server, res.LoadBefore, res.LoadAfter)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)

	head := "| metric | " + strings.Join(servers, " | ") + " |"
	rule := "| --- |" + strings.Repeat(" ---: |", len(servers))
	if hasNode {
		head += " siogen/node |"
		rule += " ---: |"
	}
	if hasV4 {
		head += " siogen-eio4/node-v4 |"
		rule += " ---: |"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	scenario := ""
	for _, m := range metrics {
		if !rep.ran(m.scenario) {
			continue
		}
		if m.scenario != scenario {
			scenario = m.scenario
			fmt.Fprintf(w, "| **%s** |%s\n", scenarioTitle(scenario, rep), strings.Repeat(" |", len(servers)+map[bool]int{true: 1}[hasNode]+map[bool]int{true: 1}[hasV4]))
		}
		row := "| " + m.label + " |"
		for _, s := range servers {
			if v, ok := rep.value(s, m); ok {
				row += " " + fmt.Sprintf(m.format, v) + " |"
			} else {
				row += " – |"
			}
		}
		for _, pair := range [][2]string{{"siogen", reference(m.scenario)}, {"siogen-eio4", "node-chat-v4-eio4"}} {
			if pair[0] == "siogen" && !hasNode || pair[0] == "siogen-eio4" && !hasV4 {
				continue
			}
			a, ok1 := rep.value(pair[0], m)
			b, ok2 := rep.value(pair[1], m)
			if ok1 && ok2 && b != 0 {
				row += fmt.Sprintf(" %s |", ratioText(a/b))
			} else {
				row += " – |"
			}
		}
		fmt.Fprintln(w, row)
	}

	if targets := rep.targets(); hasNode && len(targets) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| target (issue 6) | siogen | node-chat | siogen/node | goal | met |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- | --- |")
		for _, t := range targets {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", t.name, t.siogen, t.node, t.ratio, t.goal, t.met)
		}
	}

	if targets := rep.loadTargets(); len(targets) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| target (issue 21) | siogen | reference | siogen/reference | goal | met |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- | --- |")
		for _, t := range targets {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", t.name, t.siogen, t.node, t.ratio, t.goal, t.met)
		}
	}

	for _, res := range rep.Results {
		for _, sc := range allScenarios {
			r := res.Scenarios[sc]
			if r == nil {
				continue
			}
			if ws, ok := r["warnings"].([]any); ok {
				for _, w2 := range ws {
					fmt.Fprintf(w, "\nwarning: %s %s: %v", res.Server, sc, w2)
				}
			}
			if e, ok := r["first_error"].(string); ok && e != "" {
				fmt.Fprintf(w, "\nnote: %s %s: first connection error: %s", res.Server, sc, e)
			}
		}
		for _, e := range res.Errors {
			fmt.Fprintf(w, "\nERROR: %s: %s", res.Server, e)
		}
	}
	fmt.Fprintln(w)
}

// ran reports whether any server has results for the scenario.
func (r *report) ran(scenario string) bool {
	for _, res := range r.Results {
		if res.Scenarios[scenario] != nil {
			return true
		}
	}
	return false
}

func ratioText(x float64) string {
	switch {
	case math.IsInf(x, 0) || math.IsNaN(x):
		return "–"
	case x >= 10:
		return fmt.Sprintf("%.0f×", x)
	case x >= 0.1:
		return fmt.Sprintf("%.2f×", x)
	}
	return fmt.Sprintf("%.3f×", x)
}

// target is one goal of issue 6, judged on this run.
type target struct {
	name, siogen, node, ratio, goal, met string
}

func (rep *report) targets() []target {
	var out []target
	judge := func(name, scenario, key, format, goal string, ok func(s, n float64) bool) {
		if !rep.ran(scenario) {
			return
		}
		m := metric{scenario: scenario, format: format, value: field(key)}
		if key == "" {
			m.value = perDelivery
		}
		s, ok1 := rep.value("siogen", m)
		n, ok2 := rep.value("node-chat", m)
		t := target{name: name, siogen: "–", node: "–", ratio: "–", goal: goal, met: "not measured"}
		if ok1 {
			t.siogen = fmt.Sprintf(format, s)
		}
		if ok2 {
			t.node = fmt.Sprintf(format, n)
		}
		if ok1 && ok2 {
			if n != 0 {
				t.ratio = ratioText(s / n)
			}
			t.met = map[bool]string{true: "yes", false: "**no**"}[ok(s, n)]
		}
		out = append(out, t)
	}
	judge("ceiling: highest sustained deliveries/s", "ceiling", "max_sustained_deliveries_per_s", "%.0f", "≥ 5× node",
		func(s, n float64) bool { return n > 0 && s >= 5*n })
	judge("fan-out: latency p99, ms", "fanout", "lat_p99_ms", "%.1f", "≤ 1/3 of node",
		func(s, n float64) bool { return s <= n/3 })
	judge("fan-out: server CPU, s", "fanout", "server_cpu_s", "%.2f", "≤ 1/4 of node",
		func(s, n float64) bool { return s >= 0 && s <= n/4 })
	judge("fan-out: lost deliveries", "fanout", "lost", "%.0f", "0",
		func(s, n float64) bool { return s == 0 })
	judge("density: RSS per idle websocket, KiB", "density", "server_kib_per_conn", "%.1f", "≤ 1/2 of node and < 12 KiB",
		func(s, n float64) bool { return s <= n/2 && s < 12 })
	return out
}

// loadTargets are the goals of issue 21 (latency without a tax), against
// the bare relay and socket.io 4.8 (node-chat-v4), for the servers of the
// run that have them.
func (rep *report) loadTargets() []target {
	var out []target
	judge := func(name, scenario, ref string, m metric, goal string, ok func(s, r float64) bool) {
		if !rep.ran(scenario) || rep.server("siogen") == nil || rep.server(ref) == nil {
			return
		}
		s, ok1 := rep.value("siogen", m)
		r, ok2 := rep.value(ref, m)
		t := target{name: name, siogen: "–", node: "–", ratio: "–", goal: goal, met: "not measured"}
		if ok1 {
			t.siogen = fmt.Sprintf(m.format, s)
		}
		if ok2 {
			t.node = fmt.Sprintf(m.format, r)
		}
		if ok1 && ok2 {
			if r != 0 {
				t.ratio = ratioText(s / r)
			}
			t.met = map[bool]string{true: "yes", false: "**no**"}[ok(s, r)]
		}
		out = append(out, t)
	}
	p99 := metric{scenario: "fanout", format: "%.1f", value: field("lat_p99_ms")}
	cpu := metric{scenario: "fanout", format: "%.2f", value: nonNegative("server_cpu_s")}
	ceiling := metric{scenario: "ceiling", format: "%.0f", value: field("max_sustained_deliveries_per_s")}
	judge("fan-out: latency p99, ms (against relay)", "fanout", "relay", p99, "≤ 1.2× relay",
		func(s, r float64) bool { return s <= 1.2*r })
	judge("fan-out: latency p99, ms (against socket.io 4.8)", "fanout", "node-chat-v4", p99, "≤ node-chat-v4",
		func(s, r float64) bool { return s <= r })
	judge("fan-out: server CPU, s (against relay)", "fanout", "relay", cpu, "≤ relay",
		func(s, r float64) bool { return s <= r })
	judge("ceiling: highest sustained deliveries/s (against socket.io 4.8)", "ceiling", "node-chat-v4", ceiling, "≥ 10× node-chat-v4",
		func(s, r float64) bool { return r > 0 && s >= 10*r })
	return out
}

// p99Limit is the ceiling ramp's p99 limit, in ms (250 unless sioload
// said otherwise).
func (rep *report) p99Limit() float64 {
	for _, res := range rep.Results {
		if v, ok := res.Scenarios["ceiling"].num("p99_limit_ms"); ok && v > 0 {
			return v
		}
	}
	return 250
}
