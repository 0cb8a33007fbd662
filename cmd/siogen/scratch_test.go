package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestScratchModule uses siogen as an application repository would: a
// module outside this one (with a replace directive pointing here) runs
// go generate, builds, and runs its tests against the generated code; then
// the drift check passes, and fails naming the file once the schema changes.
func TestScratchModule(t *testing.T) {
	dir, goCmd := scratchModule(t)
	goCmd(true, "generate", "./...")
	generated := filepath.Join(dir, "api", "api_siogen.go")
	src, err := os.ReadFile(generated)
	if err != nil {
		t.Fatalf("go generate wrote no api_siogen.go: %v", err)
	}
	if !regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`).Match(src) {
		t.Fatalf("api_siogen.go lacks the generated-code header:\n%.200s", src)
	}
	goCmd(true, "vet", "./...")
	goCmd(true, "test", "-count=1", "./...")

	siogen := []string{"run", "github.com/siogen/siogen/cmd/siogen", "-check", "./api"}
	goCmd(true, siogen...)
	schemaFile := filepath.Join(dir, "api", "api.go")
	schemaSrc, _ := os.ReadFile(schemaFile)
	changed := strings.Replace(string(schemaSrc), "Greeted func(name string) `sio:\"greeted\"`",
		"Greeted func(name string) `sio:\"greeted\"`\n\t\tBye func() `sio:\"bye\"`", 1)
	if changed == string(schemaSrc) {
		t.Fatal("could not change the schema")
	}
	os.WriteFile(schemaFile, []byte(changed), 0o644)
	if out := goCmd(false, siogen...); !strings.Contains(out, "api_siogen.go") {
		t.Fatalf("-check on a stale file does not name it:\n%s", out)
	}
}

// scratchModule makes a module outside this one, with the files of
// testdata/scratch and a replace directive pointing at this repository, and
// tidies it. goCmd runs the go command in it and fails t unless its success
// is wantOK. The test is skipped with -short.
func scratchModule(t *testing.T) (dir string, goCmd func(wantOK bool, args ...string) string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a separate module")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..")
	dir = t.TempDir()
	copyDir(t, filepath.Join(filepath.Dir(file), "testdata", "scratch"), dir)
	gomod := "module example.com/scratch\n\ngo 1.26\n\nrequire github.com/siogen/siogen v0.0.0\n\nreplace github.com/siogen/siogen => " + repo + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd = func(wantOK bool, args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), scratchEnv...)
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goCmd(true, "mod", "tidy")
	return dir, goCmd
}

// scratchEnv is the environment the go command needs in a scratch module.
var scratchEnv = []string{"GOFLAGS=-mod=mod", "GOWORK=off"}

// copyDir copies the files of src into dst, recursively.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
