package authz

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// issue3 is the policy set of issue 3: 1,000 tenants (a province, 9 cities, 90
// counties, 900 townships); 50 roles of 20 distinct permissions defined once at the
// province, so every tenant shares them (1,000 permission rules); 10,000 bindings of
// 10 distinct users each (100,000 user bindings) at random tenants, drawn from
// 20,000 users.
var issue3 struct {
	once     sync.Once
	tree     *fakeTree
	roles    []Role
	bindings []Binding
	codes    []string
	a        *Authorizer
	load     time.Duration
}

func issue3Authorizer(tb testing.TB) *Authorizer {
	issue3.once.Do(func() {
		r := rand.New(rand.NewPCG(5, 6))
		issue3.tree = genTree(9, 10, 10)
		issue3.codes = issue3.tree.codes()
		issue3.roles, issue3.bindings = genPolicy(r, issue3.tree, []string{"230000"}, 50, 20, 10000, 10, 20000)
		issue3.a = New(issue3.tree)
		start := time.Now()
		if err := issue3.a.Load(issue3.roles, issue3.bindings); err != nil {
			panic(err)
		}
		issue3.load = time.Since(start)
	})
	st := issue3.a.state.Load()
	ps, _ := st.enf.GetPolicy()
	gs, _ := st.enf.GetGroupingPolicy()
	tb.Logf("tenants %d, permission rules %d, user bindings %d, first load %v", len(issue3.codes), len(ps), len(gs), issue3.load)
	return issue3.a
}

type benchReq struct{ user, tenant, on, act string }

// benchRequests mixes random requests (mostly denied) with requests by bound users
// at or below their binding's tenant (often allowed).
func benchRequests(n int) []benchReq {
	r := rand.New(rand.NewPCG(7, 8))
	reqs := make([]benchReq, n)
	for i := range reqs {
		q := benchReq{fmt.Sprintf("u%d", r.IntN(20000)), issue3.codes[r.IntN(len(issue3.codes))], genKinds[r.IntN(len(genKinds)-1)], genActions[r.IntN(3)]}
		if i%2 == 0 {
			b := issue3.bindings[r.IntN(len(issue3.bindings))]
			q.user, q.tenant = b.Users[r.IntN(len(b.Users))], b.Tenant
		}
		reqs[i] = q
	}
	return reqs
}

func BenchmarkCheck(b *testing.B) {
	a := issue3Authorizer(b)
	reqs := benchRequests(4096)
	b.ReportAllocs()
	allowed, i := 0, 0
	for b.Loop() {
		q := reqs[i%len(reqs)]
		if a.Allowed(Subject{User: q.user}, q.tenant, q.on, q.act) {
			allowed++
		}
		i++
	}
	b.ReportMetric(float64(allowed)/float64(i), "allowed/op")
}

func BenchmarkCheckCasbin(b *testing.B) {
	a := issue3Authorizer(b)
	st := a.state.Load()
	reqs := benchRequests(4096)
	b.ReportAllocs()
	allowed, i := 0, 0
	for b.Loop() {
		q := reqs[i%len(reqs)]
		ok, _, err := st.enforce(q.user, q.tenant, q.on, q.act)
		if err != nil {
			b.Fatal(err)
		}
		if ok {
			allowed++
		}
		i++
	}
	b.ReportMetric(float64(allowed)/float64(i), "allowed/op")
}

// BenchmarkLoad times a full Load of the issue-3 policy set and reports the heap the
// loaded policy (casbin enforcer, index and binding names) keeps alive.
func BenchmarkLoad(b *testing.B) {
	issue3Authorizer(b)
	mb := heapMB(func() any {
		a := New(issue3.tree)
		if err := a.Load(issue3.roles, issue3.bindings); err != nil {
			b.Fatal(err)
		}
		return a
	})
	b.ReportAllocs()
	for b.Loop() {
		a := New(issue3.tree)
		if err := a.Load(issue3.roles, issue3.bindings); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(mb, "MB")
}

// heapMB returns the live heap, in MB, that build's result holds after garbage
// collection.
func heapMB(build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}
