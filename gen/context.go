package gen

import (
	"go/types"

	"github.com/dave/jennifer/jen"

	"github.com/siogen/siogen/schema"
)

// onContextMethod writes the socket's OnXContext for a client-to-server
// event: OnX's handler with the socket's context first (database/sql's
// QueryContext naming), so that work a handler starts ends with its socket.
// It wraps the typed handler rather than decoding again.
func (g *nsGen) onContextMethod(f *jen.File, ev *schema.Event) {
	name := "On" + ev.GoName + "Context"
	docf(f, "%s sets the handler of %q events from the client, as On%s does, with the socket's context first: it carries the values of the handshake request's context and ends when the socket disconnects or the server shuts down.%s", name, ev.Wire, ev.GoName, docLines(ev.Doc))
	// The wrapper's body uses s and fn; its parameters' types are resolved
	// outside it, so only these can clash.
	names := paramNames(ev.Args, map[string]bool{"s": true, "fn": true})
	call := jen.Id("fn").Call(append([]jen.Code{jen.Id("s").Dot("sock").Dot("Context").Call()}, ids(names)...)...)
	wrapper := jen.Func().Params(g.params(ev.Args, names)...)
	if ev.Ack == nil {
		wrapper.Block(call)
	} else {
		wrapper.Params(append(typeList(ev.Ack.Params), jen.Error())...).Block(jen.Return(call))
	}
	f.Func().Params(jen.Id("s").Op("*").Id(g.n.Socket)).Id(name).Params(jen.Id("fn").Add(g.contextHandlerType(ev))).Block(
		jen.Id("s").Dot("On" + ev.GoName).Call(wrapper),
	)
}

// contextHandlerType is handlerType with a context.Context first, named ctx
// (an argument of that name gets the arg prefix).
func (g *nsGen) contextHandlerType(ev *schema.Event) *jen.Statement {
	names := paramNames(ev.Args, map[string]bool{"ctx": true})
	params := append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, g.params(ev.Args, names)...)
	fn := jen.Func().Params(params...)
	if ev.Ack == nil {
		return fn
	}
	return fn.Params(append(typeList(ev.Ack.Params), jen.Error())...)
}

// dataMethod writes the socket's Data, for a namespace that declares the
// per-socket Data type.
func (g *nsGen) dataMethod(f *jen.File) {
	what := typeName(g.ns.Data)
	if _, literal := g.ns.Data.Type.(*types.Struct); literal {
		what = "state" // a struct written in place reads badly in prose
	}
	docf(f, "Data returns the socket's own %s, zero until set: middleware fills it in, handlers read it. Every call, from any goroutine, returns the same pointer; its fields are the application's to guard when goroutines other than the socket's handlers write them. It survives connection state recovery.", what)
	f.Func().Params(jen.Id("s").Op("*").Id(g.n.Socket)).Id("Data").Params().Op("*").Add(typ(g.ns.Data.Type)).Block(
		jen.Return(rt("DataOf").Types(typ(g.ns.Data.Type)).Call(jen.Id("s").Dot("sock"))),
	)
}
