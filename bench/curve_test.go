package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCurve draws two ramps and checks the picture's parts: a group per
// server with its p99 and p50 lines, one marker per step (hollow when the
// step failed), steps ordered by load although the ramp bisected, and the
// p99 limit.
func TestCurve(t *testing.T) {
	step := func(rate, p50, p99 float64, pass bool) any {
		return map[string]any{"rate": rate, "lat_p50_ms": p50, "lat_p99_ms": p99, "pass": pass}
	}
	rep := &report{Date: "2026-12-06T22:00:00Z", Results: []*serverResult{
		{Server: "siogen", Scenarios: map[string]result{"ceiling": {"n": 1000.0, "p99_limit_ms": 250.0, "steps": []any{
			step(20, 3, 9, true), step(30, 4, 12, true), step(45, 60, 900, false), step(37, 5, 20, true)}}}},
		{Server: "relay", Scenarios: map[string]result{"ceiling": {"n": 1000.0, "steps": []any{step(20, 2, 6, true)}}}},
		{Server: "node-chat", Scenarios: map[string]result{"fanout": {}}}, // no ramp: no line
	}}
	var b bytes.Buffer
	if err := writeCurve(&b, rep, rep.p99Limit()); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if strings.Count(svg, `<g class="server"`) != 2 || !strings.Contains(svg, `data-server="siogen"`) || !strings.Contains(svg, `data-server="relay"`) {
		t.Errorf("want a group for siogen and relay only:\n%s", svg)
	}
	if n := strings.Count(svg, "<polyline"); n != 4 {
		t.Errorf("%d polylines, want p99 and p50 for each of 2 servers", n)
	}
	if n := strings.Count(svg, "<circle"); n != 5 {
		t.Errorf("%d markers, want one per step (5)", n)
	}
	if n := strings.Count(svg, `fill="white" stroke=`); n != 1 {
		t.Errorf("%d hollow markers, want 1 (the failed step)", n)
	}
	if !strings.Contains(svg, "p99 limit 250 ms") {
		t.Errorf("no p99 limit line")
	}
	// siogen's p99 line runs left to right: by load, not in ramp order.
	rs := rep.curves()
	for i := 1; i < len(rs[0].points); i++ {
		if rs[0].points[i].offered < rs[0].points[i-1].offered {
			t.Errorf("points out of order: %v", rs[0].points)
		}
	}
	if testing.Verbose() {
		t.Log(svg)
	}
}

// TestCurveRedraw: bench curve draws the same picture from a run saved
// with -json as the run drew at its end.
func TestCurveRedraw(t *testing.T) {
	rep := &report{Date: "2026-12-06T22:00:00Z", Results: []*serverResult{
		{Server: "siogen", Scenarios: map[string]result{"ceiling": {"n": 1000.0, "steps": []any{
			map[string]any{"rate": 20.0, "lat_p50_ms": 3.0, "lat_p99_ms": 9.0, "pass": true}}}}},
	}}
	dir := t.TempDir()
	saved, _ := json.Marshal(rep)
	if err := os.WriteFile(filepath.Join(dir, "results.json"), saved, 0o644); err != nil {
		t.Fatal(err)
	}
	if code := curveMain([]string{"-json", filepath.Join(dir, "results.json"), "-o", filepath.Join(dir, "curve.svg")}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got, err := os.ReadFile(filepath.Join(dir, "curve.svg"))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	writeCurve(&want, rep, 250)
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("redrawn picture differs from the run's")
	}
}
