// Command siogen generates typed Socket.IO servers and clients from a Go
// schema package. Add it to your module's tools once (Go 1.24 or later):
//
//	go get -tool github.com/siogen/siogen/cmd/siogen
//
// and run it with go generate from the schema package:
//
//	//go:generate go tool siogen
//
// Usage:
//
//	siogen [flags] [package]
//
// The package pattern defaults to "." (the current directory). Flags:
//
//	-out dir   write the generated files into dir (default: the schema package's directory)
//	-pkg name  package name of the generated files (default: the schema package's name,
//	           or the base name of -out when it differs); files that go into the schema
//	           package must keep its name
//	-ts file   also write the schema's TypeScript event maps and payload types to file
//	           (relative to the current directory, which go generate sets to the schema's)
//	-asyncapi file
//	           also write an AsyncAPI 3.0 document (JSON) of the schema to file
//	-check     write nothing; exit 1 and name the files that are stale or missing (the
//	           -ts and -asyncapi files included), and generated files the schema no
//	           longer produces
//	-version   print the version and exit
//
// Exit status: 0 on success, 1 when the schema has mistakes (each reported
// as file:line:col: message) or -check finds stale files, 2 for bad usage
// (including a -pkg or -out that cannot name the output package).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/siogen/siogen/gen"
	"github.com/siogen/siogen/runtime/socketio"
	"github.com/siogen/siogen/schema"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `siogen generates typed Socket.IO servers and clients from a schema package.

Usage:
  siogen [flags] [package]

The schema is plain Go: structs that embed siogen.Namespace and declare their
events as func-typed fields tagged with the wire name (docs/schema.md). Add
siogen to your module's tools with

  go get -tool github.com/siogen/siogen/cmd/siogen

then put this line in the schema package and run "go generate ./...":

  //go:generate go tool siogen

Flags:
`

// run is the command: it parses args, loads the schema and writes, or with
// -check compares, every output. Long on purpose: a straight sequence of
// steps, each ending the command with its own message and exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("siogen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the generated files into `dir` (default: the schema package's directory)")
	pkgName := fs.String("pkg", "", "package `name` of the generated files (default: the schema package's, or the base name of -out; files in the schema package keep its name)")
	tsFile := fs.String("ts", "", "also write the TypeScript event maps and payload types to `file`")
	asyncAPIFile := fs.String("asyncapi", "", "also write an AsyncAPI 3.0 document (JSON) to `file`")
	check := fs.Bool("check", false, "write nothing; exit 1 naming the generated files that are stale, missing or left over")
	version := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, "siogen", socketio.Version)
		return 0
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "siogen: give at most one schema package")
		fs.Usage()
		return 2
	}
	pattern := "."
	if fs.NArg() == 1 {
		pattern = fs.Arg(0)
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "siogen:", err)
		return 1
	}

	// Load once to learn where the schema lives, then again with the output
	// package known, so that names it cannot reach are reported.
	pkg, err := schema.Load(schema.Config{Patterns: []string{pattern}})
	if err == nil && *out != "" {
		outPath := outputPkgPath(pkg, *out)
		if outPath != pkg.PkgPath {
			pkg, err = schema.Load(schema.Config{Patterns: []string{pattern}, OutputPkgPath: outPath})
		}
	}
	if err != nil {
		report(stderr, wd, err)
		return 1
	}

	dir, cfg := pkg.Dir, gen.Config{PkgPath: pkg.PkgPath, PkgName: pkg.Name}
	if *out != "" {
		if dir, err = filepath.Abs(*out); err != nil {
			fmt.Fprintln(stderr, "siogen:", err)
			return 1
		}
		if p := outputPkgPath(pkg, *out); p != pkg.PkgPath {
			cfg.PkgPath, cfg.PkgName = p, filepath.Base(dir)
		}
	}
	switch {
	case *pkgName == "":
		if !token.IsIdentifier(cfg.PkgName) {
			fmt.Fprintf(stderr, "siogen: -out %s: %q is not a valid package name; name the package with -pkg\n", *out, cfg.PkgName)
			return 2
		}
	case !token.IsIdentifier(*pkgName):
		fmt.Fprintf(stderr, "siogen: -pkg %q is not a valid package name\n", *pkgName)
		return 2
	case cfg.PkgPath == pkg.PkgPath && *pkgName != pkg.Name:
		// The files would land beside the schema's with another package
		// clause, and the directory would no longer compile.
		fmt.Fprintf(stderr, "siogen: -pkg %s: the generated files go into the schema package, which is named %s; give -out a directory for package %s\n", *pkgName, pkg.Name, *pkgName)
		return 2
	default:
		cfg.PkgName = *pkgName
	}
	files, err := gen.Generate(pkg, cfg)
	if err != nil {
		report(stderr, wd, err)
		return 1
	}
	// The TypeScript and AsyncAPI files, by absolute path.
	others := map[string][]byte{}
	for _, o := range []struct {
		path string
		make func(*schema.Package) ([]byte, error)
	}{{*tsFile, gen.TypeScript}, {*asyncAPIFile, gen.AsyncAPI}} {
		if o.path == "" {
			continue
		}
		content, err := o.make(pkg)
		if err != nil {
			report(stderr, wd, err)
			return 1
		}
		p := filepath.Clean(o.path)
		if !filepath.IsAbs(p) {
			p = filepath.Join(wd, p)
		}
		others[p] = content
	}
	if *check {
		stale := checkOthers(stderr, wd, others)
		code := checkFiles(stderr, wd, dir, files)
		if stale != 0 && code == 0 {
			fmt.Fprintln(stderr, `siogen: generated code is out of date; run "go generate ./..."`)
			code = 1
		}
		return code
	}
	if err := writeFiles(dir, files); err != nil {
		fmt.Fprintln(stderr, "siogen:", err)
		return 1
	}
	for p, content := range others {
		if err := writeFile(p, content); err != nil {
			fmt.Fprintln(stderr, "siogen:", err)
			return 1
		}
	}
	return 0
}

