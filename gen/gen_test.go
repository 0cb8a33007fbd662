package gen_test

import (
	"bytes"
	"errors"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/siogen/siogen/gen"
	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/schema"
)

var update = flag.Bool("update", false, "rewrite the golden generated files in testdata")

// TestGolden regenerates every schema under testdata/ in memory and
// compares the result with the committed *_siogen.go files beside it, which
// the end-to-end tests compile and run, and with its TypeScript (<case>.ts)
// and AsyncAPI (<case>.asyncapi.json) outputs, which TestTypeScript and
// TestAsyncAPI check with the official tools. go test ./gen -update
// rewrites them.
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "errors" {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir, _ := filepath.Abs(filepath.Join("testdata", c.Name()))
			pkg, err := schema.Load(schema.Config{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			files, err := gen.Generate(pkg, gen.Config{})
			if err != nil {
				t.Fatal(err)
			}
			// The TypeScript and AsyncAPI outputs, beside the Go ones.
			if files[c.Name()+".ts"], err = gen.TypeScript(pkg); err != nil {
				t.Fatal(err)
			}
			if files[c.Name()+".asyncapi.json"], err = gen.AsyncAPI(pkg); err != nil {
				t.Fatal(err)
			}
			for name, got := range files {
				path := filepath.Join(dir, name)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./gen -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the generated code (run go test ./gen -update and review the diff):\n%s", name, testutil.LineDiff(want, got))
				}
			}
			typecheck(t, dir)
		})
	}
}

// typecheck fails t unless the package in dir, generated code included,
// compiles.
func typecheck(t *testing.T, dir string) {
	t.Helper()
	typecheckOverlay(t, dir, nil)
}

// typecheckOverlay is typecheck with the files of overlay (absolute path:
// contents) in place of, or beside, those on disk. It fails t as well when
// a file of overlay is not part of the package checked.
func typecheckOverlay(t *testing.T, dir string, overlay map[string][]byte) {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedCompiledGoFiles | packages.NeedTypes | packages.NeedSyntax, Dir: dir, Overlay: overlay}, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 {
		t.Fatalf("loaded %d packages from %s, want 1", len(pkgs), dir)
	}
	for _, e := range pkgs[0].Errors {
		t.Errorf("generated code does not compile: %v", e)
	}
	compiled := map[string]bool{}
	for _, f := range pkgs[0].CompiledGoFiles {
		compiled[f] = true
	}
	for f := range overlay {
		if !compiled[f] {
			t.Errorf("%s was not compiled with the package (files: %v)", f, pkgs[0].CompiledGoFiles)
		}
	}
}

