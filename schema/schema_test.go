package schema

import (
	"errors"
	"flag"
	"fmt"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden loads every case under testdata/. A case is a directory holding
// a schema package (its import path lies under this module) and either
// want.txt, a dump of the model Load returns, or stderr.txt, the errors it
// reports, with file names relative to the case directory. An optional
// output.txt holds Config.OutputPkgPath. Run go test -update to rewrite the
// goldens from the current output.
func TestGolden(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			dir, err := filepath.Abs(filepath.Join("testdata", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Dir: dir}
			if b, err := os.ReadFile(filepath.Join(dir, "output.txt")); err == nil {
				cfg.OutputPkgPath = strings.TrimSpace(string(b))
			}

			var got, golden, other string
			pkg, err := Load(cfg)
			if err != nil {
				var list ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("Load returned %T, want an ErrorList: %v", err, err)
				}
				got, golden, other = formatErrors(dir, list), "stderr.txt", "want.txt"
			} else {
				got, golden, other = dump(dir, pkg), "want.txt", "stderr.txt"
			}

			goldenPath := filepath.Join(dir, golden)
			otherPath := filepath.Join(dir, other)
			if *update {
				if err := os.WriteFile(goldenPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Remove(otherPath); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
				return
			}
			if _, err := os.Stat(otherPath); err == nil {
				t.Fatalf("the case has %s, but Load produced output for %s:\n%s", other, golden, got)
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it); got:\n%s", err, got)
			}
			if got != string(want) {
				t.Errorf("%s differs (run go test -update to accept)\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

// formatErrors prints list as Load's caller would, with positions relative
// to dir.
func formatErrors(dir string, list ErrorList) string {
	var b strings.Builder
	for _, e := range list {
		e := *e
		e.Pos.Filename = rel(dir, e.Pos.Filename)
		e.Msg = strings.ReplaceAll(e.Msg, dir+string(filepath.Separator), "")
		fmt.Fprintln(&b, e.Error())
	}
	return b.String()
}

// dump prints the model readably, with positions relative to dir.
func dump(dir string, p *Package) string {
	var b strings.Builder
	pf := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	pos := func(p token.Position) string {
		return fmt.Sprintf("%s:%d:%d", rel(dir, p.Filename), p.Line, p.Column)
	}
	qual := func(other *types.Package) string {
		if other == p.Types {
			return ""
		}
		return other.Name()
	}
	doc := func(indent int, doc string) {
		if doc == "" {
			return
		}
		for line := range strings.SplitSeq(doc, "\n") {
			pf(indent, "%s", strings.TrimRight("// "+line, " "))
		}
	}
	param := func(indent int, role string, prm *Param) {
		binary := ""
		if prm.HasBinary {
			binary = ", binary"
		}
		pf(indent, "%s %s %s (%s%s) %s", role, prm.Name, types.TypeString(prm.Type, qual), prm.Kind, binary, pos(prm.Pos))
	}

	var files []string
	for _, f := range p.Files {
		files = append(files, rel(dir, f))
	}
	pf(0, "package %s %s", p.Name, p.PkgPath)
	pf(0, "dir %s", rel(dir, p.Dir))
	pf(0, "files %s", strings.Join(files, " "))
	pf(0, "types %s", p.Types.Path())
	for _, ns := range p.Namespaces {
		b.WriteByte('\n')
		doc(0, ns.Doc)
		pf(0, "namespace %s %q %s", ns.GoName, ns.Path, pos(ns.Pos))
		if ns.Auth != nil {
			param(1, "auth", ns.Auth)
		}
		if ns.Data != nil {
			param(1, "data", ns.Data)
		}
		for _, dir := range []Direction{ClientToServer, ServerToClient} {
			evs := ns.ClientToServer
			if dir == ServerToClient {
				evs = ns.ServerToClient
			}
			if len(evs) == 0 {
				pf(1, "%s: none", dir)
				continue
			}
			pf(1, "%s:", dir)
			for _, ev := range evs {
				doc(2, ev.Doc)
				pf(2, "event %s %q %s %s", ev.GoName, ev.Wire, ev.Direction, pos(ev.Pos))
				for _, a := range ev.Args {
					param(3, "arg", a)
				}
				if ev.Ack == nil {
					continue
				}
				pf(3, "ack %s %s", ev.Ack.Name, pos(ev.Ack.Pos))
				for _, r := range ev.Ack.Params {
					param(4, "reply", r)
				}
			}
		}
	}
	return b.String()
}

// rel returns path relative to dir, with forward slashes so goldens match
// on every system.
func rel(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}

func TestLoadSeveralPackages(t *testing.T) {
	_, err := Load(Config{Dir: "testdata/everything", Patterns: []string{"./..."}})
	if err == nil || !strings.Contains(err.Error(), "matches 2 packages") {
		t.Fatalf("Load of two packages: got error %v, want one saying it matches 2 packages", err)
	}
	var list ErrorList
	if errors.As(err, &list) {
		t.Errorf("a pattern problem is not a schema mistake, but Load returned an ErrorList")
	}
}

func TestParsePos(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want token.Position
	}{
		{"", token.Position{}},
		{"-", token.Position{}},
		{"a.go", token.Position{Filename: "a.go"}},
		{"a.go:3", token.Position{Filename: "a.go", Line: 3}},
		{"a.go:3:7", token.Position{Filename: "a.go", Line: 3, Column: 7}},
		{`C:\x\a.go:3:7`, token.Position{Filename: `C:\x\a.go`, Line: 3, Column: 7}},
		{"odd:name.go:3", token.Position{Filename: "odd:name.go", Line: 3}},
	} {
		if got := parsePos(tt.in); got != tt.want {
			t.Errorf("parsePos(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestTagWellFormed(t *testing.T) {
	for tag, want := range map[string]bool{
		``:                               true,
		`sio:"x"`:                        true,
		`sio:"chat message"`:             true,
		`  sio:"x"  json:"y,omitempty" `: true,
		`sio:"a\"b"`:                     true,
		`sio:""`:                         true,
		`sio:x`:                          false,
		`sio: "x"`:                       false,
		`sio:"x`:                         false,
		`sio:"x"json:"y"`:                false,
		`sio`:                            false,
		`:"x"`:                           false,
		`sio:"\q"`:                       false,
	} {
		if got := tagWellFormed(tag); got != want {
			t.Errorf("tagWellFormed(`%s`) = %v, want %v", tag, got, want)
		}
	}
}

func TestErrorList(t *testing.T) {
	at := func(file string, line, col int) token.Position {
		return token.Position{Filename: file, Line: line, Column: col}
	}
	list := ErrorList{
		{Pos: at("b.go", 1, 1), Msg: "third"},
		{Pos: at("a.go", 2, 1), Msg: "second"},
		{Pos: at("a.go", 1, 5), Msg: "first"},
		{Pos: at("b.go", 1, 1), Msg: "third"},
		{Msg: "no position"},
	}
	list.Sort()
	want := "no position\na.go:1:5: first\na.go:2:1: second\nb.go:1:1: third"
	if got := list.Error(); got != want {
		t.Errorf("sorted list:\n%s\nwant:\n%s", got, want)
	}
	var e *Error
	if !errors.As(error(list), &e) || e.Msg != "no position" {
		t.Errorf("errors.As did not find the first *Error in the list")
	}
}

func TestStrings(t *testing.T) {
	if got := ServerToClient.String(); got != "ServerToClient" {
		t.Errorf("ServerToClient.String() = %q", got)
	}
	if got := Bytes.String(); got != "Bytes" {
		t.Errorf("Bytes.String() = %q", got)
	}
	if got := Kind(99).String(); got != "Kind(invalid)" {
		t.Errorf("Kind(99).String() = %q", got)
	}
}

// TestLoadParseError checks that syntax errors come back with positions.
// The broken source lives in a temporary module, because a file that does
// not parse under testdata/ would break gofmt runs over the repository.
func TestLoadParseError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/broken\n\ngo 1.25\n")
	write("schema.go", "package broken\n\ntype Chat struct {\n\tHello func(msg string\n}\n")

	_, err := Load(Config{Dir: dir})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Load returned %v, want an ErrorList", err)
	}
	got := formatErrors(dir, list)
	t.Logf("Load:\n%s", got)
	if !strings.HasPrefix(got, "schema.go:4:") {
		t.Errorf("errors do not point into schema.go line 4:\n%s", got)
	}
}

// TestLoadNoGoFiles checks the error for a directory without a package.
func TestLoadNoGoFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/empty\n\ngo 1.25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Config{Dir: dir})
	if err == nil {
		t.Fatal("Load of a directory without Go files succeeded")
	}
	t.Logf("Load: %v", err)
}
