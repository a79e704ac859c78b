package kernel_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/stdcode"
	"github.com/gdbos/gdbos/core/tenant"
)

// TestTenantIsolationProperty gives random users random role bindings at random
// tenants, then sends random queries as them and checks every answer against an
// oracle: no tenant and no resource outside the subtrees a user's bindings cover is
// ever returned, and a refusal happens exactly when the asked tenant is outside them.
// Reproduce a failure with GDBOS_PROPERTY_SEED=<the logged seed>.
func TestTenantIsolationProperty(t *testing.T) {
	rng, seed, cases := propertyRun(t, 0x9e3779b97f4a7c15)

	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	var codes []string
	for _, tn := range s.K.Tenants().List(tenant.ListOptions{}) {
		codes = append(codes, tn.Code)
	}
	pick := func() string { return codes[rng.IntN(len(codes))] }

	// Two roles: one reads the tree, one reads Module resources.
	roles := "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: tree}\nspec: {permissions: [{resources: [tenants], actions: [read]}]}\n" +
		"---\napiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: modules}\nspec: {permissions: [{resources: [Module], actions: [read]}]}\n" +
		"---\napiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: people}\nspec: {permissions: [{resources: [users], actions: [read]}]}\n" +
		"---\napiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: people-clear}\nspec: {permissions: [{resources: [users], actions: [read, unmask]}]}\n"
	// Citizens with personal data at random tenants: the records that must stay
	// inside their subtrees and masked.
	idOf := map[string]string{}
	disabled := map[string]bool{}
	var homes []string
	for i := range 12 {
		name, home := fmt.Sprintf("citizen%d", i), pick()
		homes = append(homes, home)
		id := residentID(t, home[:6], fmt.Sprintf("%03d", i))
		idOf[name] = id
		s.MustDo(t, admin, `mutation($u:String!,$h:String!,$i:String!){createUser(input:{username:$u,password:"password-123",homeTenant:$h,idNumber:$i,phone:"13812345678"}){id}}`,
			map[string]any{"u": name, "h": home, "i": id})
		if rng.IntN(3) == 0 {
			disabled[name] = true
			s.MustDo(t, admin, `mutation($u:String!){setUserDisabled(username:$u,disabled:true)}`, map[string]any{"u": name})
		}
	}
	// Two rows policies at random tenants: one hides disabled accounts, one shows
	// only names starting "citizen1"; each governs the users inside its subtree.
	// Each policy sits on the path of some citizen's home, so it governs someone.
	onSomePath := func() string {
		lineage, _ := s.K.Tenants().LineageCodes(homes[rng.IntN(len(homes))])
		return lineage[rng.IntN(len(lineage))]
	}
	rowPolicies := []rowPolicy{
		{tenant: onSomePath(), rego: "allow if not input.row.disabled", holds: func(u string) bool { return !disabled[u] }},
		{tenant: onSomePath(), rego: `allow if startswith(input.row.username, "citizen1")`, holds: func(u string) bool { return strings.HasPrefix(u, "citizen1") }},
	}
	var policyDocs []string
	for i, p := range rowPolicies {
		policyDocs = append(policyDocs, fmt.Sprintf("apiVersion: gdbos.io/v1\nkind: Policy\nmetadata: {tenant: %q, name: rows%d}\nspec:\n  purpose: rows\n  target: User\n  module: |\n    package rows%d\n\n    %s\n", p.tenant, i, i, p.rego))
	}
	t.Logf("rows policies: %s at %s, %s at %s", rowPolicies[0].rego, rowPolicies[0].tenant, rowPolicies[1].rego, rowPolicies[1].tenant)
	var docs []string
	placed := map[string]bool{}
	for i := range 15 {
		key := fmt.Sprintf("%q, name: m%d", pick(), i%4)
		if !placed[key] {
			placed[key] = true
			docs = append(docs, "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: "+key+"}\nspec: {enabled: true}\n")
		}
	}
	type grant struct{ role, tenant string }
	users := map[string][]grant{}
	for u := range 6 {
		name := fmt.Sprintf("user%d", u)
		s.MustDo(t, admin, `mutation($u:String!){createUser(input:{username:$u,password:"password-123",homeTenant:"230000"}){id}}`, map[string]any{"u": name})
		for b := range rng.IntN(3) {
			g := grant{role: []string{"tree", "modules", "people", "people-clear"}[rng.IntN(4)], tenant: pick()}
			users[name] = append(users[name], g)
			docs = append(docs, fmt.Sprintf("apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: %q, name: %s-%d}\nspec: {role: %s, subjects: [{kind: User, name: %s}]}\n", g.tenant, name, b, g.role, name))
		}
	}
	docs = append(docs, policyDocs...)
	if r := s.Apply(t, admin, roles+"---\n"+strings.Join(docs, "---\n")); len(r.Errors) > 0 {
		t.Fatalf("fixture: %s", r.Body)
	}
	tokens := map[string]string{}
	for u := range 6 {
		name := fmt.Sprintf("user%d", u)
		tokens[name] = s.Login(t, name, "password-123")
	}
	may := func(user, role, code string) bool {
		for _, g := range users[user] {
			if g.role == role && s.K.Tenants().IsWithin(code, g.tenant) {
				return true
			}
		}
		return false
	}

	for i := range cases {
		user := fmt.Sprintf("user%d", rng.IntN(6))
		code := pick()
		var query, role string
		if rng.IntN(5) == 0 {
			checkUsers(t, s, tokens[user], user, users[user], func(role, code string) bool { return may(user, role, code) }, idOf, seed, i)
			checkRowPolicies(t, s, tokens[user], rowPolicies, seed, i)
			checkRowPolicies(t, s, admin, rowPolicies, seed, i) // they bind the superadmin too
			continue
		}
		switch rng.IntN(4) {
		case 0:
			query, role = fmt.Sprintf(`{tenant(code:%q){code parent{code} children{code} ancestors{code}}}`, code), "tree"
		case 1:
			query, role = `{tenants(first:500){nodes{code}}}`, "tree"
		case 2:
			query, role = fmt.Sprintf(`{resources(kind:"Module",tenant:%q,subtree:true,first:500){nodes{tenant name}}}`, code), "modules"
		default:
			query, role = fmt.Sprintf(`{effectiveResource(kind:"Module",tenant:%q,name:"m%d"){tenant layers}}`, code, rng.IntN(4)), "modules"
		}
		r := s.Do(t, tokens[user], query, nil)
		fail := func(why string) {
			t.Fatalf("case %d (seed %d): %s as %s (grants %v): %s\n%s", i, seed, query, user, users[user], why, r.Body)
		}
		asked := !strings.HasPrefix(query, "{tenants(")
		switch {
		case asked && r.Code() == "FORBIDDEN":
			if may(user, role, code) {
				fail("refused although permitted")
			}
			continue
		case asked && r.Code() == "NOT_FOUND" && strings.HasPrefix(query, "{effectiveResource"):
			if !may(user, role, code) {
				fail("NOT_FOUND leaks existence where FORBIDDEN was due")
			}
			continue
		case r.Code() != "":
			fail("unexpected error")
		case asked && !may(user, role, code):
			fail("answered although not permitted")
		}
		for _, c := range collect(r.Data, "code") {
			if !may(user, "tree", c) {
				fail("tenant " + c + " is outside the permitted subtrees")
			}
		}
		for _, c := range append(collect(r.Data, "tenant"), collect(r.Data, "layers")...) {
			if !may(user, "modules", c) && !may(user, "modules", code) {
				fail("resource of " + c + " is outside the permitted subtrees")
			}
		}
	}
}

