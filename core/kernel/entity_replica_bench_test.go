package kernel_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// BenchmarkPublishSeenByReplica is issue 4's "publishing a schema until its GraphQL
// type answers, on a second replica": two kernels on one PostgreSQL database with NATS
// JetStream between them; each iteration publishes a new entity through one and polls
// the other's data API until the type answers. It reports the median and the worst.
func BenchmarkPublishSeenByReplica(b *testing.B) {
	a, r, adminA, adminB := kerneltest.Replicas(b, kerneltest.Options{})
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("thing%d", i)
		y := fmt.Sprintf("apiVersion: gdbos.io/v1\nkind: EntitySchema\nmetadata: {tenant: \"230000\", name: %s}\nspec: {fields: [{name: label, type: string}]}\n", name)
		query := fmt.Sprintf("{%ss(first:1){totalCount}}", name)
		start := time.Now()
		if res := a.Apply(b, adminA, y); len(res.Errors) > 0 {
			b.Fatalf("publish: %s", res.Body)
		}
		for {
			if res := r.Data(b, "230102", adminB, query, nil); strings.Contains(res.Body, `"totalCount":0`) {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("the replica never served %s: %s", name, r.Data(b, "230102", adminB, query, nil).Body)
			}
			time.Sleep(time.Millisecond)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max-ms")
}
