package nodetest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TypeScript runs the TypeScript compiler of interop/node_modules (tsc
// with --strict) over files, resolving the module names "socket.io-v4" and
// "socket.io-client-v4" in interop/node_modules, with the types of
// Node.js. The declarations of the libraries are trusted (skipLibCheck). When outDir is empty it only type-checks (--noEmit); otherwise
// it writes CommonJS JavaScript for node there. It fails t with tsc's
// output when the files do not compile.
func TypeScript(t testing.TB, outDir string, files ...string) {
	t.Helper()
	node := Require(t)
	modules := filepath.Join(InteropDir(), "node_modules")
	tsc := filepath.Join(modules, "typescript", "bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		t.Fatalf("typescript is not installed in interop/node_modules: %v", err)
	}
	abs := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		abs[i] = a
	}
	opts := map[string]any{
		"strict":           true,
		"target":           "ES2022",
		"module":           "node16",
		"moduleResolution": "node16",
		"types":            []string{"node"},
		"typeRoots":        []string{filepath.Join(modules, "@types")},
		// Only the packages the programs import by name: the packages
		// those import resolve from where they are, as node does
		// (socket.io-v4 has its own engine.io beside socket.io 2.x's).
		// The programs are CommonJS, so socket.io-client's CommonJS
		// declarations (its package.json "types" are the ESM ones).
		"paths": map[string][]string{
			"socket.io-client-v4": {filepath.Join(modules, "socket.io-client-v4", "build", "cjs", "index.d.ts")},
			"socket.io-v4":        {filepath.Join(modules, "socket.io-v4")},
		},
		"skipLibCheck":                     true,
		"noUnusedLocals":                   true,
		"forceConsistentCasingInFileNames": true,
	}
	if outDir == "" {
		opts["noEmit"] = true
	} else {
		opts["outDir"] = outDir
		opts["rootDir"] = commonDir(abs)
	}
	config, err := json.Marshal(map[string]any{"compilerOptions": opts, "files": abs})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tsconfig.json"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, tsc, "-p", dir, "--pretty", "false")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc: %v\n%s", err, out)
	}
}

// commonDir is the deepest directory holding every file of files.
func commonDir(files []string) string {
	dir := filepath.Dir(files[0])
	for _, f := range files[1:] {
		for {
			rel, err := filepath.Rel(dir, f)
			if err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != ".."+string(filepath.Separator)) {
				break
			}
			dir = filepath.Dir(dir)
		}
	}
	return dir
}
