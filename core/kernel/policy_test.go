package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const policyFixture = `
apiVersion: gdbos.io/v1
kind: Policy
metadata: {tenant: "230102", name: hide-disabled}
spec:
  description: 道里区 hides disabled accounts from everyone but themselves
  purpose: rows
  target: User
  module: |
    package daoli.users

    allow if not input.row.disabled
    allow if input.row.username == input.subject.user
---
apiVersion: gdbos.io/v1
kind: Policy
metadata: {tenant: "230100", name: keep-catalog-on}
spec:
  purpose: guard
  target: Module
  module: |
    package harbin.modules

    deny contains "the catalog stays on in Harbin" if {
      input.object.metadata.name == "catalog"
      input.object.spec.enabled == false
    }
`

// TestPolicies: a policy that does not compile is refused with OPA's location; a
// rows policy at a county hides rows inside the county only, for every reader and
// in SQL; a guard at the city refuses a mutation below it with its reason, even
// for the superadmin.
func TestPolicies(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		for _, u := range []struct{ name, home string }{{"officer", "230102"}, {"auditor", "230100"}, {"wang", "230102001"}, {"zhao", "230103"}} {
			s.MustDo(t, admin, `mutation($u:String!,$h:String!){createUser(input:{username:$u,password:"password-123",homeTenant:$h}){id}}`, map[string]any{"u": u.name, "h": u.home})
		}
		s.MustDo(t, admin, `mutation{a:setUserDisabled(username:"wang",disabled:true) b:setUserDisabled(username:"zhao",disabled:true)}`, nil)
		if r := s.Apply(t, admin, maskingFixture+"---\n"+policyFixture); len(r.Errors) > 0 {
			t.Fatalf("fixture: %s", r.Body)
		}
		tokens := map[string]string{"admin": admin, "audit.admin": s.Auditor(t), "officer": s.Login(t, "officer", "password-123"), "auditor": s.Login(t, "auditor", "password-123")}
		list := `{users(first:100){totalCount nodes{username}}}`
		apply := `mutation($y:String!){applyResources(yaml:$y){op}}`
		runScenarios(t, s, tokens, []scenario{
			{name: "a policy that does not compile is refused with its location", as: "admin", query: apply,
				vars: map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Policy\nmetadata: {tenant: \"230100\", name: broken}\nspec:\n  purpose: rows\n  target: User\n  module: |\n    package broken\n\n    allow if {\n"},
				code: "VALIDATION_FAILED", contains: []string{"/spec/module", "line "}},
			{name: "the county's rows policy hides its disabled users from its officer", as: "officer", query: list,
				contains: []string{`"totalCount":1`, `"officer"`}, notContain: []string{"wang"}},
			{name: "and from the city's reader, but not a disabled user elsewhere", as: "auditor", query: list,
				contains: []string{"zhao", "auditor"}, notContain: []string{"wang"}},
			{name: "a single read honours it too", as: "auditor", query: `{user(username:"wang"){username}}`, code: "FORBIDDEN"},
			{name: "and so does a write to the hidden record", as: "admin", query: `mutation{setUserDisabled(username:"wang",disabled:false)}`, code: "FORBIDDEN"},
			{name: "a guard refuses with its reason", as: "admin", query: apply,
				vars: map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: catalog}\nspec: {enabled: false}\n"},
				code: "FORBIDDEN", contains: []string{"the catalog stays on in Harbin"}},
			{name: "what the guard allows passes", as: "admin", query: apply,
				vars:     map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: catalog}\nspec: {enabled: true}\n"},
				contains: []string{`"op":"created"`}},
			{name: "the guard's refusal is audited", as: "audit.admin", query: `{auditEntries(action:"policy.denied"){totalCount}}`,
				contains: []string{`"totalCount":1`}},
		})
		if r := s.Do(t, admin, list, nil); strings.Contains(r.Body, "wang") || !strings.Contains(r.Body, "zhao") {
			t.Fatalf("rows policies bind the superadmin too: %s", r.Body)
		}
	})
}
