package kernel_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/resource"
)

// scenario is one API request and what its answer must and must not hold.
type scenario struct {
	name       string
	as         string // "", "admin", or a user created by the fixture
	query      string
	vars       map[string]any
	status     int    // default 200
	code       string // expected extensions.code of the first error, "" for success
	contains   []string
	notContain []string
}

func runScenarios(t *testing.T, s *kerneltest.Server, tokens map[string]string, cases []scenario) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(t, tokens[c.as], c.query, c.vars)
			want := c.status
			if want == 0 {
				want = http.StatusOK
			}
			if r.Status != want {
				t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
			}
			if r.Code() != c.code {
				t.Fatalf("code %q, want %q: %s", r.Code(), c.code, r.Body)
			}
			for _, frag := range c.contains {
				if !strings.Contains(r.Body, frag) {
					t.Errorf("answer lacks %q: %s", frag, r.Body)
				}
			}
			for _, frag := range c.notContain {
				if strings.Contains(r.Body, frag) {
					t.Errorf("answer must not hold %q: %s", frag, r.Body)
				}
			}
		})
	}
}

const rbacFixture = `
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230000", name: tenant-viewer}
spec:
  description: reads the tenant tree
  permissions:
    - {resources: [tenants], actions: [read]}
---
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230000", name: module-admin}
spec:
  permissions:
    - {resources: [tenants, Module], actions: [read, write]}
---
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230000", name: rbac-admin}
spec:
  permissions:
    - {resources: [Role, RoleBinding], actions: [read, write]}
    - {resources: [tenants], actions: [read]}
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230102", name: daoli-viewers}
spec:
  role: tenant-viewer
  subjects: [{kind: User, name: daoli}]
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230100", name: harbin-module-admins}
spec:
  role: module-admin
  subjects: [{kind: User, name: harbin}]
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230102", name: daoli-security}
spec:
  role: rbac-admin
  subjects: [{kind: User, name: sec}]
`

// fixture creates users daoli (tenant viewer at 230102), harbin (module admin at
// 230100) and sec (security admin at 230102) and returns their tokens.
func fixture(t testing.TB, s *kerneltest.Server) map[string]string {
	t.Helper()
	admin := s.Admin(t)
	for _, u := range []struct{ name, home string }{{"daoli", "230102"}, {"harbin", "230100"}, {"sec", "230102"}} {
		s.MustDo(t, admin, `mutation($u:String!,$h:String!){createUser(input:{username:$u,password:"password-123",homeTenant:$h}){id}}`,
			map[string]any{"u": u.name, "h": u.home})
	}
	if r := s.Apply(t, admin, rbacFixture); len(r.Errors) > 0 {
		t.Fatalf("rbac fixture: %s", r.Body)
	}
	return map[string]string{
		"admin": admin, "auditor": s.Auditor(t), "daoli": s.Login(t, "daoli", "password-123"),
		"harbin": s.Login(t, "harbin", "password-123"), "sec": s.Login(t, "sec", "password-123"),
	}
}

