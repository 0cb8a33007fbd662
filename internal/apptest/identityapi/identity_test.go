package identityapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/apptest/identityapi"
	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

type (
	userKey  struct{}
	traceKey struct{}
)

// authenticate is ordinary net/http middleware, as an application puts in
// front of any handler: the bearer token is the user (a real one would
// check it), and X-Trace the request's trace.
func authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if user, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			ctx = context.WithValue(ctx, userKey{}, user)
		}
		ctx = context.WithValue(ctx, traceKey{}, r.Header.Get("X-Trace"))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ended is a hold whose context ended.
type ended struct {
	job   string
	cause error
}

// app is the application under test, written as a user would.
type app struct {
	srv   *socketio.Server
	url   string
	ended chan ended
}

func newApp(t *testing.T) *app {
	t.Helper()
	srv := socketio.NewServer(&socketio.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a := &app{srv: srv, ended: make(chan ended, 16)}
	identity := identityapi.NewIdentityServer(srv)
	identity.Use(func(s *identityapi.IdentitySocket) error {
		user, ok := s.Context().Value(userKey{}).(string)
		if !ok {
			return socketio.NewClientError("unauthenticated")
		}
		s.Data().User = user
		return nil
	})
	identity.OnConnection(func(s *identityapi.IdentitySocket) {
		s.OnWhoAmIContext(func(ctx context.Context) (string, string, error) {
			trace, _ := ctx.Value(traceKey{}).(string)
			return s.Data().User, trace, nil
		})
		s.OnHoldContext(func(ctx context.Context, job string) (int, error) {
			s.Data().Holds++
			go func() {
				<-ctx.Done()
				a.ended <- ended{job, context.Cause(ctx)}
			}()
			return s.Data().Holds, nil
		})
	})
	ts := httptest.NewServer(authenticate(identity))
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	a.url = ts.URL
	return a
}

// expectEnded waits for the holds jobs to end, in any order, each with a
// cause that wraps socketio.ErrDisconnected and names reason.
func (a *app) expectEnded(t *testing.T, reason string, jobs ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, j := range jobs {
		want[j] = true
	}
	for range jobs {
		e := testutil.Recv(t, a.ended, "a hold to end")
		if !want[e.job] {
			t.Fatalf("hold %q ended; want one of %v", e.job, jobs)
		}
		delete(want, e.job)
		if !errors.Is(e.cause, socketio.ErrDisconnected) || !strings.Contains(e.cause.Error(), reason) {
			t.Errorf("hold %q ended with cause %v, want socketio.ErrDisconnected with %q", e.job, e.cause, reason)
		}
	}
}

var goSetups = []struct {
	name       string
	transports []string
}{
	{"polling+upgrade", []string{engineio.Polling, engineio.WebSocket}},
	{"websocket", []string{engineio.WebSocket}},
	{"polling", []string{engineio.Polling}},
}

func dialOptions(protocol int, transports []string, user, trace string) *socketio.ManagerOptions {
	h := http.Header{"X-Trace": {trace}}
	if user != "" {
		h.Set("Authorization", "Bearer "+user)
	}
	return &socketio.ManagerOptions{
		Protocol:            protocol,
		Engine:              engineio.DialOptions{Transports: transports, Header: h},
		DisableReconnection: true,
	}
}

// TestIdentityGoClient: with the generated Go client, over every transport
// setup and both protocols, the user HTTP middleware authenticated reaches
// the middleware, which keeps it in Data for the handlers; the trace is
// read from the handler's context; the hold's context ends when the client
// leaves. A client without a token is refused by the middleware.
func TestIdentityGoClient(t *testing.T) {
	a := newApp(t)
	for _, protocol := range []int{4, 5} {
		for _, setup := range goSetups {
			t.Run(fmt.Sprintf("v%d/%s", protocol, setup.name), func(t *testing.T) {
				trace := fmt.Sprintf("go-v%d-%s", protocol, setup.name)
				c, err := identityapi.DialIdentity(t.Context(), a.url, dialOptions(protocol, setup.transports, "ann", trace))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				user, gotTrace, err := c.EmitWhoAmI(t.Context())
				if err != nil || user != "ann" || gotTrace != trace {
					t.Fatalf("whoami: %q, %q, %v; want ann, %q", user, gotTrace, err, trace)
				}
				for i := 1; i <= 2; i++ {
					holds, err := c.EmitHold(t.Context(), fmt.Sprintf("%s/%d", trace, i))
					if err != nil || holds != i {
						t.Fatalf("hold %d: %d, %v; Data kept no count", i, holds, err)
					}
				}
				if err := c.Disconnect(); err != nil {
					t.Fatal(err)
				}
				a.expectEnded(t, socketio.ReasonClientNamespaceDisconnect, trace+"/1", trace+"/2")

				_, err = identityapi.DialIdentity(t.Context(), a.url, dialOptions(protocol, setup.transports, "", trace))
				var refused *socketio.ConnectError
				if !errors.As(err, &refused) || !strings.Contains(err.Error(), "unauthenticated") {
					t.Fatalf("dial without a token: %v, want the middleware's refusal", err)
				}
			})
		}
	}
}

// TestIdentityShutdown: a Shutdown ends every socket's context, whatever
// its transport, with the shutdown as the cause.
func TestIdentityShutdown(t *testing.T) {
	a := newApp(t)
	var jobs []string
	var clients []*identityapi.IdentityClient
	for _, setup := range goSetups {
		c, err := identityapi.DialIdentity(t.Context(), a.url, dialOptions(5, setup.transports, "bob", setup.name))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
		if _, err := c.EmitHold(t.Context(), setup.name); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, setup.name)
	}
	testutil.None(t, a.ended, "a hold ended before the shutdown")
	if err := a.srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.expectEnded(t, socketio.ReasonServerShutdown, jobs...)
}