// propertyRun seeds a property test (from GDBOS_PROPERTY_SEED when set, which it
// logs so a failure can be reproduced) and says how many cases to run: 10,000, or
// 300 with -short. salt keeps two tests on one seed from drawing the same numbers.
func propertyRun(t *testing.T, salt uint64) (rng *rand.Rand, seed uint64, cases int) {
	t.Helper()
	seed = uint64(time.Now().UnixNano())
	if v := os.Getenv("GDBOS_PROPERTY_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (set GDBOS_PROPERTY_SEED to reproduce)", seed)
	cases = 10000
	if testing.Short() {
		cases = 300
	}
	return rand.New(rand.NewPCG(seed, seed^salt)), seed, cases
}

// checkUsers lists users as user and checks the oracle: every user shown lives in a
// subtree where user may read users, and an ID number is in the clear only where
// user may unmask.
func checkUsers(t *testing.T, s *kerneltest.Server, token, user string, grants any, may func(role, code string) bool, idOf map[string]string, seed uint64, i int) {
	t.Helper()
	r := s.Do(t, token, `{users(first:500){nodes{username homeTenant idNumber}}}`, nil)
	if r.Code() != "" {
		t.Fatalf("case %d (seed %d): users as %s: %s", i, seed, user, r.Body)
	}
	nodes := r.Data["users"].(map[string]any)["nodes"].([]any)
	for _, n := range nodes {
		u := n.(map[string]any)
		home, _ := u["homeTenant"].(string)
		readable := may("people", home) || may("people-clear", home)
		if !readable {
			t.Fatalf("case %d (seed %d): %s (grants %v) sees %v of %s", i, seed, user, grants, u["username"], home)
		}
		want, isCitizen := idOf[u["username"].(string)]
		got, _ := u["idNumber"].(string)
		clear := got == want
		if isCitizen && clear != may("people-clear", home) {
			t.Fatalf("case %d (seed %d): %s (grants %v) sees ID %q of %s at %s", i, seed, user, grants, got, u["username"], home)
		}
	}
}

// rowPolicy is a generated rows policy and the same rule in Go, as the oracle.
type rowPolicy struct {
	tenant, rego string
	holds        func(username string) bool
}

// checkRowPolicies: every user listed satisfies every rows policy defined at a
// tenant on the user's home path.
func checkRowPolicies(t *testing.T, s *kerneltest.Server, token string, ps []rowPolicy, seed uint64, i int) {
	t.Helper()
	r := s.Do(t, token, `{users(first:500){nodes{username homeTenant}}}`, nil)
	for _, n := range r.Data["users"].(map[string]any)["nodes"].([]any) {
		u := n.(map[string]any)
		name, _ := u["username"].(string)
		home, _ := u["homeTenant"].(string)
		for _, p := range ps {
			if home != "" && s.K.Tenants().IsWithin(home, p.tenant) && !p.holds(name) {
				t.Fatalf("case %d (seed %d): %s at %s is listed although the policy %q at %s refuses it", i, seed, name, home, p.rego, p.tenant)
			}
		}
	}
}

// residentID builds a valid resident ID number for an area and a sequence.
func residentID(t testing.TB, area, seq string) string {
	t.Helper()
	for _, c := range "0123456789X" {
		id := area + "19900101" + seq + string(c)
		if stdcode.ResidentID(id) == nil {
			return id
		}
	}
	t.Fatalf("no check character for %s", area)
	return ""
}

// collect gathers every string under key at any depth of v (lists of strings too).
func collect(v any, key string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if k == key {
				switch e := e.(type) {
				case string:
					out = append(out, e)
				case []any:
					for _, s := range e {
						if s, ok := s.(string); ok {
							out = append(out, s)
						}
					}
				}
			}
			out = append(out, collect(e, key)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, collect(e, key)...)
		}
	}
	return out
}
