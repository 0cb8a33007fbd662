package ackapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/apptest/ackapi"
	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

const wait = 10 * time.Second

var connectedLine = regexp.MustCompile(`(?m)^connected (\S+)$`)

// voter is one client of the test and what its reply must be.
type voter struct {
	id   string
	want string // "choice/weight", "reject", "bad" or "silent"
}

// startVoters starts the official clients, every one at once, and
// returns them once connected (and in room, when given).
func startVoters(t *testing.T, url, room string, specs ...[3]string) []voter {
	t.Helper()
	procs := make([]*nodetest.Process, len(specs))
	for i, s := range specs {
		args := []string{url, s[0], s[1], s[2]}
		if room != "" {
			args = append(args, room)
		}
		procs[i] = nodetest.Start(t, "ack-voter.js", "", nil, args...)
	}
	voters := make([]voter, len(specs))
	for i, p := range procs {
		testutil.Eventually(t, wait, "voter "+specs[i][0]+" "+specs[i][1]+" connected", func() bool {
			return connectedLine.MatchString(p.Output())
		})
		voters[i].id = connectedLine.FindStringSubmatch(p.Output())[1]
		switch mode := specs[i][2]; mode {
		case "answer":
			voters[i].want = specs[i][0] + "-" + specs[i][1] + "/" + specs[i][0]
		default:
			voters[i].want = mode
		}
	}
	return voters
}

// describe reduces a reply to the form of voter.want.
func describe(r ackapi.PollVoteReply) string {
	var rejected *socketio.RejectedError
	var argErr *socketio.ArgError
	switch {
	case errors.As(r.Err, &rejected) && rejected.Message == "no":
		return "reject"
	case errors.As(r.Err, &argErr) && argErr.Index == 1 && argErr.Event == "vote":
		return "bad"
	case r.Err != nil:
		return "error: " + r.Err.Error()
	}
	return r.Choice + "/" + string(rune('0'+r.Weight))
}

// TestBroadcastVote: the generated PollServer.EmitVote and
// PollBroadcast.EmitVote ask socket.io-client 2.x and 4.x (node, polling
// and websocket) and the generated Go client for a vote, and return each
// one's typed reply by socket id: a rejected ack and one that does not
// decode are per-socket errors, a silent client is unanswered when the
// deadline passes, and without it the call returns as soon as the last
// answers.
func TestBroadcastVote(t *testing.T) {
	nodetest.Require(t)
	srv := socketio.NewServer(&socketio.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	poll := ackapi.NewPollServer(srv)
	poll.OnConnection(func(s *ackapi.PollSocket) {
		s.OnEnter(func(room string) error {
			s.Join(room)
			return nil
		})
	})
	ts := httptest.NewServer(poll)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		ts.Close()
	})

	voters := startVoters(t, ts.URL, "booth",
		[3]string{"2", "polling", "answer"},
		[3]string{"2", "websocket", "answer"},
		[3]string{"4", "polling", "answer"},
		[3]string{"4", "websocket", "answer"},
		[3]string{"4", "websocket", "reject"},
		[3]string{"2", "polling", "bad"},
	)
	silent := startVoters(t, ts.URL, "", [3]string{"4", "polling", "silent"})[0]
	for _, transport := range []string{engineio.Polling, engineio.WebSocket} {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		c, err := ackapi.DialPoll(ctx, ts.URL, &socketio.ManagerOptions{
			Engine:              engineio.DialOptions{Transports: []string{transport}},
			DisableReconnection: true,
			Logger:              slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.OnVote(func(question string) (string, int, error) { return "go-" + transport, 7, nil })
		if err := c.EmitEnter(ctx, "booth"); err != nil {
			t.Fatal(err)
		}
		voters = append(voters, voter{id: c.ID(), want: "go-" + transport + "/7"})
	}

	check := func(what string, acks socketio.BroadcastAcks[ackapi.PollVoteReply], want []voter) {
		t.Helper()
		got := map[string]string{}
		for _, r := range acks.Replies {
			got[r.SocketID] = describe(r)
		}
		if len(got) != len(acks.Replies) {
			t.Errorf("%s: two replies of one socket: %+v", what, acks.Replies)
		}
		for _, v := range want {
			if got[v.id] != v.want {
				t.Errorf("%s: socket %s replied %q, want %q", what, v.id, got[v.id], v.want)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d replies, want %d: %v", what, len(got), len(want), got)
		}
	}

	// Every socket, the silent one included: it holds the call until the
	// deadline, and is then unanswered.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	acks, err := poll.EmitVote(ctx, "lunch?")
	if err != nil {
		t.Fatal(err)
	}
	check("PollServer.EmitVote", acks, voters)
	if !slices.Equal(acks.Unanswered, []string{silent.id}) || acks.UnansweredCount != 1 {
		t.Errorf("unanswered %v (%d), want [%s]", acks.Unanswered, acks.UnansweredCount, silent.id)
	}

	// The room, without the silent socket: the call returns once every
	// target answered, well before its deadline.
	ctx, cancel = context.WithTimeout(context.Background(), wait)
	defer cancel()
	acks, err = poll.To("booth").Except(voters[0].id).EmitVote(ctx, "dinner?")
	if err != nil || ctx.Err() != nil {
		t.Fatalf("err %v, ctx %v: want every ack before the deadline", err, ctx.Err())
	}
	check("PollBroadcast.EmitVote", acks, voters[1:])
	if len(acks.Unanswered) != 0 || acks.UnansweredCount != 0 {
		t.Errorf("unanswered %v (%d), want none", acks.Unanswered, acks.UnansweredCount)
	}
}
