package plugin_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/plugin/plugintest"
)

// BenchmarkPluginField runs the same data API query on 230102 without and with a
// field resolved by a plugin process; the difference of the medians is what the
// plugin field adds.
func BenchmarkPluginField(b *testing.B) {
	s := kerneltest.Start(b, kerneltest.Options{})
	admin := s.Admin(b)
	plugintest.Install(b, s, admin, faulty, "")
	plugintest.Grant(b, s, admin, "230102", "faulty", "[graphql]", "")
	p, err := s.K.Identity().Authenticate(context.Background(), admin)
	if err != nil {
		b.Fatal(err)
	}
	ctx := graph.WithCaller(context.Background(), &graph.Caller{Principal: p, Authenticated: true})
	for _, bc := range []struct{ name, query string }{
		{"without", `{ _entities }`},
		{"with", `{ _entities faulty { ok } }`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := graph.Request{Query: bc.query}
			if res, err := s.K.Graph().DoData(ctx, "230102", req); err != nil || len(res.Errors) > 0 {
				b.Fatalf("%v %v", err, res.Errors)
			}
			ds := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				res, err := s.K.Graph().DoData(ctx, "230102", req)
				if err != nil || len(res.Errors) > 0 {
					b.Fatalf("%v %v", err, res.Errors)
				}
				ds = append(ds, time.Since(t0))
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "median-µs")
		})
	}
}