// TestNameClash checks that a schema whose generated methods would share a
// name, with each other or with a method every generated type has, is
// refused at the field that causes it, naming both, instead of producing
// code that does not compile.
func TestNameClash(t *testing.T) {
	for _, c := range []struct {
		dir  string
		want []string
	}{
		{"noack_clash", []string{
			`schema.go:12:3: event SendNoAck ("send quietly"): the generated method EmitSendNoAck is also generated for event Send ("send") at schema.go:11; rename one of the fields`,
			`schema.go:16:3: event PostNoAck ("post quietly"): the generated method EmitPostNoAck is also generated for event Post ("post") at schema.go:15; rename one of the fields`,
		}},
		{"reply_clash", []string{
			`schema.go:11:3: event Send ("send"): the generated name ChatSendReply is already a declaration of package replyclash; rename the event or that declaration`,
		}},
		{"context_clash", []string{
			`schema.go:12:3: event SendContext ("send with context"): the generated method OnSendContext is also generated for event Send ("send") at schema.go:11; rename one of the fields`,
		}},
		{"fixed_clash", []string{
			`schema.go:11:3: event Disconnect ("leave"): the generated method ChatSocket.OnDisconnect would clash with the method of that name every ChatSocket has; rename the field`,
			`schema.go:12:3: event Any ("any"): the generated method ChatSocket.OnAny would clash with the method of that name every ChatSocket has; rename the field`,
			`schema.go:15:3: event Connect ("hello"): the generated method ChatClient.OnConnect would clash with the method of that name every ChatClient has; rename the field`,
			`schema.go:16:3: event Error ("oops"): the generated method ChatClient.OnError would clash with the method of that name every ChatClient has; rename the field`,
		}},
	} {
		t.Run(c.dir, func(t *testing.T) {
			dir, _ := filepath.Abs(filepath.Join("testdata", "errors", c.dir))
			pkg, err := schema.Load(schema.Config{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			files, err := gen.Generate(pkg, gen.Config{})
			if err == nil {
				t.Fatalf("Generate succeeded with %d files; want the clash reported", len(files))
			}
			var list schema.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T %v, want a schema.ErrorList", err, err)
			}
			var got []string
			for _, e := range list {
				got = append(got, strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestEverything generates the schema package's corpus case that uses every
// accepted schema feature (schema/testdata/everything: several files and
// namespaces, one without events, the same wire name in both directions,
// types from another package, generics, aliases, named func types,
// self-encoding types, unnamed and clashing parameter names) and proves the
// output compiles with the schema. The generated files are laid over the
// directory in memory (packages.Config.Overlay), so nothing is written
// beside the schema loader's golden case.
func TestEverything(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "schema", "testdata", "everything"))
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := schema.Load(schema.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Generate(pkg, gen.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	overlay := map[string][]byte{}
	for name, src := range files {
		names = append(names, name)
		overlay[filepath.Join(dir, name)] = src
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "admin_siogen.go chat_siogen.go" {
		t.Errorf("generated %s, want admin_siogen.go and chat_siogen.go (one per schema file with namespaces)", got)
	}
	typecheckOverlay(t, dir, overlay)
}

// TestTypeScript type-checks the TypeScript output of every golden case
// with tsc --strict, together with the typed programs beside it
// (<case>_check.ts), whose lines marked @ts-expect-error prove that a wrong
// payload type, a wrong ack type or an unknown event does not compile. The
// TypeScript of schema/testdata/everything is generated and checked too.
func TestTypeScript(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found only %v", files)
	}
	ts, _ := generateEverything(t)
	files = append(files, ts)
	nodetest.TypeScript(t, "", files...)
}

// TestAsyncAPI validates the AsyncAPI output of every golden case, and of
// schema/testdata/everything, with the official parser
// (@asyncapi/parser): no diagnostic of severity error.
func TestAsyncAPI(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.asyncapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, doc := generateEverything(t)
	args := []string{}
	for _, f := range append(files, doc) {
		abs, _ := filepath.Abs(f)
		args = append(args, abs)
	}
	p := nodetest.Start(t, "asyncapi-validate.js", "", nil, args...)
	if err := p.Wait(60 * time.Second); err != nil {
		t.Fatalf("%v\n%s", err, p.Output())
	}
	if !strings.Contains(p.Output(), "valid") {
		t.Fatalf("no verdict:\n%s", p.Output())
	}
}

// generateEverything writes the TypeScript and AsyncAPI outputs of
// schema/testdata/everything into a temporary directory.
func generateEverything(t *testing.T) (ts, asyncapi string) {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "schema", "testdata", "everything"))
	pkg, err := schema.Load(schema.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ts, asyncapi = filepath.Join(out, "everything.ts"), filepath.Join(out, "everything.asyncapi.json")
	for path, f := range map[string]func(*schema.Package) ([]byte, error){ts: gen.TypeScript, asyncapi: gen.AsyncAPI} {
		b, err := f(pkg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ts, asyncapi
}

// TestTypeScriptNames checks that payload types the TypeScript and AsyncAPI
// outputs cannot declare under their names are refused at the parameter
// that uses them: two types of one name, a name the output declares for a
// namespace, a TypeScript built-in type; and that a //siogen:json
// directive that cannot be followed is refused at the directive.
func TestTypeScriptNames(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "errors", "ts_names"))
	pkg, err := schema.Load(schema.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(pkg, gen.Config{}); err != nil {
		t.Fatalf("the Go output is fine: %v", err)
	}
	want := []string{
		`schema.go:12:27: event "Move": parameter "to" uses the types Point and other.Point, which would both be named Point in TypeScript and AsyncAPI; rename one of them`,
		`schema.go:13:15: event "Clash": parameter "e" uses the type ChatNamespace, whose name is taken by the generated TypeScript constant of namespace Chat's path; rename the type`,
		`schema.go:14:15: event "Record": parameter "r" uses the type Record, which cannot be declared in TypeScript under the name Record (a built-in type the generated file uses); rename the type`,
		`schema.go:14:25: event "Record": parameter "s" uses the type number, which cannot be declared in TypeScript under the name number (a built-in type the generated file uses); rename the type`,
		`schema.go:29:1: type Plain has a //siogen:json directive but no MarshalJSON or MarshalText method; its JSON form follows from its type, remove the directive`,
		`schema.go:32:1: type Bad: //siogen:json nope: undefined: nope; name a Go type whose JSON is what MarshalJSON writes, like //siogen:json string`,
		`schema.go:37:1: type Self: //siogen:json Self: a type cannot stand for itself; name the Go type whose JSON it writes`,
	}
	for name, f := range map[string]func(*schema.Package) ([]byte, error){"TypeScript": gen.TypeScript, "AsyncAPI": gen.AsyncAPI} {
		_, err := f(pkg)
		var list schema.ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("%s: error %T %v, want a schema.ErrorList", name, err, err)
		}
		var got []string
		for _, e := range list {
			got = append(got, strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: errors:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestGeneratedReadsLikeHandWritten checks, in every committed generated
// file, what a reader of generated code relies on: no identifier ends in
// an underscore (a taken name gets a prefix instead), no function returns
// without naming its results, and no comment runs past 80 columns.
func TestGeneratedReadsLikeHandWritten(t *testing.T) {
	files, err := filepath.Glob("../*/*/*_siogen.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../examples/*/*/*_siogen.go")
	files = append(files, more...)
	goldens, _ := filepath.Glob("testdata/*/*_siogen.go")
	files = append(files, goldens...)
	if len(goldens) < 3 {
		t.Fatalf("found %d golden files, want the features, jsontypes and oknames ones", len(goldens))
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if n.Name != "_" && strings.HasSuffix(n.Name, "_") {
					t.Errorf("%s: identifier %s ends in an underscore", fset.Position(n.Pos()), n.Name)
				}
			case *ast.FuncDecl:
				if n.Type.Results == nil || len(n.Type.Results.List) == 0 || n.Body == nil {
					return true
				}
				ast.Inspect(n.Body, func(m ast.Node) bool {
					if _, ok := m.(*ast.FuncLit); ok {
						return false // its own results
					}
					if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 0 {
						t.Errorf("%s: bare return in %s", fset.Position(r.Pos()), n.Name.Name)
					}
					return true
				})
			}
			return true
		})
		for i, line := range strings.Split(string(src), "\n") {
			text := strings.TrimLeft(line, "\t")
			if strings.HasPrefix(text, "//") && (len(line)-len(text))*8+len(text) > 80 {
				t.Errorf("%s:%d: comment wider than 80 columns", name, i+1)
			}
		}
	}
}
