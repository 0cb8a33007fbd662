package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/siogen/siogen/runtime/socketio"
)

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-version"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := strings.TrimSpace(stdout.String()); got != "siogen "+socketio.Version {
		t.Fatalf("-version printed %q", got)
	}
}

func TestBadUsage(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"a", "b"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if !strings.Contains(stderr.String(), "Usage:") || !strings.Contains(stderr.String(), "-check") {
			t.Errorf("%v: no usage text:\n%s", args, stderr.String())
		}
	}
}

// TestSchemaErrorsExitNonZero: a schema with a mistake is reported at
// file:line and siogen exits 1 without writing anything.
func TestSchemaErrorsExitNonZero(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "schema", "testdata", "duplicate_wire"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := run(nil, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr.String())
	}
	if !regexp.MustCompile(`schema\.go:\d+:\d+: `).MatchString(stderr.String()) {
		t.Fatalf("no file:line:col in:\n%s", stderr.String())
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*_siogen.go")); len(matches) > 0 {
		t.Fatalf("wrote %v despite the errors", matches)
	}
}
