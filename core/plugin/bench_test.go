package plugin_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/plugin/plugintest"
)

// BenchmarkPluginField runs the same data API query on 230102 without and with a
// field resolved by a plugin process; the difference of the medians is what the
// plugin field adds. "endpoint" answers as /data/230102/graphql does (authentication,
// limits, the compiled plan — or graphql-go's executor for a request that selects a
// plugin's field, ADR 20 —, the JSON answer); "executor" through graphql-go's
// executor (Graph.DoData, as the kernel answers a plugin's calls back).
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
	endpoint := func(req graph.Request) error {
		body, planned, err := s.K.Graph().DataAnswer(context.Background(), admin, "230102", req, false)
		switch {
		case err != nil:
			return err
		case planned == strings.Contains(req.Query, "faulty") || !bytes.HasPrefix(body, []byte(`{"data":{`)) || bytes.Contains(body, []byte(`"errors"`)):
			return fmt.Errorf("planned %v: %s", planned, body)
		}
		return nil
	}
	executor := func(req graph.Request) error {
		res, err := s.K.Graph().DoData(ctx, "230102", req)
		if err == nil && len(res.Errors) > 0 {
			err = fmt.Errorf("%v", res.Errors)
		}
		return err
	}
	for _, path := range []struct {
		name string
		do   func(graph.Request) error
	}{{"endpoint", endpoint}, {"executor", executor}} {
		for _, bc := range []struct{ name, query string }{
			{"without", `{ _entities }`},
			{"with", `{ _entities faulty { ok } }`},
		} {
			b.Run(path.name+"/"+bc.name, func(b *testing.B) {
				req := graph.Request{Query: bc.query}
				if err := path.do(req); err != nil {
					b.Fatal(err)
				}
				ds := make([]time.Duration, 0, b.N)
				for b.Loop() {
					t0 := time.Now()
					if err := path.do(req); err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(t0))
				}
				slices.Sort(ds)
				b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "median-µs")
			})
		}
	}
}
