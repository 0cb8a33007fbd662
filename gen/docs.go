package gen

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
)

// docReader finds the doc comments of type declarations and struct fields
// by position, parsing each source file once. It works for every package
// whose source the position names, imported ones included (the go
// command's export data records where each declaration is), except the
// standard library's.
type docReader struct {
	fset  *token.FileSet
	files map[string]*fileDocs
}

// fileDocs are the doc comments of one file, keyed by the line and column
// of the name they document, and by line alone for the positions of export
// data, which have no column.
type fileDocs struct {
	docs          map[[2]int]string
	types, fields map[int]string
	// jsonDirectives are the //siogen:json lines of type declarations,
	// keyed by line of the type's name.
	jsonDirectives map[int]jsonDirective
}

// jsonDirective is a "//siogen:json T" line in a type's doc comment: the
// schema's word that the type, which writes its own JSON, writes that of
// the Go type T.
type jsonDirective struct {
	expr string
	pos  token.Position
}

// directivePrefix starts a jsonDirective.
const directivePrefix = "//siogen:json "

func newDocReader(fset *token.FileSet) *docReader {
	return &docReader{fset: fset, files: map[string]*fileDocs{}}
}

// typeDoc returns the doc comment of a type's declaration, or "".
func (r *docReader) typeDoc(obj *types.TypeName) string {
	return r.doc(obj.Pos(), false)
}

// fieldDoc returns the doc comment of a struct field (or the comment at the
// end of its line), or "".
func (r *docReader) fieldDoc(v *types.Var) string {
	return r.doc(v.Pos(), true)
}

// jsonDirective returns the //siogen:json directive of a type's
// declaration, if it has one.
func (r *docReader) jsonDirective(obj *types.TypeName) (jsonDirective, bool) {
	fd, p := r.file(obj.Pos())
	if fd == nil {
		return jsonDirective{}, false
	}
	d, ok := fd.jsonDirectives[p.Line]
	return d, ok
}

// file returns the docs of the file holding pos, and pos resolved.
func (r *docReader) file(pos token.Pos) (*fileDocs, token.Position) {
	if r.fset == nil || !pos.IsValid() {
		return nil, token.Position{}
	}
	p := r.fset.Position(pos)
	if p.Filename == "" {
		return nil, p
	}
	if strings.HasPrefix(p.Filename, "$GOROOT") || strings.HasPrefix(p.Filename, build.Default.GOROOT+string(filepath.Separator)) {
		// The standard library's docs would tie the output to the Go
		// release that generates it.
		return nil, p
	}
	fd := r.files[p.Filename]
	if fd == nil {
		fd = parseDocs(p.Filename)
		r.files[p.Filename] = fd
	}
	return fd, p
}

func (r *docReader) doc(pos token.Pos, field bool) string {
	fd, p := r.file(pos)
	if fd == nil {
		return ""
	}
	if d, ok := fd.docs[[2]int{p.Line, p.Column}]; ok || p.Column > 1 {
		return d
	}
	if field {
		return fd.fields[p.Line]
	}
	return fd.types[p.Line]
}

func parseDocs(filename string) *fileDocs {
	fd := &fileDocs{docs: map[[2]int]string{}, types: map[int]string{}, fields: map[int]string{}, jsonDirectives: map[int]jsonDirective{}}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return fd // no source (a trimmed standard library path): no docs
	}
	byLine := fd.types
	put := func(id *ast.Ident, groups ...*ast.CommentGroup) {
		for _, g := range groups {
			if text := strings.TrimRight(g.Text(), "\n"); text != "" {
				p := fset.Position(id.Pos())
				fd.docs[[2]int{p.Line, p.Column}] = text
				byLine[p.Line] = text
				return
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			if n.Tok != token.TYPE {
				return true
			}
			byLine = fd.types
			for _, spec := range n.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(n.Specs) == 1 {
					doc = n.Doc
				}
				put(ts.Name, doc, ts.Comment)
				if doc == nil {
					continue
				}
				for _, c := range doc.List {
					if expr, ok := strings.CutPrefix(c.Text, directivePrefix); ok {
						fd.jsonDirectives[fset.Position(ts.Name.Pos()).Line] = jsonDirective{expr: strings.TrimSpace(expr), pos: fset.Position(c.Pos())}
					}
				}
			}
		case *ast.StructType:
			byLine = fd.fields
			for _, field := range n.Fields.List {
				for _, name := range field.Names {
					put(name, field.Doc, field.Comment)
				}
				if len(field.Names) == 0 {
					// An embedded field: go/types places it at the
					// type's name (Point in *geo.Point).
					ast.Inspect(field.Type, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok {
							put(id, field.Doc, field.Comment)
						}
						return true
					})
				}
			}
		}
		return true
	})
	return fd
}
