package kernel_test

import (
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const maskingFixture = `
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230000", name: user-reader}
spec:
  permissions:
    - {resources: [users], actions: [read]}
---
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230000", name: user-unmasker}
spec:
  permissions:
    - {resources: [users], actions: [read, unmask]}
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230102", name: county-officer}
spec: {role: user-reader, subjects: [{kind: User, name: officer}]}
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230100", name: city-auditor}
spec: {role: user-unmasker, subjects: [{kind: User, name: auditor}]}
`

// TestUsersAreFilteredAndMasked: a county officer lists only the users of their
// county (filtered in SQL) and sees resident IDs and phones masked; a city
// official allowed to unmask sees them in the clear; a Classification resource
// changes the mask below the tenant that defines it.
func TestUsersAreFilteredAndMasked(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		for _, u := range []struct{ name, home, phone, id string }{
			{"officer", "230102", "", ""}, {"auditor", "230100", "", ""},
			{"zhang", "230102001", "13812345678", "11010519491231002X"},
			{"li", "230103", "13987654321", "440524188001010014"},
		} {
			s.MustDo(t, admin, `mutation($u:String!,$h:String!,$p:String,$i:String){createUser(input:{username:$u,password:"password-123",homeTenant:$h,phone:$p,idNumber:$i}){id}}`,
				map[string]any{"u": u.name, "h": u.home, "p": u.phone, "i": u.id})
		}
		if r := s.Apply(t, admin, maskingFixture); len(r.Errors) > 0 {
			t.Fatalf("fixture: %s", r.Body)
		}
		tokens := map[string]string{"admin": admin, "officer": s.Login(t, "officer", "password-123"), "auditor": s.Login(t, "auditor", "password-123")}
		list := `{users(first:100){totalCount nodes{username phone idNumber}}}`
		runScenarios(t, s, tokens, []scenario{
			{name: "county officer: own county only, masked", as: "officer", query: list,
				contains:   []string{`"totalCount":2`, `"idNumber":"1101**********002X"`, `"phone":"138****5678"`, `"username":"zhang"`},
				notContain: []string{"li", "auditor", "11010519491231002X", "13812345678"}},
			{name: "city official with unmask: in the clear", as: "auditor", query: list,
				contains: []string{`"idNumber":"11010519491231002X"`, `"idNumber":"440524188001010014"`, `"phone":"13987654321"`}},
			{name: "invalid resident ID refused with its rule", as: "admin",
				query: `mutation{createUser(input:{username:"bad",password:"password-123",homeTenant:"230102",idNumber:"110105194912310021",phone:"1234"}){id}}`,
				code:  "VALIDATION_FAILED", contains: []string{"idNumber", "check character", "phone"}},
			{name: "unknown home tenant refused", as: "admin",
				query: `mutation{createUser(input:{username:"nohome",password:"password-123",homeTenant:"239999"}){id}}`,
				code:  "VALIDATION_FAILED", contains: []string{"homeTenant"}},
		})
		classification := "apiVersion: gdbos.io/v1\nkind: Classification\nmetadata: {tenant: \"230102\", name: User}\nspec:\n  fields:\n    phone: {level: personal, mask: {redact: true}}\n    idNumber: {level: personal, mask: {keepFirst: 6, keepLast: 0, replace: \"#\"}}\n"
		if r := s.Apply(t, admin, classification); len(r.Errors) > 0 {
			t.Fatalf("classification: %s", r.Body)
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "a classification changes the masks below its tenant", as: "officer", query: list,
				contains: []string{`"idNumber":"110105############"`, `"phone":"***********"`}},
			{name: "a classification with contradicting rules is refused", as: "admin",
				query: `mutation($y:String!){applyResources(yaml:$y){op}}`,
				vars:  map[string]any{"y": "apiVersion: gdbos.io/v1\nkind: Classification\nmetadata: {tenant: \"230100\", name: User}\nspec: {fields: {phone: {level: personal, mask: {hash: true, redact: true}}}}\n"},
				code:  "VALIDATION_FAILED", contains: []string{"/spec/fields/phone/mask"}},
		})
	})
}
