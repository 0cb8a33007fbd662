package main

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestScratchModule uses siogen as an application repository does, by the
// steps of the README: from an empty module, go get -tool adds the
// generator, a schema with //go:generate go tool siogen is generated, the
// module is tidied, and it vets and passes its tests against the generated
// code; then go tool siogen -check passes, and fails naming the file once
// the schema changes.
func TestScratchModule(t *testing.T) {
	dir, goCmd := scratchModule(t)
	goCmd(true, "generate", "./...")
	goCmd(true, "mod", "tidy")
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

	siogen := []string{"tool", "siogen", "-check", "./api"}
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

// scratchModule makes an application module outside this one as the
// README's "Using siogen in your module" does: go mod init, go get -tool
// github.com/siogen/siogen/cmd/siogen, the files of testdata/scratch (a
// schema whose //go:generate line runs go tool siogen, and a test of the
// code it generates) and go mod tidy. One step stands in for
// publication: a replace directive points github.com/siogen/siogen at this
// checkout. goCmd runs the go command in the module and fails t unless its
// success is wantOK. The test is skipped with -short.
func scratchModule(t *testing.T) (dir string, goCmd func(wantOK bool, args ...string) string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a separate module")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..")
	dir = t.TempDir()
	env := scratchEnvironment(t)
	goCmd = func(wantOK bool, args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goCmd(true, "mod", "init", "example.com/scratch")
	goCmd(true, "mod", "edit", "-replace", "github.com/siogen/siogen="+repo)
	goCmd(true, "get", "-tool", "github.com/siogen/siogen/cmd/siogen")
	copyDir(t, filepath.Join(filepath.Dir(file), "testdata", "scratch"), dir)
	goCmd(true, "mod", "tidy")
	return dir, goCmd
}

// scratchEnvironment is the environment of the go command in a scratch
// module: no workspace, no -mod flag from the caller, and a module proxy
// made of this machine's module cache, which holds every dependency of
// this repository after go mod download. Against it, github.com/siogen/siogen
// is not found, as an unknown module is on proxy.golang.org, so the
// replace directive provides it; a proxy that refuses unknown paths
// instead (403) would fail go get. The checksum database is off: the
// cache's modules were verified when they were downloaded, and
// sum.golang.org may be reachable only through a proxy.
func scratchEnvironment(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	cache := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")
	return []string{"GOWORK=off", "GOFLAGS=", "GOSUMDB=off", "GOPROXY=" + (&url.URL{Scheme: "file", Path: filepath.ToSlash(cache)}).String()}
}

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
