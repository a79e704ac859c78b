package authz

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// The benchmark policy: 1,011 tenants (a province, 10 cities, 100 counties, 900
// townships); 50 roles of 20 permissions defined at the province and at each city
// (11,000 permission rules); 10,000 bindings of 10 users each (100,000 user
// bindings) at random tenants, drawn from 20,000 users.
var bench struct {
	once     sync.Once
	a        *Authorizer
	tree     *fakeTree
	bindings []Binding
	codes    []string
	load     time.Duration
}

func benchAuthorizer(b *testing.B) *Authorizer {
	bench.once.Do(func() {
		r := rand.New(rand.NewPCG(5, 6))
		bench.tree = genTree(10, 10, 9)
		bench.codes = bench.tree.codes()
		roleAt := []string{"230000"}
		for c := 1; c <= 10; c++ {
			roleAt = append(roleAt, fmt.Sprintf("23%02d00", c))
		}
		roles, bindings := genPolicy(r, bench.tree, roleAt, 50, 20, 10000, 10, 20000)
		bench.bindings = bindings
		bench.a = New(bench.tree)
		start := time.Now()
		if err := bench.a.Load(roles, bindings); err != nil {
			panic(err)
		}
		bench.load = time.Since(start)
	})
	b.Logf("tenants %d, load %v", len(bench.codes), bench.load)
	return bench.a
}

type benchReq struct{ user, tenant, on, act string }

// benchRequests mixes random requests (mostly denied) with requests by bound users
// at their binding's tenant (often allowed).
func benchRequests(n int) []benchReq {
	r := rand.New(rand.NewPCG(7, 8))
	reqs := make([]benchReq, n)
	for i := range reqs {
		q := benchReq{fmt.Sprintf("u%d", r.IntN(20000)), bench.codes[r.IntN(len(bench.codes))], genKinds[r.IntN(len(genKinds)-1)], genActions[r.IntN(3)]}
		if i%2 == 0 {
			b := bench.bindings[r.IntN(len(bench.bindings))]
			q.user, q.tenant = b.Users[0], b.Tenant
		}
		reqs[i] = q
	}
	return reqs
}

func BenchmarkCheck(b *testing.B) {
	a := benchAuthorizer(b)
	reqs := benchRequests(4096)
	b.ReportAllocs()
	b.ResetTimer()
	allowed := 0
	for i := 0; b.Loop(); i++ {
		q := reqs[i%len(reqs)]
		if a.Allowed(Subject{User: q.user}, q.tenant, q.on, q.act) {
			allowed++
		}
	}
	b.ReportMetric(float64(allowed)/float64(b.N), "allowed/op")
}

func BenchmarkCheckCasbin(b *testing.B) {
	a := benchAuthorizer(b)
	st := a.state.Load()
	reqs := benchRequests(4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := reqs[i%len(reqs)]
		if _, _, err := st.enforce(q.user, q.tenant, q.on, q.act); err != nil {
			b.Fatal(err)
		}
	}
}
