package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const applyMutation = `mutation($y:String!){applyResources(yaml:$y){op}}`

// TestSuperadminRetires: the bootstrap superadmin can only appoint the system,
// security and audit administrators; once they exist it is disabled; two of the
// three bring it back.
func TestSuperadminRetires(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Superadmin(t)
		bindings := ""
		for _, u := range []struct{ name, role string }{{"sys", "system-admin"}, {"sec", "security-admin"}, {"aud", "audit-admin"}} {
			s.MustDo(t, admin, `mutation($u:String!){createUser(input:{username:$u,password:"password-123",homeTenant:"230000"}){id}}`, map[string]any{"u": u.name})
			bindings += "---\napiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230000\", name: " + u.name + "}\nspec: {role: " + u.role + ", subjects: [{kind: User, name: " + u.name + "}]}\n"
		}
		tokens := map[string]string{"admin": admin}
		for _, u := range []string{"sys", "sec", "aud"} {
			tokens[u] = s.Login(t, u, "password-123")
		}
		role := func(name, perms string) string {
			return "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: " + name + "}\nspec: {permissions: [" + perms + "]}\n"
		}
		binding := func(tenant, name, role, user string) string {
			return "apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"" + tenant + "\", name: " + name + "}\nspec: {role: " + role + ", subjects: [{kind: User, name: " + user + "}]}\n"
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "the built-in roles exist", as: "admin", query: `{roles(tenant:"230000"){nodes{name}}}`,
				contains: []string{"system-admin", "security-admin", "audit-admin"}},
			{name: "nobody else may approve", as: "sys", query: `mutation{approveSuperadmin}`, code: "FORBIDDEN"},
			{name: "the superadmin reads the tenant tree", as: "admin", query: `{tenants(first:1){nodes{code}}}`, contains: []string{"230000"}},
			{name: "but writes no role", as: "admin", query: applyMutation, vars: map[string]any{"y": role("everything", "{resources: ['*'], actions: ['*']}")}, code: "FORBIDDEN"},
			{name: "appoints only at a root tenant", as: "admin", query: applyMutation, vars: map[string]any{"y": binding("230100", "x", "security-admin", "sys")}, code: "FORBIDDEN",
				contains: []string{"only bind the system-admin, security-admin and audit-admin roles of a root tenant"}},
			{name: "cannot bind itself", as: "admin", query: applyMutation, vars: map[string]any{"y": binding("230000", "x", "security-admin", "admin")}, code: "VALIDATION_FAILED",
				contains: []string{"holds no roles"}},
			{name: "reads no audit log", as: "admin", query: `{auditVerify{ok}}`, code: "FORBIDDEN", contains: []string{"bootstrap superadmin may only"}},
			{name: "creates no tenant", as: "admin", query: `mutation{createTenant(input:{code:"230199",name:"x",parent:"230100"}){code}}`, code: "FORBIDDEN"},
		})
		if r := s.Apply(t, admin, binding("230000", "twice", "security-admin", "sys")+"---\n"+binding("230000", "sys2", "system-admin", "sys")); r.Code() != "FORBIDDEN" ||
			!strings.Contains(r.Body, "three different people") {
			t.Fatalf("one person, two duties: %s", r.Body)
		}
		if r := s.Apply(t, admin, bindings); len(r.Errors) > 0 {
			t.Fatalf("bindings: %s", r.Body)
		}
		tokens["sys"] = s.Login(t, "sys", "password-123")
		runScenarios(t, s, tokens, []scenario{
			{name: "the superadmin is retired", as: "admin", query: `{me{username}}`, status: 401, code: "UNAUTHENTICATED"},
			{name: "and cannot sign in", query: `mutation{login(username:"admin",password:"` + kerneltest.AdminPassword + `"){token}}`, code: "UNAUTHENTICATED"},
			{name: "each administrator does their part", as: "aud", query: `{auditVerify{ok}}`, contains: []string{`"ok":true`}},
			{name: "the security administrator reads roles", as: "sec", query: `{roles(tenant:"230000"){totalCount}}`, contains: []string{`"totalCount"`}},
			{name: "the audit administrator cannot grant", as: "aud", query: `{roleBindings(tenant:"230000"){totalCount}}`, code: "FORBIDDEN"},
			{name: "one approval is not enough", as: "sys", query: `mutation{approveSuperadmin}`, contains: []string{`"approveSuperadmin":false`}},
			{name: "nor the same one twice", as: "sys", query: `mutation{approveSuperadmin}`, code: "CONFLICT"},
			{name: "a second administrator brings it back", as: "aud", query: `mutation{approveSuperadmin}`, contains: []string{`"approveSuperadmin":true`}},
		})
		s.Admin(t) // signs in again
	})
}
