package kernel_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// BenchmarkPublishSeenByReplica is issue 4's "publishing a schema until its GraphQL
// type answers, on a second replica": two kernels on one PostgreSQL database with NATS
// JetStream between them; each iteration publishes a new entity through one and polls
// the other's data API until the type answers. It reports the median and the worst.
func BenchmarkPublishSeenByReplica(b *testing.B) {
	dsn, natsURL := os.Getenv(storetest.EnvPostgres), os.Getenv("GDBOS_TEST_NATS")
	if dsn == "" || natsURL == "" {
		b.Skip("set " + storetest.EnvPostgres + " and GDBOS_TEST_NATS=nats://127.0.0.1:4222")
	}
	id := make([]byte, 4)
	_, _ = rand.Read(id)
	opts := kerneltest.Options{DatabaseURL: storetest.NewPostgresDB(b, dsn), NATSURL: natsURL, NATSSubject: "gdbosbench" + hex.EncodeToString(id)}
	a := kerneltest.Start(b, opts)
	r := kerneltest.Start(b, opts)
	adminA := a.Admin(b)
	adminB := r.Login(b, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
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
