package gen

import (
	"bytes"
	"strings"
	"text/template"

	"github.com/dave/jennifer/jen"
)

// fixedMethod is a method that a generated type has whatever its events
// are. The tables below are both what is emitted and the names an event's
// method may not take (checkNames).
type fixedMethod struct {
	name string
	// text is the method as Go source, a template over fixedNames, written
	// as it should read; each comment paragraph is one line, which
	// wrapComments wraps. Empty when the method is written by auth instead.
	text string
	// auth, when set, writes the method for a namespace with an auth
	// payload, whose type it depends on; without an auth payload the
	// method is text, or absent if text is empty.
	auth func(g *nsGen, f *jen.File)
	// data, when set, writes the method for a namespace that declares
	// Data; without Data the method is absent.
	data func(g *nsGen, f *jen.File)
}

// fixedNames are the values the text of a fixed method refers to.
type fixedNames struct {
	names
	Path string // the namespace's path, quoted as a Go string
	What string // namespace "/admin" (Admin)
}

var serverMethods = []fixedMethod{
	{name: "Namespace", text: `
// Namespace returns the untyped namespace underneath.
func (s *{{.Server}}) Namespace() *socketio.Namespace {
	return s.nsp
}
`},
	{name: "ServeHTTP", text: `
// ServeHTTP serves the Socket.IO endpoint of the server the namespace belongs to, for every namespace of that server, not only this one. Mount a {{.Server}} where the server itself would go: at the server's Path, socketio.DefaultPath unless its options say otherwise.
func (s *{{.Server}}) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.nsp.Server().ServeHTTP(w, r)
}
`},
	{name: "Use", text: `
// Use adds a connection middleware: a non-nil error refuses the socket, and the client receives it as a connect error whose message is the error's for a *socketio.ClientError, socketio.InternalErrorMessage for any other error (which is logged).
func (s *{{.Server}}) Use(fn func(*{{.Socket}}) error) {
	s.nsp.Use(func(sock *socketio.Socket) error {
		return fn(&{{.Socket}}{sock: sock})
	})
}
`, auth: (*nsGen).useWithAuth},
	{name: "UseEvent", text: `
// UseEvent adds an event middleware: fn sees every event a socket of the namespace receives, in the order added, after the socket's OnAny listeners and before the event's handler. A non-nil error refuses the event: the handler does not run, the socket's OnError handler gets the error, and an ack the client asked for is answered with {"error": message}, message being the error's for a *socketio.ClientError and socketio.InternalErrorMessage otherwise.
func (s *{{.Server}}) UseEvent(fn func(*{{.Socket}}, *socketio.Event) error) {
	s.nsp.UseEvent(func(e *socketio.Event) error {
		return fn(&{{.Socket}}{sock: e.Socket()}, e)
	})
}
`},
	{name: "OnConnection", text: `
// OnConnection sets the handler called for every socket that joins the namespace, before any of its events: set the socket's handlers there.
func (s *{{.Server}}) OnConnection(fn func(*{{.Socket}})) {
	s.nsp.OnConnection(func(sock *socketio.Socket) {
		fn(&{{.Socket}}{sock: sock})
	})
}
`},
	{name: "To", text: `
// To selects the sockets in any of rooms, for a broadcast.
func (s *{{.Server}}) To(rooms ...string) {{.Broadcast}} {
	return {{.Broadcast}}{b: s.nsp.To(rooms...)}
}
`},
	{name: "Except", text: `
// Except selects every socket but those in rooms (a socket id is a room), for a broadcast.
func (s *{{.Server}}) Except(rooms ...string) {{.Broadcast}} {
	return {{.Broadcast}}{b: s.nsp.Except(rooms...)}
}
`},
}