// TestIdentityOfficialClients: the same with socket.io-client 2.5.0 and
// 4.8.3 in node, each over polling then upgrade, websocket alone and
// polling alone: headers sent by the official client reach the handlers,
// and a client's disconnect ends its hold; then, with clients of every
// setup connected side by side, a Shutdown ends theirs.
func TestIdentityOfficialClients(t *testing.T) {
	for _, stay := range []bool{false, true} {
		name, reason, args := "leave", socketio.ReasonClientNamespaceDisconnect, []string{}
		if stay {
			name, reason, args = "shutdown", socketio.ReasonServerShutdown, []string{"stay"}
		}
		t.Run(name, func(t *testing.T) {
			a := newApp(t)
			procs := map[string]*nodetest.Process{}
			var jobs []string
			for _, version := range []string{"2", "4"} {
				procs[version] = nodetest.Start(t, "identity-client.js", "", nil, append([]string{a.url, version, "user" + version}, args...)...)
				for _, setup := range goSetups {
					jobs = append(jobs, "v"+version+"-"+setup.name)
				}
			}
			if stay {
				testutil.Eventually(t, 20*time.Second, "every setup to hold", func() bool {
					return strings.Count(procs["2"].Output()+procs["4"].Output(), "\nhold ") == len(jobs)
				})
				testutil.None(t, a.ended, "a hold ended before the shutdown")
				if err := a.srv.Shutdown(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for version, p := range procs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := p.Wait(30 * time.Second); err != nil {
						t.Errorf("socket.io-client %s.x: %v\n%s", version, err, p.Output())
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			for version, p := range procs {
				out := p.Output()
				for _, setup := range goSetups {
					trace := "v" + version + "-" + setup.name
					want := []string{
						fmt.Sprintf("whoami %s user%s %s\n", setup.name, version, trace),
						fmt.Sprintf("hold %s 1\n", setup.name),
					}
					if stay {
						want = append(want, fmt.Sprintf("disconnect %s io server disconnect\n", setup.name))
					}
					for _, w := range want {
						if !strings.Contains(out, w) {
							t.Errorf("socket.io-client %s.x did not print %q:\n%s", version, w, out)
						}
					}
				}
			}
			a.expectEnded(t, reason, jobs...)
		})
	}
}
