package gen_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/siogen/siogen/gen"
	"github.com/siogen/siogen/schema"
)

var update = flag.Bool("update", false, "rewrite the golden generated files in testdata")

// TestGolden regenerates every schema under testdata/ in memory and
// compares the result with the committed *_siogen.go files beside it, which
// the end-to-end tests compile and run. go test ./gen -update rewrites them.
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
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
					t.Errorf("%s differs from the generated code (run go test ./gen -update and review the diff):\n%s", name, firstDiff(want, got))
				}
			}
		})
	}
}

func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + w[i] + "\n+ " + g[i]
		}
	}
	return "lengths differ"
}
