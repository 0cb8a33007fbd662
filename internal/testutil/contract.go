package testutil

import (
	"slices"
	"testing"
)

// A Walk is one Go client that is checked against the conformance contract
// (shared/peers/node-conformance/README.md): the untyped socketio client,
// or the generated one of examples/conformance.
type Walk int

const (
	UntypedClient   Walk = 1 << iota // runtime/socketio's clientRunContract
	GeneratedClient                  // examples/conformance's runContract
)

// ContractRow is one behaviour of the contract, run as a subtest of that
// name by the walks it lists.
type ContractRow struct {
	Name  string
	Walks Walk
}

// ContractRows is the table both walks follow, in the order they run it. A
// row added here fails each walk it lists until the walk implements it.
var ContractRows = []ContractRow{
	{"hi", UntypedClient | GeneratedClient},
	{"ack", UntypedClient | GeneratedClient},
	{"getAckDate", UntypedClient | GeneratedClient},
	{"getDate", UntypedClient | GeneratedClient},
	{"getUtf8", UntypedClient | GeneratedClient},
	{"false", UntypedClient | GeneratedClient},
	{"binary in", UntypedClient | GeneratedClient},
	{"binary out", UntypedClient | GeneratedClient},
	{"echo", UntypedClient | GeneratedClient},
	{"getHandshake", UntypedClient | GeneratedClient},
	{"rooms", UntypedClient | GeneratedClient},
	{"broadcast", UntypedClient | GeneratedClient},
	{"disconnect me", UntypedClient | GeneratedClient},
	{"server ack", UntypedClient | GeneratedClient},
	// Namespaces: the untyped client names them by path, the generated
	// one through its typed clients.
	{"namespace /abc?b=c", UntypedClient},
	{"namespace /no", UntypedClient},
	{"namespace /admin", UntypedClient},
	{"namespace /nope", UntypedClient},
	{"fail on /", UntypedClient},
	{"multiplex", UntypedClient},
	{"namespaces", GeneratedClient},
	{"namespaces without events", GeneratedClient},
	{"query on the namespace CONNECT", GeneratedClient},
	{"refusal keeps the connection", GeneratedClient},
	{"ping interval", GeneratedClient},
	// Rows of one protocol or transport setup; the walk says when not.
	{"getId and auth", UntypedClient},
	{"upgrade", UntypedClient},
}

// Contract tracks one walk of ContractRows under t: at t's end it fails t
// if a row of the walk was neither run nor declared not applicable.
type Contract struct {
	t    *testing.T
	walk Walk
	done []string
}

// NewContract starts walk under t.
func NewContract(t *testing.T, walk Walk) *Contract {
	c := &Contract{t: t, walk: walk}
	t.Cleanup(func() {
		if t.Failed() || t.Skipped() {
			return
		}
		for _, r := range ContractRows {
			if r.Walks&walk != 0 && !slices.Contains(c.done, r.Name) {
				t.Errorf("contract row %q was not run", r.Name)
			}
		}
	})
	return c
}

// Run runs row name as a subtest; name must be a row of the walk.
func (c *Contract) Run(name string, f func(t *testing.T)) {
	c.t.Helper()
	c.claim(name)
	c.t.Run(name, f)
}

// NotApplicable records that row name does not apply to this run (its
// protocol or transports).
func (c *Contract) NotApplicable(name string) {
	c.t.Helper()
	c.claim(name)
}

func (c *Contract) claim(name string) {
	c.t.Helper()
	i := slices.IndexFunc(ContractRows, func(r ContractRow) bool { return r.Name == name })
	if i < 0 || ContractRows[i].Walks&c.walk == 0 {
		c.t.Errorf("%q is not a contract row of this walk (internal/testutil.ContractRows)", name)
	}
	c.done = append(c.done, name)
}