var socketMethods = []fixedMethod{
	{name: "Socket", text: `
// Socket returns the untyped socket underneath.
func (s *{{.Socket}}) Socket() *socketio.Socket {
	return s.sock
}
`},
	{name: "ID", text: `
// ID returns the socket's id.
func (s *{{.Socket}}) ID() string {
	return s.sock.ID()
}
`},
	{name: "Handshake", text: `
// Handshake returns the request that opened the connection, with its query.
func (s *{{.Socket}}) Handshake() *socketio.Handshake {
	return s.sock.Handshake()
}
`},
	{name: "Auth", auth: (*nsGen).authMethod},
	{name: "Context", text: `
// Context returns the socket's context. It carries the values of the handshake request's context (what net/http middleware put there, such as the authenticated user) and ends when the socket disconnects or the server shuts down, so that work started with it ends with the socket.
func (s *{{.Socket}}) Context() context.Context {
	return s.sock.Context()
}
`},
	{name: "Data", data: (*nsGen).dataMethod},
	{name: "Join", text: `
// Join adds the socket to rooms.
func (s *{{.Socket}}) Join(rooms ...string) {
	s.sock.Join(rooms...)
}
`},
	{name: "Leave", text: `
// Leave removes the socket from rooms.
func (s *{{.Socket}}) Leave(rooms ...string) {
	s.sock.Leave(rooms...)
}
`},
	{name: "Rooms", text: `
// Rooms returns the rooms the socket is in, its own included.
func (s *{{.Socket}}) Rooms() []string {
	return s.sock.Rooms()
}
`},
	{name: "Disconnect", text: `
// Disconnect makes the socket leave the namespace; with closeConn the whole connection is closed.
func (s *{{.Socket}}) Disconnect(closeConn bool) {
	s.sock.Disconnect(closeConn)
}
`},
	{name: "OnDisconnect", text: `
// OnDisconnect adds a handler called once when the socket disconnects, after its last event.
func (s *{{.Socket}}) OnDisconnect(fn func(reason string)) {
	s.sock.OnDisconnect(fn)
}
`},
	{name: "OnError", text: `
// OnError sets the handler of the socket's errors, such as arguments that did not decode. The default logs them.
func (s *{{.Socket}}) OnError(fn func(err error)) {
	s.sock.OnError(fn)
}
`},
	{name: "OnAny", text: `
// OnAny adds a listener of every event the client sends, handled or not, called before any event middleware: for logging and tracing. args are still encoded (see socketio.Args).
func (s *{{.Socket}}) OnAny(fn func(event string, args *socketio.Args)) {
	s.sock.OnAny(fn)
}
`},
	{name: "OnAnyOutgoing", text: `
// OnAnyOutgoing adds a listener of every event sent to the client, by this socket's EmitX or by a broadcast that reaches it. It runs on the emitting goroutine, before the event is sent: keep it quick.
func (s *{{.Socket}}) OnAnyOutgoing(fn func(event string, args *socketio.Args)) {
	s.sock.OnAnyOutgoing(fn)
}
`},
	{name: "To", text: `
// To selects the sockets in any of rooms, except this one, for a broadcast.
func (s *{{.Socket}}) To(rooms ...string) {{.Broadcast}} {
	return {{.Broadcast}}{b: s.sock.To(rooms...)}
}
`},
	{name: "Broadcast", text: `
// Broadcast selects every socket of the namespace except this one.
func (s *{{.Socket}}) Broadcast() {{.Broadcast}} {
	return {{.Broadcast}}{b: s.sock.Broadcast()}
}
`},
}

var broadcastMethods = []fixedMethod{
	{name: "To", text: `
// To narrows the selection to sockets in any of rooms.
func (b {{.Broadcast}}) To(rooms ...string) {{.Broadcast}} {
	return {{.Broadcast}}{b: b.b.To(rooms...)}
}
`},
	{name: "Except", text: `
// Except leaves out the sockets in any of rooms.
func (b {{.Broadcast}}) Except(rooms ...string) {{.Broadcast}} {
	return {{.Broadcast}}{b: b.b.Except(rooms...)}
}
`},
}

// clientConstructors are the functions that make a client; they are
// fixed but not methods, so they claim no method name.
const clientConstructors = `
// {{.NewClient}} returns the client of {{.What}} on the connection m manages, not yet connected: set its handlers, then call Connect. Several clients of one Manager share its connection.
func {{.NewClient}}(m *socketio.Manager) *{{.Client}} {
	return &{{.Client}}{sock: m.Socket({{.Path}})}
}

// {{.Dial}} connects to {{.What}} on the server at rawURL (such as http://localhost:3000, or the URL of the namespace itself; its query is sent with the handshake) and returns the client once the server accepted it. A rawURL whose path names another namespace is an error. Handlers set after it returns miss the events sent on connection; use {{.NewClient}} and Connect when that matters. The client reconnects by itself as opts configure; end it with Close.
func {{.Dial}}(ctx context.Context, rawURL string, opts *socketio.ManagerOptions) (*{{.Client}}, error) {
	sock, err := socketio.DialNamespace(ctx, rawURL, {{.Path}}, opts)
	if err != nil {
		return nil, err
	}
	return &{{.Client}}{sock: sock}, nil
}
`

