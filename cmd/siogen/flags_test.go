package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// adminSchema is a second schema file for the scratch module: a namespace
// of its own, with a payload type declared in the schema package, so that
// code generated into another package has to import the schema's.
const adminSchema = `package api

import "github.com/siogen/siogen"

// Kick names a user to disconnect.
type Kick struct {
	User   string ` + "`json:\"user\"`" + `
	Reason string ` + "`json:\"reason\"`" + `
}

// Admin is for moderators.
type Admin struct {
	siogen.Namespace ` + "`sio:\"/admin\"`" + `

	ClientToServer struct {
		Kick func(k Kick, ack func(kicked bool)) ` + "`sio:\"kick\"`" + `
	}
}
`

// flagScratch is a scratch module whose schema package api has two files,
// api.go (namespace Greeter) and admin.go (namespace Admin), so siogen
// generates api_siogen.go and admin_siogen.go. It returns the module's
// directory, the schema's, and goCmd (see scratchModule). siogen runs in
// process, so the environment of the go command the loader runs is set.
func flagScratch(t *testing.T) (mod, api string, goCmd func(bool, ...string) string) {
	t.Helper()
	mod, goCmd = scratchModule(t)
	for _, kv := range scratchEnvironment(t) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	api = filepath.Join(mod, "api")
	write(t, filepath.Join(api, "admin.go"), adminSchema)
	// The app's test uses code generated into api; these tests generate
	// elsewhere too.
	if err := os.Remove(filepath.Join(mod, "app_test.go")); err != nil {
		t.Fatal(err)
	}
	return mod, api, goCmd
}

// siogenIn runs the command in process in dir, as go generate would there.
func siogenIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// checkIn runs siogen -check (with more args) in dir and fails t if it
// changed, created or removed anything in the module at mod.
func checkIn(t *testing.T, mod, dir string, args ...string) (code int, stderr string) {
	t.Helper()
	before := snapshot(t, mod)
	code, stdout, stderr := siogenIn(t, dir, append([]string{"-check"}, args...)...)
	if stdout != "" {
		t.Errorf("-check printed to stdout: %q", stdout)
	}
	if diff := diffSnapshots(before, snapshot(t, mod)); diff != "" {
		t.Errorf("-check %s changed the module:\n%s", strings.Join(args, " "), diff)
	}
	return code, stderr
}

