package gen

import (
	"slices"
	"testing"

	"github.com/siogen/siogen/schema"
)

// TestReplyFields: the fields of a reply type are the ack's parameter
// names, exported, clear of SocketID and Err and of each other.
func TestReplyFields(t *testing.T) {
	params := func(names ...string) []*schema.Param {
		var ps []*schema.Param
		for _, n := range names {
			ps = append(ps, &schema.Param{Name: n})
		}
		return ps
	}
	for _, c := range []struct {
		names, want []string
	}{
		{[]string{"yes", "why"}, []string{"Yes", "Why"}},
		{[]string{"err", "socketID"}, []string{"AckErr", "AckSocketID"}},
		{[]string{"n", "N"}, []string{"N", "AckN"}},
		{[]string{"_x", "arg0"}, []string{"V_x", "Arg0"}},
		{[]string{"err", "ackErr", "AckErr"}, []string{"AckErr", "AckAckErr", "AckAckErr2"}},
	} {
		if got := replyFields(params(c.names...)); !slices.Equal(got, c.want) {
			t.Errorf("replyFields(%q) = %q, want %q", c.names, got, c.want)
		}
	}
}
