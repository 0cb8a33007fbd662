package gen

import (
	"path/filepath"
	"sort"
	"strconv"

	"github.com/siogen/siogen/schema"
)

// api is a schema with every payload described as JSON: what the
// TypeScript and AsyncAPI outputs print.
type api struct {
	pkg        *schema.Package
	namespaces []*apiNamespace
	named      []*namedJSON // the named types used, in order of first use
	sources    []string     // base names of the schema files with namespaces
}

type apiNamespace struct {
	ns             *schema.Namespace
	names          tsNames
	auth           *apiValue // nil when the namespace declares no CONNECT payload
	clientToServer []*apiEvent
	serverToClient []*apiEvent
}

type apiEvent struct {
	ev   *schema.Event
	args []*apiValue
	ack  []*apiValue // nil when the event has no ack
}

// apiValue is one argument of an event or of an ack.
type apiValue struct {
	name string
	typ  *jsonType
}

// tsNames are the names the TypeScript output declares for one namespace.
type tsNames struct {
	ServerToClient, ClientToServer, Namespace, Auth string
}

func newTSNames(ns *schema.Namespace) tsNames {
	n := ns.GoName
	return tsNames{
		ServerToClient: n + "ServerToClientEvents",
		ClientToServer: n + "ClientToServerEvents",
		Namespace:      n + "Namespace",
		Auth:           n + "Auth",
	}
}

// namespaceAuth returns the CONNECT (auth) payload a namespace declares
// (its Auth field), or nil.
func namespaceAuth(ns *schema.Namespace) *schema.Param {
	return ns.Auth
}

// describe walks every payload of pkg once.
func describe(pkg *schema.Package) (*api, error) {
	taken := map[string]string{}
	for _, ns := range pkg.Namespaces {
		n := newTSNames(ns)
		taken[n.ServerToClient] = "interface of namespace " + ns.GoName + "'s events"
		taken[n.ClientToServer] = "interface of namespace " + ns.GoName + "'s events"
		taken[n.Namespace] = "constant of namespace " + ns.GoName + "'s path"
		taken[n.Auth] = "type of namespace " + ns.GoName + "'s CONNECT payload"
	}
	j := newJSONTypes(pkg, taken)
	a := &api{pkg: pkg}
	seen := map[string]bool{}
	for _, ns := range pkg.Namespaces {
		an := &apiNamespace{ns: ns, names: newTSNames(ns)}
		if p := namespaceAuth(ns); p != nil {
			an.auth = &apiValue{name: p.Name, typ: j.param(p, "namespace "+ns.GoName+": auth")}
		}
		an.clientToServer = describeEvents(j, ns.ClientToServer)
		an.serverToClient = describeEvents(j, ns.ServerToClient)
		a.namespaces = append(a.namespaces, an)
		if src := filepath.Base(ns.Pos.Filename); !seen[src] {
			seen[src] = true
			a.sources = append(a.sources, src)
		}
	}
	sort.Strings(a.sources)
	if len(j.errs) > 0 {
		j.errs.Sort()
		return nil, j.errs
	}
	a.named = j.order
	return a, nil
}

func describeEvents(j *jsonTypes, evs []*schema.Event) []*apiEvent {
	var out []*apiEvent
	for _, ev := range evs {
		ae := &apiEvent{ev: ev}
		what := "event " + strconv.Quote(ev.GoName) + ": parameter"
		for _, p := range ev.Args {
			ae.args = append(ae.args, &apiValue{name: p.Name, typ: j.param(p, what)})
		}
		if ev.Ack != nil {
			ae.ack = []*apiValue{}
			what := "event " + strconv.Quote(ev.GoName) + ": ack parameter"
			for _, p := range ev.Ack.Params {
				ae.ack = append(ae.ack, &apiValue{name: p.Name, typ: j.param(p, what)})
			}
		}
		out = append(out, ae)
	}
	return out
}
