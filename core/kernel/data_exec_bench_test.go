package kernel_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// The shapes of bench/dataapi on the demo entities, 3 levels each, signed in as a
// reader whose grant is a role binding at Harbin, with a mask looked up per record:
//
//	up:   20 licences → holder (enterprise) → legal representative (person)
//	down: 20 people → 5 enterprises each → 3 licences each (420 records)
const (
	benchUp   = `{licences(first:20,orderBy:[{field:id}]){nodes{kind status holder{uscc name legalRepresentative{name mobile}}}}}`
	benchDown = `{persons(first:20,orderBy:[{field:id}]){nodes{name mobile representedEnterprises(first:5,orderBy:[{field:id}]){nodes{uscc name licences(first:3,orderBy:[{field:id}]){nodes{kind status}}}}}}}`
)

// BenchmarkDataUp and BenchmarkDataDown measure one request of each shape through
// the data API (authentication, limits, execution, the answer's bytes), with the
// data API's own executor ("plan") and with graphql-go's ("graphql") side by side:
// "alternating" runs them in turns and reports both, which is the figure to read on a
// shared machine. 16 concurrent callers, as the HTTP benchmark.
// Set GDBOS_TEST_POSTGRES to run on PostgreSQL.
func BenchmarkDataUp(b *testing.B)   { benchData(b, benchUp) }
func BenchmarkDataDown(b *testing.B) { benchData(b, benchDown) }

func benchData(b *testing.B, query string) {
	s, token := benchDataFixture(b)
	g, req := s.K.Graph(), graph.Request{Query: query}
	fast, planned, err := g.DataAnswer(context.Background(), token, "230100", req, false)
	if err != nil || !planned {
		b.Fatalf("not planned (%v): %s", err, fast)
	}
	generic, _, _ := g.DataAnswer(context.Background(), token, "230100", req, true)
	if !bytes.Equal(fast, generic) || bytes.Contains(fast, []byte(`"errors"`)) || bytes.Count(fast, []byte(`"kind"`)) < 20 {
		b.Fatalf("answers:\n%s\n%s", fast, generic)
	}
	answer := func(generic bool) {
		if _, _, err := g.DataAnswer(context.Background(), token, "230100", req, generic); err != nil {
			b.Error(err)
		}
	}
	for _, ex := range []struct {
		name    string
		generic bool
	}{{"plan", false}, {"graphql", true}} {
		b.Run(ex.name, func(b *testing.B) {
			b.SetParallelism(8) // 16 callers on 2 cores
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					answer(ex.generic)
				}
			})
		})
	}
	// The two executors in alternating blocks of 32 requests from 16 callers, so
	// that both see the same load on a shared machine: ns per request of each, and
	// graphql-go's time over the plan's.
	b.Run("alternating", func(b *testing.B) {
		const block, callers = 32, 16
		var spent [2]time.Duration
		for n := 0; n < b.N; n += block {
			for i, generic := range []bool{false, true} {
				var next atomic.Int64
				var wg sync.WaitGroup
				t0 := time.Now()
				for range callers {
					wg.Go(func() {
						for next.Add(1) <= block {
							answer(generic)
						}
					})
				}
				wg.Wait()
				spent[i] += time.Since(t0)
			}
		}
		rounds := float64((b.N + block - 1) / block * block)
		b.ReportMetric(float64(spent[0].Nanoseconds())/rounds, "plan-ns/req")
		b.ReportMetric(float64(spent[1].Nanoseconds())/rounds, "graphql-ns/req")
		b.ReportMetric(float64(spent[1])/float64(spent[0]), "speedup")
	})
}

// benchDataFixture starts a kernel with 20 people at Harbin's districts, 5 enterprises each, 3 licences each,
// and a reader bound to a read role at Harbin.
func benchDataFixture(b *testing.B) (*kerneltest.Server, string) {
	opts := kerneltest.Options{DemoEntities: true}
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		opts.DatabaseURL = storetest.NewPostgresDB(b, dsn)
	}
	s := kerneltest.Start(b, opts)
	admin := s.Admin(b)
	create := func(typ, at string, input map[string]any) string {
		r := s.Data(b, "230000", admin, fmt.Sprintf(`mutation($v:%sInput!,$t:String){create%s(input:$v,tenant:$t){id}}`, typ, typ), map[string]any{"v": input, "t": at})
		if len(r.Errors) > 0 {
			b.Fatalf("create %s: %s", typ, r.Body)
		}
		return r.Data["create"+typ].(map[string]any)["id"].(string)
	}
	districts := []string{"230102", "230103", "230104"}
	n := 0
	for p := range 20 {
		at := districts[p%len(districts)]
		person := create("Person", at, map[string]any{"name": fmt.Sprintf("居民%d", p), "residentId": residentID(b, at, fmt.Sprintf("%03d", p)), "mobile": fmt.Sprintf("1381234%04d", p)})
		for e := range 5 {
			ent := create("Enterprise", at, map[string]any{"uscc": uscc(at, n), "name": fmt.Sprintf("企业%03d有限公司", n), "employees": 10 + n, "legalRepresentative": person})
			n++
			for l := range 3 {
				create("Licence", at, map[string]any{"number": fmt.Sprintf("L%03d-%d", n, l), "kind": "营业执照", "issuedOn": "2026-01-05", "status": "有效", "holder": ent})
			}
			_ = e
		}
	}
	docs := []string{
		"apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230100\", name: bench-read}\nspec: {permissions: [{resources: [Enterprise, Licence, Person], actions: [read]}]}\n",
		"apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230100\", name: bench-reader}\nspec: {role: bench-read, subjects: [{kind: User, name: bench.reader}]}\n",
		"apiVersion: gdbos.io/v1\nkind: Classification\nmetadata: {tenant: \"230000\", name: Person}\nspec: {fields: {mobile: {level: personal, mask: {keepFirst: 3, keepLast: 4}}}}\n",
	}
	s.MustDo(b, admin, `mutation{createUser(input:{username:"bench.reader",password:"password-123",homeTenant:"230100"}){id}}`, nil)
	if r := s.Apply(b, admin, strings.Join(docs, "---\n")); len(r.Errors) > 0 {
		b.Fatalf("fixture: %s", r.Body)
	}
	return s, s.Login(b, "bench.reader", "password-123")
}
