package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
)

// curvePoint is one step of a ceiling ramp: the offered load and the
// latency it got.
type curvePoint struct {
	offered  float64 // deliveries/s sent for: messages/s × receivers
	p50, p99 float64 // ms
	pass     bool    // p99 within the limit, nothing lost, nobody dropped
}

// curve is one server's ramp, by offered load.
type curve struct {
	server string
	points []curvePoint
}

// curves reads every server's ceiling steps from the report.
func (r *report) curves() []curve {
	var out []curve
	for _, res := range r.Results {
		ceil := res.Scenarios["ceiling"]
		if ceil == nil {
			continue
		}
		n, _ := ceil.num("n")
		steps, _ := ceil["steps"].([]any)
		c := curve{server: res.Server}
		for _, s := range steps {
			step, ok := s.(map[string]any)
			if !ok {
				continue
			}
			st := result(step)
			rate, ok1 := st.num("rate")
			p50, ok2 := st.num("lat_p50_ms")
			p99, ok3 := st.num("lat_p99_ms")
			if !ok1 || !ok2 || !ok3 || n == 0 {
				continue
			}
			pass, _ := step["pass"].(bool)
			c.points = append(c.points, curvePoint{offered: rate * n, p50: p50, p99: p99, pass: pass})
		}
		if len(c.points) == 0 {
			continue
		}
		// The ramp bisects after its first failure: draw by load.
		sort.SliceStable(c.points, func(i, j int) bool { return c.points[i].offered < c.points[j].offered })
		out = append(out, c)
	}
	return out
}

// curveColors are distinguishable in colour and in grey.
var curveColors = []string{"#d62728", "#1f77b4", "#2ca02c", "#7f7f7f", "#9467bd", "#ff7f0e", "#8c564b"}

// writeCurve draws the latency-vs-load curves of the run's ceiling ramps as
// an SVG: offered deliveries/s on a log axis, p99 (solid) and p50 (dashed)
// latency on a log axis, a filled marker for a step that passed and a
// hollow one for a step that failed, and the ramp's p99 limit.
// Long on purpose: it draws one picture top to bottom (axes, grid, limit,
// curves, legend), in the order the SVG reads.
func writeCurve(w io.Writer, rep *report, p99Limit float64) error {
	curves := rep.curves()
	if len(curves) == 0 {
		return fmt.Errorf("no ceiling steps to draw")
	}
	minX, maxX, minY, maxY := math.Inf(1), 0.0, math.Inf(1), p99Limit
	for _, c := range curves {
		for _, p := range c.points {
			minX, maxX = math.Min(minX, p.offered), math.Max(maxX, p.offered)
			minY = math.Min(minY, math.Max(p.p50, 0.1))
			maxY = math.Max(maxY, p.p99)
		}
	}
	x0, x1 := math.Floor(math.Log10(minX)), math.Ceil(math.Log10(maxX))
	y0, y1 := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
	if x1 == x0 {
		x1++
	}
	if y1 == y0 {
		y1++
	}
	const width, height = 880.0, 480.0
	const left, right, top, bottom = 70.0, 150.0, 40.0, 55.0
	px := func(v float64) float64 {
		return left + (math.Log10(v)-x0)/(x1-x0)*(width-left-right)
	}
	py := func(v float64) float64 {
		return height - bottom - (math.Log10(math.Max(v, 0.1))-y0)/(y1-y0)*(height-top-bottom)
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="20" font-size="14">Latency against offered load (ceiling ramp, %s)</text>`+"\n", left, xmlEscape(rep.Date))
	// Decades, with the 2× and 5× lines fainter.
	for e := x0; e <= x1; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if e == x1 && m > 1 {
				break
			}
			x := px(v)
			stroke, label := "#ddd", "#888"
			if m == 1 {
				stroke, label = "#bbb", "black"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="%s">%s</text>`+"\n", x, height-bottom+18, label, siCount(v))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="%s"/>`+"\n", x, top, x, height-bottom, stroke)
		}
	}
	for e := y0; e <= y1; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#bbb"/>`+"\n", left, y, width-right, y)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y+4, msLabel(math.Pow(10, e)))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">offered deliveries/s (messages/s × receivers)</text>`+"\n", (left+width-right)/2, height-12)
	fmt.Fprintf(&b, `<text x="16" y="%.0f" text-anchor="middle" transform="rotate(-90 16 %.0f)">latency, ms (p99 solid, p50 dashed)</text>`+"\n", (top+height-bottom)/2, (top+height-bottom)/2)
	ly := py(p99Limit)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="black" stroke-dasharray="2 4"/>`+"\n", left, ly, width-right, ly)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">p99 limit %s</text>`+"\n", width-right-4, ly-4, msLabel(p99Limit))

	for i, c := range curves {
		color := curveColors[i%len(curveColors)]
		var p99, p50 []string
		for _, p := range c.points {
			p99 = append(p99, fmt.Sprintf("%.1f,%.1f", px(p.offered), py(p.p99)))
			p50 = append(p50, fmt.Sprintf("%.1f,%.1f", px(p.offered), py(p.p50)))
		}
		fmt.Fprintf(&b, `<g class="server" data-server="%s">`+"\n", xmlEscape(c.server))
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(p99, " "))
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4" points="%s"/>`+"\n", color, strings.Join(p50, " "))
		for _, p := range c.points {
			fill := color
			if !p.pass {
				fill = "white"
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s" stroke="%s"/>`+"\n", px(p.offered), py(p.p99), fill, color)
		}
		lx, ly := width-right+12, top+16+float64(i)*18
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="2"/>`+"\n", lx, ly-4, lx+24, ly-4, color)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s</text>`+"\n", lx+30, ly, xmlEscape(c.server))
		fmt.Fprintln(&b, `</g>`)
	}
	n := len(curves)
	for i, line := range []string{"filled: step passed", "hollow: p99 over the", "limit, loss or drops"} {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555">%s</text>`+"\n", width-right+12, top+28+float64(n+i)*16, line)
	}
	fmt.Fprintln(&b, `</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// siCount writes 1000 as 1k and 1000000 as 1M.
func siCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func msLabel(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%g s", v/1000)
	}
	return fmt.Sprintf("%g ms", v)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// curveMain redraws the curve of a saved run: bench curve -json FILE -o FILE.
func curveMain(args []string) int {
	fs := flag.NewFlagSet("bench curve", flag.ExitOnError)
	in := fs.String("json", "", "a run's raw results (bench -json)")
	out := fs.String("o", "curve.svg", "the SVG to write")
	fs.Parse(args)
	b, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench curve:", err)
		return 1
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		fmt.Fprintln(os.Stderr, "bench curve:", err)
		return 1
	}
	var svg strings.Builder
	if err := writeCurve(&svg, &rep, rep.p99Limit()); err != nil {
		fmt.Fprintln(os.Stderr, "bench curve:", err)
		return 1
	}
	if err := os.WriteFile(*out, []byte(svg.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "bench curve:", err)
		return 1
	}
	return 0
}
