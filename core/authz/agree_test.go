package authz

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestIndexAgreesWithCasbin checks the fast path against casbin's Enforce on random
// requests over a random policy.
func TestIndexAgreesWithCasbin(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tree := genTree(5, 6, 3)
	roles, bindings := genPolicy(r, tree, []string{"230000", "230100", "230200", "230101"}, 8, 6, 300, 3, 60)
	a := New(tree)
	if err := a.Load(roles, bindings); err != nil {
		t.Fatal(err)
	}
	st, codes := a.state.Load(), tree.codes()
	allowed := 0
	for range 3000 {
		user := fmt.Sprintf("u%d", r.IntN(70))
		tenant := codes[r.IntN(len(codes))]
		on, act := genKinds[r.IntN(len(genKinds))], genActions[r.IntN(len(genActions))]
		fast := a.Check(Subject{User: user}, tenant, on, act)
		slow, _, err := st.enforce(user, tenant, on, act)
		if err != nil || fast.Allowed != slow {
			t.Fatalf("%s %s %s:%s: index %+v, casbin %v (%v)", user, tenant, on, act, fast, slow, err)
		}
		if slow {
			allowed++
		}
	}
	if allowed < 150 || allowed > 2850 {
		t.Fatalf("%d of 3000 allowed: the random policy does not exercise both answers", allowed)
	}
}

// TestIndexAgreesWithCasbinAtSize checks the fast path against casbin's Enforce on
// 10,000 random requests (1,000 under -race) over the issue-3 policy set, split over
// GOMAXPROCS workers because each Enforce scans 1,000 rules.
func TestIndexAgreesWithCasbinAtSize(t *testing.T) {
	a := issue3Authorizer(t)
	n := 10000
	if raceEnabled || testing.Short() {
		n = 1000
	}
	reqs := randomRequests(rand.New(rand.NewPCG(9, 10)), n)
	st := a.state.Load()
	workers := runtime.GOMAXPROCS(0)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(reqs); i += workers {
				q := reqs[i]
				fast := a.Check(Subject{User: q.user}, q.tenant, q.on, q.act)
				slow, _, err := st.enforce(q.user, q.tenant, q.on, q.act)
				if err != nil || fast.Allowed != slow {
					t.Errorf("%+v: index %+v, casbin %v (%v)", q, fast, slow, err)
					return
				}
				if slow {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d of %d allowed", allowed.Load(), n)
	if got := int(allowed.Load()); got < n/20 || got > n-n/20 {
		t.Fatalf("%d of %d allowed: the requests do not exercise both answers", got, n)
	}
}

// randomRequests draws requests over the issue-3 set: half by a user of a random
// binding, at the binding's tenant or at a random one; half entirely random.
func randomRequests(r *rand.Rand, n int) []benchReq {
	reqs := make([]benchReq, n)
	for i := range reqs {
		q := benchReq{fmt.Sprintf("u%d", r.IntN(20000)), issue3.codes[r.IntN(len(issue3.codes))], genKinds[r.IntN(len(genKinds))], genActions[r.IntN(len(genActions))]}
		if i%2 == 0 {
			b := issue3.bindings[r.IntN(len(issue3.bindings))]
			q.user = b.Users[r.IntN(len(b.Users))]
			if r.IntN(2) == 0 {
				q.tenant = b.Tenant
			}
		}
		reqs[i] = q
	}
	return reqs
}

func TestLoadManyRules(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tree := genTree(10, 10, 9)
	roleAt := []string{"230000"}
	for c := 1; c <= 10; c++ {
		roleAt = append(roleAt, fmt.Sprintf("23%02d00", c))
	}
	roles, bindings := genPolicy(r, tree, roleAt, 50, 20, 2000, 5, 5000)
	a := New(tree)
	start := time.Now()
	if err := a.Load(roles, bindings); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d roles, %d bindings in %v; %d problems", len(roles), len(bindings), time.Since(start), len(a.Problems()))
	if p := a.Problems(); len(p) > 0 {
		t.Fatalf("every role resolves at a city or the province: %q", p[0])
	}
	for _, b := range bindings[:100] {
		lineage, _ := tree.LineageCodes(b.Tenant)
		perm := roles[roleIndex(lineage, b.Role)].Permissions[0]
		if d := a.Check(Subject{User: b.Users[0]}, b.Tenant, perm.On, perm.Action); !d.Allowed {
			t.Fatalf("binding %s does not grant %s: %s", b.Name, perm, d.Reason)
		}
	}
}

// TestCheckDuringLoad runs checks while policies are swapped; run it with -race.
func TestCheckDuringLoad(t *testing.T) {
	a := loaded(t)
	other := []Binding{{Tenant: "230100", Name: "city-viewers", Role: "viewer", Users: []string{"alice"}}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if d := a.Check(Subject{User: "alice"}, "230102", "tenants", "read"); !d.Allowed {
					t.Errorf("alice lost tenants:read during a Load: %+v", d)
					return
				}
				a.Explain(Subject{User: "dave"}, "230102", "Role", "write")
				a.TenantsWithPermission(Subject{User: "dave"}, "Role", "read")
			}
		}()
	}
	for i := range 50 {
		bs := demoBindings()
		if i%2 == 1 {
			bs = other
		}
		if err := a.Load(demoRoles(), bs); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

// roleIndex returns the index in genPolicy's roles of the nearest role named name:
// roles are defined at the province, then at cities 01–10, 50 per tenant.
func roleIndex(lineage []string, name string) int {
	var n int
	fmt.Sscanf(name, "role%d", &n)
	if len(lineage) < 2 {
		return n
	}
	var city int
	fmt.Sscanf(lineage[1][2:4], "%d", &city)
	return city*50 + n
}
