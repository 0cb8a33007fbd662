package siogen_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/siogen/siogen/runtime/socketio"
)

// TestLicense: the repository carries the MIT license under the project's
// copyright, which pkg.go.dev needs to show the documentation.
func TestLicense(t *testing.T) {
	b, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{
		"MIT License\n",
		"Copyright (c) 2026 The siogen Authors\n",
		"Permission is hereby granted, free of charge, to any person obtaining a copy",
		`THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("LICENSE lacks %q", want)
		}
	}
}

// TestVersionAgreement: socketio.Version is the latest release of
// CHANGELOG.md, the runtime declares IsAtLeastVersion for it (and keeps the
// constants of earlier releases), and every generated file in the
// repository, which the drift check keeps as the generator writes it,
// refers to the constant of this version.
func TestVersionAgreement(t *testing.T) {
	changelog, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	releases := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$`).FindAllStringSubmatch(string(changelog), -1)
	if len(releases) == 0 {
		t.Fatal("CHANGELOG.md has no release heading like ## [1.2.3] - 2006-01-02")
	}
	if latest := releases[0][1]; latest != socketio.Version {
		t.Errorf("CHANGELOG.md's latest release is %s, socketio.Version is %s", latest, socketio.Version)
	}
	if !strings.Contains(string(changelog), "\n["+socketio.Version+"]: ") {
		t.Errorf("CHANGELOG.md has no link for [%s]", socketio.Version)
	}

	guard := "IsAtLeastVersion" + strings.ReplaceAll(socketio.Version, ".", "_")
	declared := runtimeConsts(t)
	for _, r := range releases {
		name := "IsAtLeastVersion" + strings.ReplaceAll(r[1], ".", "_")
		if !declared[name] {
			t.Errorf("runtime/socketio does not declare %s for release %s of CHANGELOG.md", name, r[1])
		}
	}

	generated := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if path == filepath.Join("schema", "testdata") {
			return filepath.SkipDir // the loader's inputs, stale on purpose
		}
		if d.IsDir() || !strings.HasSuffix(path, "_siogen.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		generated++
		if want := "const _ = socketio." + guard + "\n"; !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q", path, strings.TrimSpace(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if generated == 0 {
		t.Fatal("found no generated file")
	}
}

// runtimeConsts returns the names of the constants runtime/socketio
// declares at package level.
func runtimeConsts(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	names := make(map[string]bool)
	files, err := filepath.Glob("runtime/socketio/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, s := range g.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
	return names
}

// TestReadmePaths: every file or directory the README links to or names
// in code spans exists in a clone of the repository.
func TestReadmePaths(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, m := range regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`).FindAllStringSubmatch(string(b), -1) {
		if !strings.Contains(m[1], "://") {
			paths = append(paths, m[1])
		}
	}
	pathLike := regexp.MustCompile(`^\.?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.*-]+)+/?$|^[A-Za-z0-9_-]+\.(md|go|sh|png|json)$`)
	for _, m := range regexp.MustCompile("`([^`\n]+)`").FindAllStringSubmatch(string(b), -1) {
		p := m[1]
		if pathLike.MatchString(p) && !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") || strings.HasPrefix(p, "../") || strings.HasPrefix(p, ".ci/") {
			paths = append(paths, p)
		}
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d paths in README.md: %q", len(paths), paths)
	}
	for _, p := range paths {
		if strings.HasPrefix(p, "../") {
			t.Errorf("README.md names %s, outside the repository", p)
			continue
		}
		if matches, _ := filepath.Glob(filepath.FromSlash(strings.TrimSuffix(p, "/"))); len(matches) == 0 {
			t.Errorf("README.md names %s, which does not exist", p)
		}
	}
}

// TestExamplesRun: the documentation of the runtime's packages and of
// generated code has examples, and go test runs each: it has an Output
// comment, or a test that runs it is named here.
func TestExamplesRun(t *testing.T) {
	runBy := map[string]string{
		"runtime/redisadapter.Example": "TestExample", // needs a redis-server
	}
	want := []string{"runtime/engineio", "runtime/socketio", "runtime/redisadapter", "examples/hello"}
	found := make(map[string]int)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, ex := range doc.Examples(f) {
			found[dir]++
			name := dir + ".Example" + map[bool]string{true: "", false: "_"}[ex.Name == ""] + ex.Name
			name = strings.TrimSuffix(name, "_")
			if ex.Output == "" && !ex.EmptyOutput && runBy[name] == "" {
				t.Errorf("%s: %s has no Output comment, so go test only compiles it", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range want {
		if found[dir] == 0 {
			t.Errorf("%s has no runnable example", dir)
		}
	}
}