func TestAPI(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		tokens["forged"] = "gds_forged-token-that-was-never-issued"
		runScenarios(t, s, tokens, []scenario{
			{name: "a forged token is refused, not treated as anonymous", as: "forged", query: `{me{username}}`,
				status: http.StatusUnauthorized, code: "UNAUTHENTICATED"},
			{name: "login with a wrong password", query: `mutation{login(username:"admin",password:"nope-nope"){token}}`,
				code: "UNAUTHENTICATED", contains: []string{"invalid username or password"}},
			{name: "login of an unknown user says the same", query: `mutation{login(username:"nobody",password:"nope-nope"){token}}`,
				code: "UNAUTHENTICATED", contains: []string{"invalid username or password"}},
			{name: "anonymous reads nothing", query: `{tenant(code:"230100"){code}}`, code: "UNAUTHENTICATED"},
			{name: "Harbin has 18 children, 道里区 among them", as: "admin", query: `{tenant(code:"230100"){code name level parent{code} children{code name level}}}`,
				contains: []string{`"code":"230102","level":"county","name":"道里区"`, `"parent":{"code":"230000"}`}},
			{name: "unknown tenant", as: "admin", query: `{tenant(code:"239999"){code}}`, code: "NOT_FOUND"},
			{name: "malformed query", as: "admin", query: `{tenant(code:"230100"){code`, code: "BAD_REQUEST"},
			{name: "unknown field", as: "admin", query: `{tenant(code:"230100"){population}}`, code: "VALIDATION_FAILED", contains: []string{"population"}},
			{name: "wrong argument type", as: "admin", query: `{tenant(code:230100){code}}`, code: "VALIDATION_FAILED"},
			{name: "too deep", as: "admin", query: `{tenant(code:"230000"){children{children{children{children{children{children{children{children{children{children{children{children{code}}}}}}}}}}}}}}`,
				code: "BAD_REQUEST", contains: []string{"levels deep"}},
			{name: "viewer sees their district", as: "daoli", query: `{tenant(code:"230102"){name children{code}}}`, contains: []string{"道里区", "230102001"}},
			{name: "viewer cannot see the city above", as: "daoli", query: `{tenant(code:"230100"){name}}`, code: "FORBIDDEN", notContain: []string{"哈尔滨"}},
			{name: "viewer cannot see a sibling district", as: "daoli", query: `{tenant(code:"230103"){name}}`, code: "FORBIDDEN", notContain: []string{"南岗"}},
			{name: "the parent of a visible tenant is hidden", as: "daoli", query: `{tenant(code:"230102"){parent{code}}}`, contains: []string{`"parent":null`}},
			{name: "tenant list shows only the permitted subtree", as: "daoli", query: `{tenants(first:100){totalCount nodes{code}}}`,
				contains: []string{`"totalCount":2`, "230102001"}, notContain: []string{"230103", `"230100"`}},
			{name: "viewer cannot write", as: "daoli", query: `mutation{applyResources(yaml:"apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: catalog}\nspec: {enabled: true}\n"){op}}`,
				code: "FORBIDDEN"},
			{name: "a binding cannot grant more than its writer holds", as: "sec",
				query: `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:  map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230102\", name: escalate}\nspec: {role: module-admin, subjects: [{kind: User, name: sec}]}\n"},
				code:  "FORBIDDEN", contains: []string{"Module"}},
			{name: "a role cannot hold more than its writer holds", as: "sec",
				query: `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:  map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230102\", name: everything}\nspec: {permissions: [{resources: [\"*\"], actions: [\"*\"]}]}\n"},
				code:  "FORBIDDEN"},
			{name: "a binding within the writer's permissions is fine", as: "sec",
				query:    `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:     map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230102001\", name: street-viewers}\nspec: {role: tenant-viewer, subjects: [{kind: User, name: daoli}]}\n"},
				contains: []string{`"op":"created"`}},
			{name: "invalid resources report every path", as: "admin",
				query: `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:  map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230100\", name: catalog}\nspec: {enabled: \"yes\", color: red}\n"},
				code:  "VALIDATION_FAILED", contains: []string{"/spec/enabled", "/spec/color"}},
			{name: "unknown tenant in a resource", as: "admin",
				query: `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:  map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"999999\", name: catalog}\nspec: {enabled: true}\n"},
				code:  "VALIDATION_FAILED", contains: []string{"/metadata/tenant"}},
			{name: "audit log verifies", as: "auditor", query: `{auditVerify{ok checked problems{id}}}`, contains: []string{`"ok":true`}},
			{name: "the security administrator cannot read it", as: "admin", query: `{auditVerify{ok}}`, code: "FORBIDDEN",
				contains: []string{"no role binding grants audit:read"}},
			{name: "denials are audited", as: "auditor", query: `{auditEntries(outcome:"denied",first:100){totalCount nodes{actor action target}}}`,
				contains: []string{`"actor":"daoli"`, "authz.denied"}},
			{name: "viewer cannot read the audit log", as: "daoli", query: `{auditVerify{ok}}`, code: "FORBIDDEN"},
		})
	})
}

func TestLockedFieldRefused(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		city := "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230100\", name: catalog}\nspec: {enabled: true, settings: {guide: city}}\nlocks: [/enabled]\n"
		if r := s.Apply(t, tokens["harbin"], city); len(r.Errors) > 0 {
			t.Fatalf("apply at the city: %s", r.Body)
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "overriding the locked field fails with LOCKED", as: "admin",
				query: `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:  map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: catalog}\nspec: {enabled: false}\n"},
				code:  "LOCKED", contains: []string{"/spec/enabled", "230100"}},
			{name: "overriding an unlocked field works", as: "admin",
				query:    `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:     map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: catalog}\nspec: {enabled: true, settings: {guide: district}}\n"},
				contains: []string{`"op":"created"`}},
			{name: "effective spec merges along the path", as: "admin",
				query:    `{effectiveResource(kind:"Module",tenant:"230102001",name:"catalog"){spec layers locks{path tenant}}}`,
				contains: []string{`"guide":"district"`, `"layers":["230100","230102"]`, `"tenant":"230100"`}},
			{name: "explain names each field's origin", as: "admin",
				query:    `{explainResource(kind:"Module",tenant:"230102",name:"catalog"){path tenant status description}}`,
				contains: []string{`"path":"/spec/enabled","status":"locked","tenant":"230100"`, `"path":"/spec/settings/guide","status":"overridden","tenant":"230102"`}},
			{name: "history lists versions", as: "admin",
				query:    `{resourceHistory(kind:"Module",tenant:"230100",name:"catalog"){totalCount nodes{version op author}}}`,
				contains: []string{`"author":"harbin"`, `"op":"create"`}},
		})
	})
}

// TestTreeAnswersFollowChanges checks the kept answers of tenant-tree queries: one
// caller never gets another's, and a new binding or a new tenant shows at once.
func TestTreeAnswersFollowChanges(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	tokens := fixture(t, s)
	q := `{tenant(code:"230102"){code parent{code} children{code}}}`
	for range 2 { // the second round is served from the kept answers
		if r := s.Do(t, tokens["daoli"], q, nil); !strings.Contains(r.Body, `"parent":null`) {
			t.Fatalf("daoli must not see the parent: %s", r.Body)
		}
		if r := s.Do(t, tokens["admin"], q, nil); !strings.Contains(r.Body, `"parent":{"code":"230100"}`) {
			t.Fatalf("admin sees the parent: %s", r.Body)
		}
	}
	bind := "apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230100\", name: daoli-city}\nspec: {role: tenant-viewer, subjects: [{kind: User, name: daoli}]}\n"
	if r := s.Apply(t, tokens["admin"], bind); len(r.Errors) > 0 {
		t.Fatalf("bind: %s", r.Body)
	}
	if r := s.Do(t, tokens["daoli"], q, nil); !strings.Contains(r.Body, `"parent":{"code":"230100"}`) {
		t.Fatalf("after the binding daoli sees the parent: %s", r.Body)
	}
	s.MustDo(t, tokens["admin"], `mutation{createTenant(input:{code:"230102002",name:"新街道",parent:"230102",level:"township"}){code}}`, nil)
	if r := s.Do(t, tokens["daoli"], q, nil); !strings.Contains(r.Body, "230102002") {
		t.Fatalf("a new tenant shows at once: %s", r.Body)
	}
}

// TestBadRequests sends what no client should: each gets a clear, coded error.
func TestBadRequests(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	big := `{"query":"{me{username}}","variables":{"x":"` + strings.Repeat("x", 5<<20) + `"}}`
	for _, c := range []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"oversized body", big, http.StatusRequestEntityTooLarge, "BAD_REQUEST"},
		{"not JSON", `query { me }`, http.StatusBadRequest, "BAD_REQUEST"},
		{"unknown request field", `{"query":"{me{username}}","extra":1}`, http.StatusBadRequest, "BAD_REQUEST"},
		{"empty query", `{"query":"  "}`, http.StatusBadRequest, "BAD_REQUEST"},
		{"variables of the wrong type", `{"query":"query($f:Int){tenants(first:$f){totalCount}}","variables":{"f":"many"}}`, http.StatusOK, "VALIDATION_FAILED"},
		{"a required variable missing", `{"query":"query($c:String!){tenant(code:$c){code}}"}`, http.StatusOK, "VALIDATION_FAILED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.Post(t, admin, []byte(c.body))
			if r.Status != c.status || r.Code() != c.code {
				t.Fatalf("got %d %q, want %d %q: %.300s", r.Status, r.Code(), c.status, c.code, r.Body)
			}
		})
	}
	t.Run("mutations need POST", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/graphql?query="+url.QueryEscape(`mutation{logout}`), nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if !strings.Contains(string(b), "mutations need POST") {
			t.Fatalf("GET mutation: %s", b)
		}
		if r := s.Do(t, admin, `{me{username}}`, nil); r.Code() != "" {
			t.Fatalf("the session must still be alive: %s", r.Body)
		}
	})
}

// TestRateLimits: one token's flood is refused with RATE_LIMITED and Retry-After
// while another token keeps working; sign-ins are limited per address.
func TestRateLimits(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{Limits: graph.Limits{TokenRate: 5, AnonymousRate: 3}})
	a := s.Admin(t)
	b := s.Admin(t)
	limited := 0
	for range 30 {
		if r := s.Do(t, a, `{me{username}}`, nil); r.Status == http.StatusTooManyRequests {
			if r.Code() != "RATE_LIMITED" {
				t.Fatalf("429 without RATE_LIMITED: %s", r.Body)
			}
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("30 requests at once from one token were all served at 5/s")
	}
	if r := s.Do(t, b, `{me{username}}`, nil); r.Code() != "" {
		t.Fatalf("another token is not limited: %s", r.Body)
	}
	anonymous := 0
	for range 20 {
		if r := s.Do(t, "", `mutation{login(username:"x",password:"wrong-wrong"){token}}`, nil); r.Status == http.StatusTooManyRequests {
			anonymous++
		}
	}
	if anonymous == 0 {
		t.Fatal("20 anonymous requests at once were all served at 3/s")
	}
}

func TestExplainAccess(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		runScenarios(t, s, tokens, []scenario{
			{name: "allowed, naming the binding and role", as: "admin",
				query:    `{explainAccess(user:"daoli",action:"read",kind:"tenants",tenant:"230102001"){allowed reason}}`,
				contains: []string{`"allowed":true`, "daoli-viewers", "tenant-viewer"}},
			{name: "denied, saying why", as: "admin",
				query:    `{explainAccess(user:"daoli",action:"write",kind:"Module",tenant:"230102"){allowed reason}}`,
				contains: []string{`"allowed":false`}},
			{name: "security administrators only", as: "daoli",
				query: `{explainAccess(user:"daoli",action:"read",kind:"tenants",tenant:"230102"){allowed}}`, code: "FORBIDDEN"},
			{name: "a security administrator of the tenant may ask", as: "sec",
				query:    `{explainAccess(user:"daoli",action:"read",kind:"tenants",tenant:"230102"){allowed}}`,
				contains: []string{`"allowed":true`}},
		})
	})
}

func TestMyAccess(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		q := `query($t:String!){myAccess(tenant:$t, checks:[{kind:"tenants",action:"read"},{kind:"Module",action:"write"}])}`
		runScenarios(t, s, tokens, []scenario{
			{name: "anyone may ask about themself, in the order asked", as: "daoli",
				query: q, vars: map[string]any{"t": "230102001"}, contains: []string{`"myAccess":[true,false]`}},
			{name: "outside the caller's subtree everything is false", as: "daoli",
				query: q, vars: map[string]any{"t": "230103"}, contains: []string{`"myAccess":[false,false]`}},
			{name: "a tenant that does not exist answers false", as: "daoli",
				query: q, vars: map[string]any{"t": "999999"}, contains: []string{`"myAccess":[false,false]`}},
			{name: "the security administrator may read tenants and write modules", as: "admin",
				query: q, vars: map[string]any{"t": "230102"}, contains: []string{`"myAccess":[true,true]`}},
			{name: "only for a signed-in caller",
				query: q, vars: map[string]any{"t": "230102"}, code: "UNAUTHENTICATED"},
		})
		many := make([]map[string]any, maxChecks+1)
		for i := range many {
			many[i] = map[string]any{"kind": "tenants", "action": "read"}
		}
		r := s.Do(t, tokens["daoli"], `query($c:[AccessCheck!]!){myAccess(tenant:"230102", checks:$c)}`, map[string]any{"c": many})
		if r.Code() != "BAD_REQUEST" {
			t.Errorf("%d checks at once: %s", len(many), r.Body)
		}
	})
}

// maxChecks is the kernel's bound on one myAccess question.
const maxChecks = 100

func TestSeparationOfDuties(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		apply := `mutation($y:String!){applyResources(yaml:$y){op}}`
		// Nobody holds audit:write, so nobody can grant it through the API; the kernel
		// itself writes this role, to check bindings that would combine the duties.
		auditRole, err := resource.Decode([]byte("apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: audit-keeper}\nspec: {permissions: [{resources: [audit], actions: [read, write]}]}\n"))
		if err != nil {
			t.Fatal(err)
		}
		// Reading the audit trail is no conflict (only the kernel could write this role:
		// nobody holds both to grant them).
		reader, err := resource.Decode([]byte("apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: sec-reader}\nspec: {permissions: [{resources: [RoleBinding], actions: [write]}, {resources: [audit], actions: [read]}]}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.K.Resources().Apply(context.Background(), "system", append(auditRole, reader...), resource.ApplyOptions{}); err != nil {
			t.Fatalf("audit roles: %v", err)
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "no role may both manage permissions and change the audit trail", as: "admin", query: apply,
				vars: map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: both}\nspec: {permissions: [{resources: [RoleBinding], actions: [write]}, {resources: [audit], actions: [write]}]}\n"},
				code: "FORBIDDEN", contains: []string{"separation of duties", "RoleBinding:write", "audit:write"}},
			{name: "nor an all-powerful role", as: "admin", query: apply,
				vars: map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: god}\nspec: {permissions: [{resources: [\"*\"], actions: [\"*\"]}, {resources: [audit], actions: [\"*\"]}]}\n"},
				code: "FORBIDDEN", contains: []string{"separation of duties"}},
			{name: "a wildcard does not reach the audit trail", as: "admin", query: apply,
				vars:     map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: all-but-audit}\nspec: {permissions: [{resources: [\"*\"], actions: [\"*\"]}]}\n"},
				contains: []string{`"op":"created"`}},
			{name: "the auditor writes no roles", as: "auditor", query: apply,
				vars: map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: audit-reader}\nspec: {permissions: [{resources: [audit], actions: [read]}]}\n"},
				code: "FORBIDDEN"},
			{name: "nor a user through two roles", as: "admin", query: apply,
				vars: map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230102\", name: sec-audit}\nspec: {role: audit-keeper, subjects: [{kind: User, name: sec}]}\n"},
				code: "FORBIDDEN", contains: []string{"user sec"}},
		})
	})
}

// TestOIDCIsMounted: the sign-in routes answer through the kernel (the flow itself is
// tested against a real provider in core/oidc).
func TestOIDCIsMounted(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	res, err := http.Get(s.URL + "/auth/oidc/230000/nobody/login")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "NOT_FOUND") {
		t.Fatalf("unknown provider: %d %s", res.StatusCode, b)
	}
}
