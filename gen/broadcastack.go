package gen

import (
	"fmt"
	"go/token"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/siogen/siogen/schema"
)

// replyName is the type of one socket's ack to a broadcast of the acked
// server-to-client event ev: RoomQuestionReply.
func replyName(ns *schema.Namespace, ev *schema.Event) string {
	return ns.GoName + ev.GoName + "Reply"
}

// replyFields names the fields of a reply type that hold the ack's
// values: each parameter's name, exported, kept clear of SocketID, Err and
// each other.
func replyFields(ps []*schema.Param) []string {
	taken := map[string]bool{"SocketID": true, "Err": true}
	out := make([]string, len(ps))
	for i, p := range ps {
		r, size := utf8.DecodeRuneInString(p.Name)
		name := string(unicode.ToUpper(r)) + p.Name[size:]
		if !token.IsExported(name) {
			name = "V" + name
		}
		if taken[name] {
			name = "Ack" + name
		}
		for n, base := 2, name; taken[name]; n++ {
			name = fmt.Sprintf("%s%d", base, n)
		}
		taken[name] = true
		out[i] = name
	}
	return out
}

// replyType writes the reply type of the acked event ev and its decode
// method.
func (g *nsGen) replyType(f *jen.File, ev *schema.Event) {
	name := replyName(g.ns, ev)
	fieldNames := replyFields(ev.Ack.Params)
	docf(f, "%s is one socket's ack to %q sent to many sockets (%s.Emit%s).", name, ev.Wire, g.n.Broadcast, ev.GoName)
	fields := []jen.Code{
		jen.Comment("SocketID is the id of the socket that answered. It is empty for a"),
		jen.Comment("socket of another node when the cluster's protocol does not tell ids"),
		jen.Comment("(@socket.io/redis-adapter 8.x's, whose acks carry their first value"),
		jen.Comment("only)."),
		jen.Id("SocketID").String(),
	}
	for i, p := range ev.Ack.Params {
		fields = append(fields, jen.Id(fieldNames[i]).Add(typ(p.Type)))
	}
	fields = append(fields,
		jen.Comment("Err is a *socketio.RejectedError when the socket answered"),
		jen.Comment("{\"error\": message}, or a *socketio.ArgError when its ack did not"),
		jen.Comment("decode; the values are then zero."),
		jen.Id("Err").Error(),
	)
	f.Type().Id(name).Struct(fields...)

	taken := locals(ev.Ack.Params, "r", "args", "err")
	vars := paramNames(ev.Ack.Params, taken)
	body := []jen.Code{
		jen.If(jen.Err().Op(":=").Id("args").Dot("Rejected").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
	args := func() *jen.Statement { return jen.Id("args") }
	errDeclared := false
	for i, p := range ev.Ack.Params {
		body = append(body, decodeInto(p, vars[i], args, args, i, true, &errDeclared)...)
		body = append(body, jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Op("&").Add(rt("ArgError")).Values(jen.Dict{
				jen.Id("Event"): jen.Lit(ev.Wire), jen.Id("Index"): jen.Lit(i), jen.Id("Err"): jen.Err(),
			})),
		))
	}
	if len(ev.Ack.Params) > 0 {
		lhs := make([]jen.Code, len(fieldNames))
		for i, fn := range fieldNames {
			lhs[i] = jen.Id("r").Dot(fn)
		}
		body = append(body, jen.List(lhs...).Op("=").List(ids(vars)...))
	}
	body = append(body, jen.Return(jen.Nil()))
	f.Comment("decode sets r's values from the ack's arguments, or returns why it cannot.")
	f.Func().Params(jen.Id("r").Op("*").Id(name)).Id("decode").Params(jen.Id("args").Op("*").Add(rt("Args"))).Error().Block(body...)
}

// broadcastAckMethod writes EmitX on recvType (receiver r, target an
// expression with EmitWithAck) for the acked event ev: sent to many
// sockets, gathering each one's typed ack.
func (g *nsGen) broadcastAckMethod(f *jen.File, recvType, r string, target jen.Code, ev *schema.Event, to string) {
	name := "Emit" + ev.GoName
	reply := replyName(g.ns, ev)
	result := rt("BroadcastAcks").Types(jen.Id(reply))
	taken := locals(ev.Args, r, "ctx", "acks", "ack", "out", "reply", "err")
	argNames := paramNames(ev.Args, taken)
	docf(f, "%s sends %q to %s, asking each for its ack, and waits until every one answered or disconnected, or ctx ends (give it a deadline). It returns the reply of each socket that answered, with Err set for an ack that was rejected or did not decode, and which sockets did not answer. The error reports a failure of the broadcast itself (an adapter that could not reach every node), with what was gathered.%s", name, ev.Wire, to, docLines(ev.Doc))
	callArgs := append([]jen.Code{jen.Id("ctx"), jen.Lit(ev.Wire)}, ids(argNames)...)
	f.Func().Params(jen.Id(r).Id(recvType)).Id(name).
		Params(append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, g.params(ev.Args, argNames)...)...).
		Params(result.Clone(), jen.Error()).
		Block(
			jen.List(jen.Id("acks"), jen.Err()).Op(":=").Add(target).Dot("EmitWithAck").Call(callArgs...),
			jen.Id("out").Op(":=").Add(result.Clone()).Values(jen.Dict{
				jen.Id("Replies"):         jen.Make(jen.Index().Id(reply), jen.Lit(0), jen.Len(jen.Id("acks").Dot("Replies"))),
				jen.Id("Unanswered"):      jen.Id("acks").Dot("Unanswered"),
				jen.Id("UnansweredCount"): jen.Id("acks").Dot("UnansweredCount"),
			}),
			jen.For(jen.List(jen.Id("_"), jen.Id("ack")).Op(":=").Range().Id("acks").Dot("Replies")).Block(
				jen.Id("reply").Op(":=").Id(reply).Values(jen.Dict{jen.Id("SocketID"): jen.Id("ack").Dot("SocketID")}),
				jen.Id("reply").Dot("Err").Op("=").Id("reply").Dot("decode").Call(jen.Id("ack").Dot("Args")),
				jen.Id("out").Dot("Replies").Op("=").Append(jen.Id("out").Dot("Replies"), jen.Id("reply")),
			),
			jen.Return(jen.Id("out"), jen.Err()),
		)
}
