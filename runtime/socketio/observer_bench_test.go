package socketio

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/siogen/siogen/runtime/prommetrics"
)

// BenchmarkBroadcastObserved is BenchmarkBroadcast with Prometheus metrics
// (runtime/prommetrics) observing the server: the difference is what the
// Observer costs a broadcast, its event and every session's write.
func BenchmarkBroadcastObserved(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) {
			m, err := prommetrics.New(prometheus.NewRegistry(), nil)
			if err != nil {
				b.Fatal(err)
			}
			benchmarkBroadcast(b, n, m)
		})
	}
}
