package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestDataLimits: a city caps depth, page size and cost of its data API; a role gets
// more; a county cannot raise a locked cap.
func TestDataLimits(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{DemoEntities: true}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		limits := `apiVersion: gdbos.io/v1
kind: DataLimits
metadata: {tenant: "230100", name: default}
spec:
  maxDepth: 5
  maxPageSize: 100
  maxCost: 1000
  roles: [{role: analyst, maxCost: 50000, maxPageSize: 500}]
locks: [/maxCost]
`
		rbac := "---\napiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: analyst}\nspec: {permissions: [{resources: [Enterprise, Person, Licence], actions: [read]}]}\n" +
			"---\napiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230100\", name: analysts}\nspec: {role: analyst, subjects: [{kind: User, name: ana}]}\n"
		s.MustDo(t, admin, `mutation{createUser(input:{username:"ana",password:"password-123",homeTenant:"230100"}){id}}`, nil)
		if r := s.Apply(t, admin, limits+rbac); len(r.Errors) > 0 {
			t.Fatalf("apply: %s", r.Body)
		}
		ana := s.Login(t, "ana", "password-123")
		costly := `{enterprises(first:100){nodes{licences(first:50){nodes{number}}}}}` // 100 + 100×50 = 5,100
		for _, c := range []struct {
			name, tenant, token, query, want string
		}{
			{"page above the cap", "230102", admin, `{enterprises(first:200){totalCount}}`, `/enterprises/first`},
			{"page within", "230102", admin, `{enterprises(first:100){totalCount}}`, `"totalCount":0`},
			{"cost above the cap", "230102", admin, costly, "may return 5100 records; at most 1000"},
			{"too deep", "230102", admin, `{persons{nodes{representedEnterprises{nodes{licences{nodes{holder{legalRepresentative{name}}}}}}}}}`, "levels deep; at most 5"},
			{"a role gets more", "230102", ana, costly, `"enterprises"`},
			{"elsewhere the defaults", "230200", admin, `{enterprises(first:200){totalCount}}`, `"totalCount":0`},
			{"variables count", "230102", admin, `query($n:Int){enterprises(first:$n){totalCount}}`, "/enterprises/first"},
		} {
			t.Run(c.name, func(t *testing.T) {
				vars := map[string]any{"n": 300}
				if r := s.Data(t, c.tenant, c.token, c.query, vars); !strings.Contains(r.Body, c.want) {
					t.Fatalf("answer lacks %s: %s", c.want, r.Body)
				}
			})
		}
		raise := strings.NewReplacer(`tenant: "230100"`, `tenant: "230102"`, "maxCost: 1000", "maxCost: 9000", "locks: [/maxCost]\n", "").Replace(limits)
		if r := s.Apply(t, admin, raise); r.Code() != "LOCKED" {
			t.Fatalf("a county raises a locked cap: %s", r.Body)
		}
		if r := s.Apply(t, admin, strings.Replace(limits, "name: default", "name: other", 1)); r.Code() != "VALIDATION_FAILED" {
			t.Fatalf("a second DataLimits: %s", r.Body)
		}
	})
}