// writeFile writes content to p, creating its directory, unless p holds it
// already.
func writeFile(p string, content []byte) error {
	if cur, err := os.ReadFile(p); err == nil && bytes.Equal(cur, content) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, content, 0o644)
}

// checkOthers reports the files of others (by absolute path) that differ
// from what is on disk; it returns 1 when there are any.
func checkOthers(w io.Writer, wd string, others map[string][]byte) int {
	paths := make([]string, 0, len(others))
	for p := range others {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	code := 0
	for _, p := range paths {
		name := p
		if r, err := filepath.Rel(wd, p); err == nil {
			name = r
		}
		cur, err := os.ReadFile(p)
		switch {
		case err != nil:
			fmt.Fprintf(w, "%s: missing\n", name)
		case !bytes.Equal(cur, others[p]):
			fmt.Fprintf(w, "%s: stale (%s)\n", name, firstDifference(cur, others[p]))
		default:
			continue
		}
		code = 1
	}
	return code
}

// outputPkgPath is the import path of dir, which is taken to be in the same
// module as the schema package.
func outputPkgPath(pkg *schema.Package, dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return pkg.PkgPath
	}
	rel, err := filepath.Rel(pkg.Dir, abs)
	if err != nil {
		return pkg.PkgPath
	}
	return path.Join(pkg.PkgPath, filepath.ToSlash(rel))
}

// report prints schema mistakes one per line with paths relative to wd.
func report(w io.Writer, wd string, err error) {
	var list schema.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			p := e.Pos
			if rel, rerr := filepath.Rel(wd, p.Filename); rerr == nil && !strings.HasPrefix(rel, "..") {
				p.Filename = rel
			}
			fmt.Fprintf(w, "%s: %s\n", p, e.Msg)
		}
		return
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "siogen: ") { // gen's errors say it already
		msg = "siogen: " + msg
	}
	fmt.Fprintln(w, msg)
}

// existing returns the generated files already in dir.
func existing(dir string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, "*"+gen.Suffix))
}

func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := existing(dir)
	if err != nil {
		return err
	}
	for _, p := range old {
		if _, keep := files[filepath.Base(p)]; !keep && isGenerated(p) {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		// Leave an unchanged file alone, so its mtime and the build cache
		// survive.
		if cur, err := os.ReadFile(p); err == nil && bytes.Equal(cur, content) {
			continue
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func isGenerated(p string) bool {
	b, err := os.ReadFile(p)
	return err == nil && bytes.Contains(b, []byte("// Code generated by siogen. DO NOT EDIT."))
}

// checkFiles compares files with what is on disk and reports each
// difference; it returns the exit status.
func checkFiles(w io.Writer, wd, dir string, files map[string][]byte) int {
	rel := func(p string) string {
		if r, err := filepath.Rel(wd, p); err == nil {
			return r
		}
		return p
	}
	var problems []string
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, n)
		cur, err := os.ReadFile(p)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: missing", rel(p)))
		case !bytes.Equal(cur, files[n]):
			problems = append(problems, fmt.Sprintf("%s: stale (%s)", rel(p), firstDifference(cur, files[n])))
		}
	}
	old, _ := existing(dir)
	for _, p := range old {
		if _, ok := files[filepath.Base(p)]; !ok && isGenerated(p) {
			problems = append(problems, fmt.Sprintf("%s: left over from a namespace that moved or was removed", rel(p)))
		}
	}
	if len(problems) == 0 {
		return 0
	}
	for _, p := range problems {
		fmt.Fprintln(w, p)
	}
	fmt.Fprintln(w, `siogen: generated code is out of date; run "go generate ./..."`)
	return 1
}

// firstDifference describes the first line where have and want differ.
func firstDifference(have, want []byte) string {
	h := strings.Split(string(have), "\n")
	g := strings.Split(string(want), "\n")
	for i := 0; i < len(h) || i < len(g); i++ {
		var hl, gl string
		if i < len(h) {
			hl = h[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if hl != gl {
			return fmt.Sprintf("line %d: have %q, want %q", i+1, hl, gl)
		}
	}
	return "trailing bytes differ"
}