// snapshot records every file and directory under root, with mode, mtime
// and contents.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entry := fmt.Sprintf("%v %v", info.Mode(), info.ModTime().UnixNano())
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			entry += " " + string(b)
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = entry
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func diffSnapshots(before, after map[string]string) string {
	var lines []string
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			lines = append(lines, "removed "+p)
		case a != b:
			lines = append(lines, "changed "+p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			lines = append(lines, "created "+p)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reported lists the files -check's output names, one per line before ": ".
func reported(stderr string) []string {
	var files []string
	for line := range strings.SplitSeq(stderr, "\n") {
		if name, _, ok := strings.Cut(line, ": "); ok && strings.HasSuffix(name, "_siogen.go") {
			files = append(files, name)
		}
	}
	return files
}

// generatedIn lists the base names of the *_siogen.go files in dir.
func generatedIn(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*_siogen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range matches {
		matches[i] = filepath.Base(m)
	}
	return matches
}

// appUsingOutputs is a program of the scratch module that uses the code
// generated into package apiwire (directory apiwire, named after it) and
// into package greeterwire (directory gen/greeter, named by -pkg). It is
// only built, never run. The import of gen/greeter has no name: the code
// compiles only if the package clause there says greeterwire.
const appUsingOutputs = `package main

import (
	"context"
	"net/http"

	"example.com/scratch/api"
	"example.com/scratch/apiwire"
	"example.com/scratch/gen/greeter"
	"github.com/siogen/siogen/runtime/socketio"
)

func main() {
	srv := socketio.NewServer(nil)
	admin := apiwire.NewAdminServer(srv)
	admin.OnConnection(func(s *apiwire.AdminSocket) {
		s.OnKick(func(k api.Kick) (bool, error) { return k.User != "", nil })
	})
	greeter := greeterwire.NewGreeterServer(srv)
	greeter.OnConnection(func(s *greeterwire.GreeterSocket) {
		s.OnGreet(func(name string) (string, error) { return "hello, " + name, nil })
	})
	c := apiwire.NewAdminClient(socketio.NewManager("http://127.0.0.1:0", nil))
	defer c.Close()
	_, _ = c.EmitKick(context.Background(), api.Kick{User: "troll"})
	_ = http.ListenAndServe("127.0.0.1:0", srv)
}
`

// TestOutAndPkg generates into other directories of the module: -out alone
// names the package after the directory, -pkg names it explicitly; the
// schema's directory gets no generated files, the generated code imports
// the schema package for its payload types, and a program using both
// outputs builds and vets. -out naming the schema's own directory is the
// default. A -pkg that would put a second package clause beside the
// schema's, or a package name that is not an identifier, is bad usage
// (exit 2) and writes nothing.
func TestOutAndPkg(t *testing.T) {
	mod, api, goCmd := flagScratch(t)

	if code, _, stderr := siogenIn(t, api, "-out", "../apiwire"); code != 0 {
		t.Fatalf("-out ../apiwire: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := siogenIn(t, api, "-out", "../gen/greeter", "-pkg", "greeterwire"); code != 0 {
		t.Fatalf("-out ../gen/greeter -pkg greeterwire: exit %d\n%s", code, stderr)
	}
	if got := generatedIn(t, api); len(got) != 0 {
		t.Errorf("the schema directory got %v; everything should have gone to -out", got)
	}
	for dir, pkg := range map[string]string{"apiwire": "apiwire", "gen/greeter": "greeterwire"} {
		got := generatedIn(t, filepath.Join(mod, dir))
		if strings.Join(got, " ") != "admin_siogen.go api_siogen.go" {
			t.Errorf("%s holds %v, want admin_siogen.go and api_siogen.go", dir, got)
		}
		for _, name := range got {
			src := read(t, filepath.Join(mod, dir, name))
			if !strings.Contains(src, "\npackage "+pkg+"\n") {
				t.Errorf("%s/%s is not in package %s:\n%.300s", dir, name, pkg, src)
			}
		}
		if admin := read(t, filepath.Join(mod, dir, "admin_siogen.go")); !strings.Contains(admin, `"example.com/scratch/api"`) || !strings.Contains(admin, "api.Kick") {
			t.Errorf("%s/admin_siogen.go does not refer to the schema's api.Kick:\n%s", dir, admin)
		}
	}
	write(t, filepath.Join(mod, "app", "main.go"), appUsingOutputs)
	goCmd(true, "build", "./...")
	goCmd(true, "vet", "./...")

	// The drift check looks where -out points, with the same -pkg.
	if code, stderr := checkIn(t, mod, api, "-out", "../apiwire"); code != 0 {
		t.Errorf("-check -out ../apiwire: exit %d\n%s", code, stderr)
	}
	if code, stderr := checkIn(t, mod, api, "-out", "../gen/greeter", "-pkg", "greeterwire"); code != 0 {
		t.Errorf("-check -out ../gen/greeter -pkg greeterwire: exit %d\n%s", code, stderr)
	}
	if code, stderr := checkIn(t, mod, api, "-out", "../gen/greeter"); code != 1 || !strings.Contains(stderr, filepath.Join("..", "gen", "greeter", "api_siogen.go")+": stale") {
		t.Errorf("-check -out ../gen/greeter without its -pkg: exit %d, want 1 naming api_siogen.go as stale\n%s", code, stderr)
	}

	// -out naming the schema's directory is the same as no -out.
	if code, _, stderr := siogenIn(t, api, "-out", "."); code != 0 {
		t.Fatalf("-out .: exit %d\n%s", code, stderr)
	}
	if src := read(t, filepath.Join(api, "api_siogen.go")); !strings.Contains(src, "\npackage api\n") {
		t.Errorf("-out . did not generate into package api:\n%.300s", src)
	}
	if code, stderr := checkIn(t, mod, api); code != 0 {
		t.Errorf("-check after -out .: exit %d\n%s", code, stderr)
	}
	// -pkg giving the schema package its own name is allowed.
	if code, stderr := checkIn(t, mod, api, "-pkg", "api"); code != 0 {
		t.Errorf("-check -pkg api: exit %d\n%s", code, stderr)
	}
	goCmd(true, "build", "./...")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-pkg", "other"}, "-pkg other: the generated files go into the schema package, which is named api; give -out a directory for package other"},
		{[]string{"-out", ".", "-pkg", "other"}, "-pkg other: the generated files go into the schema package"},
		{[]string{"-out", "../my-api"}, `-out ../my-api: "my-api" is not a valid package name; name the package with -pkg`},
		{[]string{"-out", "../wire", "-pkg", "no good"}, `-pkg "no good" is not a valid package name`},
	} {
		before := snapshot(t, mod)
		code, _, stderr := siogenIn(t, api, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s", c.args, code, c.want, stderr)
		}
		if diff := diffSnapshots(before, snapshot(t, mod)); diff != "" {
			t.Errorf("%v changed the module:\n%s", c.args, diff)
		}
	}
}

// TestCheck runs the drift check against each way generated code can be
// out of date: it exits 0 when everything is current, and 1 naming the
// file when a generated file was edited, when the schema changed, when a
// generated file is missing, and when a generated file is left over from a
// schema file whose namespace was removed. It never writes: not in the
// schema's directory, not in an -out directory it would create. A plain
// run then brings everything back in line, removing the left-over file.
func TestCheck(t *testing.T) {
	mod, api, _ := flagScratch(t)
	if code, _, stderr := siogenIn(t, api); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	if got := strings.Join(generatedIn(t, api), " "); got != "admin_siogen.go api_siogen.go" {
		t.Fatalf("generated %s, want admin_siogen.go and api_siogen.go", got)
	}
	regenerate := func(t *testing.T) {
		t.Helper()
		if code, _, stderr := siogenIn(t, api); code != 0 {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		if code, stderr := checkIn(t, mod, api); code != 0 {
			t.Fatalf("-check right after generating: exit %d\n%s", code, stderr)
		}
	}
	// wantProblem runs -check in api and wants exit 1 with line among its
	// messages and the closing advice.
	wantProblem := func(t *testing.T, line string) {
		t.Helper()
		code, stderr := checkIn(t, mod, api)
		if code != 1 {
			t.Errorf("-check: exit %d, want 1\n%s", code, stderr)
		}
		if !strings.Contains(stderr, line) || !strings.Contains(stderr, `run "go generate ./..."`) {
			t.Errorf("-check does not report %q:\n%s", line, stderr)
		}
	}

	t.Run("up to date", func(t *testing.T) {
		if code, stderr := checkIn(t, mod, api); code != 0 || stderr != "" {
			t.Errorf("-check: exit %d, want 0 and silence\n%s", code, stderr)
		}
		// Also as a pattern from elsewhere, as scripts/test.sh does not
		// but a CI step might.
		if code, stderr := checkIn(t, mod, mod, "./api"); code != 0 {
			t.Errorf("-check ./api from the module root: exit %d\n%s", code, stderr)
		}
	})

	t.Run("stale: generated file edited", func(t *testing.T) {
		p := filepath.Join(api, "api_siogen.go")
		orig := read(t, p)
		write(t, p, strings.Replace(orig, "hello", "hallo", 1)+"\n// edited by hand\n")
		wantProblem(t, "api_siogen.go: stale (line ")
		write(t, p, orig)
		regenerate(t)
	})

	t.Run("stale: schema changed", func(t *testing.T) {
		p := filepath.Join(api, "admin.go")
		changed := strings.Replace(adminSchema, "Kick func(k Kick, ack func(kicked bool)) `sio:\"kick\"`",
			"Kick func(k Kick, ack func(kicked bool)) `sio:\"kick\"`\n\t\tBan  func(user string)                     `sio:\"ban\"`", 1)
		if changed == adminSchema {
			t.Fatal("could not change the schema")
		}
		write(t, p, changed)
		wantProblem(t, "admin_siogen.go: stale (line ")
		if _, stderr := checkIn(t, mod, api); strings.Join(reported(stderr), " ") != "admin_siogen.go" {
			t.Errorf("-check reports %v, want only admin_siogen.go:\n%s", reported(stderr), stderr)
		}
		write(t, p, adminSchema)
		if code, stderr := checkIn(t, mod, api); code != 0 {
			t.Errorf("-check with the schema restored: exit %d\n%s", code, stderr)
		}
	})

	t.Run("missing", func(t *testing.T) {
		if err := os.Remove(filepath.Join(api, "admin_siogen.go")); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "admin_siogen.go: missing")
		regenerate(t)
	})

	t.Run("left over after a namespace was removed", func(t *testing.T) {
		// Admin goes; Kick stays.
		p := filepath.Join(api, "admin.go")
		noAdmin := strings.Replace(adminSchema[:strings.Index(adminSchema, "// Admin is")], "import \"github.com/siogen/siogen\"\n", "", 1)
		write(t, p, noAdmin)
		wantProblem(t, "admin_siogen.go: left over from a namespace that moved or was removed")
		if _, stderr := checkIn(t, mod, api); strings.Join(reported(stderr), " ") != "admin_siogen.go" {
			t.Errorf("-check reports %v, want only admin_siogen.go:\n%s", reported(stderr), stderr)
		}

		// The whole file removed: the same.
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "admin_siogen.go: left over from a namespace that moved or was removed")

		// Generating removes it, and leaves a hand-written file that merely
		// has the suffix alone.
		handWritten := filepath.Join(api, "notes_siogen.go")
		write(t, handWritten, "package api\n\n// Not generated: no header.\n")
		if code, _, stderr := siogenIn(t, api); code != 0 {
			t.Fatalf("generate: exit %d\n%s", code, stderr)
		}
		if got := strings.Join(generatedIn(t, api), " "); got != "api_siogen.go notes_siogen.go" {
			t.Errorf("after generating: %s, want api_siogen.go and notes_siogen.go", got)
		}
		if code, stderr := checkIn(t, mod, api); code != 0 {
			t.Errorf("-check after generating: exit %d\n%s", code, stderr)
		}
		os.Remove(handWritten)
		write(t, p, adminSchema)
		regenerate(t)
	})

	t.Run("-out directory not there", func(t *testing.T) {
		code, stderr := checkIn(t, mod, api, "-out", "../apiwire")
		for _, name := range []string{"admin_siogen.go", "api_siogen.go"} {
			line := filepath.Join("..", "apiwire", name) + ": missing"
			if code != 1 || !strings.Contains(stderr, line) {
				t.Errorf("-check -out ../apiwire: exit %d, want 1 reporting %q\n%s", code, line, stderr)
			}
		}
		if _, err := os.Stat(filepath.Join(mod, "apiwire")); !os.IsNotExist(err) {
			t.Errorf("-check created the -out directory (stat: %v)", err)
		}
	})
}

// TestTypeScriptAndAsyncAPIFlags: -ts and -asyncapi write their files
// (relative to the current directory, creating directories), -check
// compares them as it does the Go files, and an edited, stale or missing
// one is named.
func TestTypeScriptAndAsyncAPIFlags(t *testing.T) {
	mod, api, _ := flagScratch(t)
	flags := []string{"-ts", "../web/api.ts", "-asyncapi", "asyncapi.json"}
	if code, _, stderr := siogenIn(t, api, flags...); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	ts, doc := filepath.Join(mod, "web", "api.ts"), filepath.Join(api, "asyncapi.json")
	for p, want := range map[string]string{
		ts:  "export interface AdminClientToServerEvents {",
		doc: `"asyncapi": "3.0.0"`,
	} {
		if got := read(t, p); !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%.400s", p, want, got)
		}
	}
	if code, stderr := checkIn(t, mod, api, flags...); code != 0 || stderr != "" {
		t.Fatalf("-check right after generating: exit %d\n%s", code, stderr)
	}
	wantProblem := func(t *testing.T, line string) {
		t.Helper()
		code, stderr := checkIn(t, mod, api, flags...)
		if code != 1 || !strings.Contains(stderr, line) || !strings.Contains(stderr, `run "go generate ./..."`) {
			t.Errorf("-check: exit %d, want 1 reporting %q:\n%s", code, line, stderr)
		}
	}

	orig := read(t, ts)
	write(t, ts, strings.Replace(orig, "kicked: boolean", "kicked: string", 1))
	wantProblem(t, filepath.Join("..", "web", "api.ts")+": stale (line ")
	write(t, ts, orig)

	if err := os.Remove(doc); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "asyncapi.json: missing")
	if code, _, stderr := siogenIn(t, api, flags...); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}

	// A payload's JSON name changes both (and not the Go code).
	write(t, filepath.Join(api, "admin.go"), strings.Replace(adminSchema, `json:"user"`, `json:"person"`, 1))
	code, stderr := checkIn(t, mod, api, flags...)
	if code != 1 || !strings.Contains(stderr, "api.ts: stale") || !strings.Contains(stderr, "asyncapi.json: stale") {
		t.Errorf("-check after a schema change: exit %d\n%s", code, stderr)
	}
}
