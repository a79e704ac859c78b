package kernel_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestPeopleAPI: what the console's people pages need beyond users and org units —
// the providers a sign-in page offers (before signing in, without their
// configuration), display names, users of a tenant, memberships, and renaming or
// moving an org unit — each within the caller's tenants.
func TestPeopleAPI(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		admin := tokens["admin"]
		if r := s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: IdentityProvider
metadata: {tenant: "230000", name: hlj}
spec: {title: 黑龙江省统一身份认证, issuer: "https://sso.hlj.example", clientID: gdbos-console, clientSecretEnv: HLJ_SECRET, redirectURL: "https://gdbos.example/auth/oidc/callback"}
---
apiVersion: gdbos.io/v1
kind: IdentityProvider
metadata: {tenant: "230100", name: harbin}
spec: {issuer: "https://sso.harbin.example", clientID: gdbos, redirectURL: "https://gdbos.example/auth/oidc/callback"}
`); len(r.Errors) > 0 {
			t.Fatalf("identity providers: %s", r.Body)
		}
		for _, u := range []struct{ tenant, code, name, parent string }{
			{"230102", "office", "办公室", ""}, {"230102", "it", "信息科", "office"}, {"230102", "desk", "服务台", "it"}, {"230103", "office", "南岗办公室", ""},
		} {
			s.MustDo(t, admin, `mutation($t:String!,$c:String!,$n:String!,$p:String){createOrgUnit(input:{tenant:$t,code:$c,name:$n,parent:$p}){code}}`,
				map[string]any{"t": u.tenant, "c": u.code, "n": u.name, "p": u.parent})
		}
		s.MustDo(t, admin, `mutation{addMembership(username:"daoli", tenant:"230102", unit:"it", title:"科员")}`, nil)
		s.MustDo(t, tokens["daoli"], `mutation{createToken(name:"daoli-ci", scopes:["tenants:read"]){secret}}`, nil)
		// harbin may read the users of Harbin, not their tokens.
		if r := s.Apply(t, admin, "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: user-reader}\nspec: {permissions: [{resources: [users], actions: [read]}]}\n---\n"+
			"apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230100\", name: harbin-user-readers}\nspec: {role: user-reader, subjects: [{kind: User, name: harbin}]}\n"); len(r.Errors) > 0 {
			t.Fatalf("user reader: %s", r.Body)
		}
		s.MustDo(t, admin, `mutation{addMembership(username:"daoli", tenant:"230103", unit:"office", title:"借调")}`, nil)

		move := `mutation($c:String!,$n:String,$p:String){updateOrgUnit(tenant:"230102", code:$c, name:$n, parent:$p){code name parent}}`
		runScenarios(t, s, tokens, []scenario{
			{name: "anyone may list the sign-in providers, names and titles only", query: `{identityProviders{tenant name title loginPath}}`,
				contains:   []string{`{"loginPath":"/auth/oidc/230000/hlj/login","name":"hlj","tenant":"230000","title":"黑龙江省统一身份认证"}`, `"name":"harbin","tenant":"230100","title":"harbin"`},
				notContain: []string{"sso.hlj.example", "gdbos-console", "HLJ_SECRET", "callback"}},
			{name: "the provider type has no configuration to ask for", query: `{identityProviders{issuer}}`, code: "VALIDATION_FAILED"},

			{name: "users of a tenant are those homed in its subtree", as: "admin", query: `{users(tenant:"230102", first:50){nodes{username}}}`,
				contains: []string{`"daoli"`, `"sec"`}, notContain: []string{`"harbin"`, kerneltest.SecurityAdmin}},
			{name: "users of the city include its districts", as: "admin", query: `{users(tenant:"230100", first:50){nodes{username}}}`,
				contains: []string{`"daoli"`, `"harbin"`}, notContain: []string{kerneltest.AuditAdmin}},
			{name: "users of an unknown tenant", as: "admin", query: `{users(tenant:"239999"){nodes{username}}}`,
				code: "VALIDATION_FAILED", contains: []string{`"tenant"`}},
			{name: "a reader of tenants lists no users", as: "daoli", query: `{users(tenant:"230102"){nodes{username}}}`,
				notContain: []string{`"sec"`}},

			{name: "the security administrator renames a user", as: "admin", query: `mutation{updateUser(username:"daoli", displayName:" 道里 张三 "){username displayName}}`,
				contains: []string{`"displayName":"道里 张三"`}},
			{name: "the new name is kept", as: "admin", query: `{user(username:"daoli"){displayName}}`, contains: []string{`"displayName":"道里 张三"`}},
			{name: "a display name too long", as: "admin", query: `mutation($n:String!){updateUser(username:"daoli", displayName:$n){username}}`,
				vars: map[string]any{"n": strings.Repeat("名", 201)}, code: "VALIDATION_FAILED", contains: []string{`"displayName"`}},
			{name: "an unknown user", as: "admin", query: `mutation{updateUser(username:"nobody", displayName:"x"){username}}`, code: "NOT_FOUND"},
			{name: "a viewer renames nobody, themself included", as: "daoli", query: `mutation{updateUser(username:"daoli", displayName:"me"){username}}`, code: "FORBIDDEN"},
			{name: "renames are audited", as: "auditor", query: `{auditEntries(action:"user.update", first:10){nodes{actor target detail}}}`,
				contains: []string{`"actor":"` + kerneltest.SecurityAdmin + `"`, `"target":"daoli"`, "道里 张三"}},

			{name: "a user's org units", as: "admin", query: `{user(username:"daoli"){memberships{tenant unit unitName title}}}`,
				contains: []string{`{"tenant":"230102","title":"科员","unit":"it","unitName":"信息科"}`, `"unitName":"南岗办公室"`}},
			{name: "memberships stay within the tenants where the caller reads org units", as: "sec", query: `{me{memberships{unit}}}`,
				contains: []string{`"memberships":[]`}},

			{name: "a user's tokens, for whoever may read tokens there", as: "admin", query: `{user(username:"daoli"){tokens{name scopes revoked}}}`,
				contains: []string{`{"name":"daoli-ci","revoked":false,"scopes":["tenants:read"]}`}},
			{name: "one's own tokens", as: "daoli", query: `{me{tokens{name}}}`, contains: []string{`"daoli-ci"`}},
			{name: "a reader of users does not read their tokens", as: "harbin", query: `{user(username:"daoli"){username tokens{name}}}`,
				code: "FORBIDDEN", contains: []string{`"username":"daoli"`, `"tokens":null`}, notContain: []string{"daoli-ci"}},

			{name: "a viewer takes no one out of a unit", as: "daoli", query: `mutation{removeMembership(username:"daoli", tenant:"230102", unit:"it")}`, code: "FORBIDDEN"},
			{name: "take daoli out of the other district's office", as: "admin", query: `mutation{removeMembership(username:"daoli", tenant:"230103", unit:"office")}`,
				contains: []string{`"removeMembership":true`}},
			{name: "out once only", as: "admin", query: `mutation{removeMembership(username:"daoli", tenant:"230103", unit:"office")}`, code: "NOT_FOUND"},
			{name: "the other membership stays", as: "admin", query: `{user(username:"daoli"){memberships{tenant unit}}}`,
				contains: []string{`"memberships":[{"tenant":"230102","unit":"it"}]`}},

			{name: "rename an org unit", as: "admin", query: move, vars: map[string]any{"c": "it", "n": "信息化科"},
				contains: []string{`{"code":"it","name":"信息化科","parent":"office"}`}},
			{name: "move an org unit to the top", as: "admin", query: move, vars: map[string]any{"c": "it", "p": ""},
				contains: []string{`"parent":null`}},
			{name: "move back under office, then to the top with its name", as: "admin", query: move, vars: map[string]any{"c": "it", "p": "office"},
				contains: []string{`"parent":"office"`}},
			{name: "to the top with its name", as: "admin", query: move, vars: map[string]any{"c": "it", "n": "信息化科", "p": ""},
				contains: []string{`"parent":null`}},
			{name: "at the top it stays", as: "admin", query: `{orgUnits(tenant:"230102"){nodes{code parent}}}`,
				contains: []string{`{"code":"it","parent":null}`}},
			{name: "move it back under another unit", as: "admin", query: move, vars: map[string]any{"c": "it", "p": "office"},
				contains: []string{`"parent":"office"`, `"name":"信息化科"`}},
			{name: "a unit cannot move under its own descendant", as: "admin", query: move, vars: map[string]any{"c": "office", "p": "desk"},
				code: "VALIDATION_FAILED", contains: []string{`"parent"`, "own descendant"}},
			{name: "nor under itself", as: "admin", query: move, vars: map[string]any{"c": "office", "p": "office"},
				code: "VALIDATION_FAILED", contains: []string{`"parent"`}},
			{name: "nor under a unit of another tenant", as: "admin", query: move, vars: map[string]any{"c": "desk", "p": "nope"},
				code: "VALIDATION_FAILED", contains: []string{"no org unit"}},
			{name: "an empty name", as: "admin", query: move, vars: map[string]any{"c": "desk", "n": " "},
				code: "VALIDATION_FAILED", contains: []string{`"name"`}},
			{name: "an unknown unit", as: "admin", query: move, vars: map[string]any{"c": "ghost", "n": "x"}, code: "NOT_FOUND"},
			{name: "a viewer moves nothing", as: "daoli", query: move, vars: map[string]any{"c": "desk", "p": ""}, code: "FORBIDDEN"},
			{name: "nor does a security officer of the district without org units", as: "sec", query: move, vars: map[string]any{"c": "desk", "p": ""}, code: "FORBIDDEN"},
			{name: "the units as they are now", as: "admin", query: `{orgUnits(tenant:"230102"){nodes{code name parent}}}`,
				contains: []string{`{"code":"desk","name":"服务台","parent":"it"}`, `{"code":"it","name":"信息化科","parent":"office"}`}},
			{name: "the other district's unit of the same code is untouched", as: "admin", query: `{orgUnits(tenant:"230103"){nodes{code name parent}}}`,
				contains: []string{`{"code":"office","name":"南岗办公室","parent":null}`}},
			{name: "an unknown tenant", as: "admin", query: `mutation{updateOrgUnit(tenant:"239999", code:"x", name:"y"){code}}`,
				code: "VALIDATION_FAILED", contains: []string{`"tenant"`}},
			{name: "moves are audited", as: "auditor", query: `{auditEntries(action:"orgunit.update", first:10){totalCount}}`,
				contains: []string{`"totalCount":5`}},
			{name: "renaming signed out", query: `mutation{updateUser(username:"daoli", displayName:"x"){username}}`,
				status: http.StatusOK, code: "UNAUTHENTICATED"},
		})
	})
}