var clientMethods = []fixedMethod{
	{name: "Socket", text: `
// Socket returns the untyped client socket underneath.
func (c *{{.Client}}) Socket() *socketio.ClientSocket {
	return c.sock
}
`},
	{name: "Connect", text: `
// Connect joins the namespace and waits until the server accepts it (nil), refuses it (a *socketio.ConnectError), the connection attempt fails, or ctx ends. See socketio.ClientSocket.Connect.
func (c *{{.Client}}) Connect(ctx context.Context) error {
	return c.sock.Connect(ctx)
}
`},
	{name: "ID", text: `
// ID returns the socket id the server gave this client.
func (c *{{.Client}}) ID() string {
	return c.sock.ID()
}
`},
	{name: "Connected", text: `
// Connected reports whether the namespace is connected.
func (c *{{.Client}}) Connected() bool {
	return c.sock.Connected()
}
`},
	{name: "OnConnect", text: `
// OnConnect adds a handler called each time the server accepts the client: at first and after each reconnection.
func (c *{{.Client}}) OnConnect(fn func()) {
	c.sock.OnConnect(fn)
}
`},
	{name: "OnDisconnect", text: `
// OnDisconnect adds a handler called each time the client disconnects, with the reason (socketio.Reason...).
func (c *{{.Client}}) OnDisconnect(fn func(reason string)) {
	c.sock.OnDisconnect(fn)
}
`},
	{name: "OnConnectError", text: `
// OnConnectError adds a handler called when connecting fails: a refusal by the server or a failed connection attempt.
func (c *{{.Client}}) OnConnectError(fn func(err error)) {
	c.sock.OnConnectError(fn)
}
`},
	{name: "OnError", text: `
// OnError adds a handler of errors such as event arguments that did not decode; without one they are logged.
func (c *{{.Client}}) OnError(fn func(err error)) {
	c.sock.OnError(fn)
}
`},
	{name: "Disconnect", text: `
// Disconnect leaves the namespace; the client does not reconnect it.
func (c *{{.Client}}) Disconnect() error {
	return c.sock.Disconnect()
}
`},
	{name: "Close", text: `
// Close ends the client for good: it closes the connection underneath, with every namespace on it.
func (c *{{.Client}}) Close() error {
	return c.sock.Manager().Close()
}
`},
	{name: "SetAuth", auth: (*nsGen).setAuthMethod},
}

// fixed writes methods for the namespace: each as its text, or through
// its auth function when the namespace has an auth payload.
func (g *nsGen) fixed(f *jen.File, methods []fixedMethod) {
	for _, m := range methods {
		switch {
		case m.auth != nil && g.ns.Auth != nil:
			m.auth(g, f)
		case m.data != nil:
			if g.ns.Data != nil {
				m.data(g, f)
			}
		case m.text != "":
			g.text(f, m.text)
		}
	}
}

// text writes Go source, a template over fixedNames, into f as it is.
// Packages are named socketio, context and http; Generate imports them.
func (g *nsGen) text(f *jen.File, src string) {
	t := template.Must(template.New("").Parse(src))
	var b bytes.Buffer
	err := t.Execute(&b, fixedNames{names: g.n, Path: jen.Lit(g.ns.Path).GoString(), What: g.what()})
	if err != nil {
		panic(err) // the templates are constants of this package
	}
	f.Add(jen.Op(wrapComments(strings.TrimSpace(b.String()))))
	f.Line()
}

// commentWidth is the column at which every generated comment wraps.
const commentWidth = 80

// wrapComments wraps each // comment line of src that is longer than
// commentWidth at word boundaries, keeping its indentation.
func wrapComments(src string) string {
	lines := strings.Split(src, "\n")
	var out []string
	for _, line := range lines {
		text := strings.TrimLeft(line, "\t")
		indent := line[:len(line)-len(text)]
		if !strings.HasPrefix(text, "// ") || len(indent)*8+len(text) <= commentWidth {
			out = append(out, line)
			continue
		}
		out = append(out, wrapText(strings.TrimPrefix(text, "// "), commentWidth-len(indent)*8-3, indent+"// ")...)
	}
	return strings.Join(out, "\n")
}

// wrapText breaks text into lines of at most width characters (a longer
// word stays whole), each starting with prefix.
func wrapText(text string, width int, prefix string) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			out = append(out, prefix+line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		out = append(out, prefix+line)
	}
	return out
}
