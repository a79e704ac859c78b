package kernel_test

import (
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestDataElements lists the data elements in force at a tenant, which the console's
// entity designer offers and types fields by: the shipped ones with the type a field
// naming them takes, a province's own, a county's only at and below the county, and
// only to callers who may read data elements there.
func TestDataElements(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		tokens := fixture(t, s)
		admin := tokens["admin"]
		s.MustDo(t, admin, `mutation{createUser(input:{username:"std.reader",password:"password-123",homeTenant:"230102"}){id}}`, nil)
		if r := s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230000", name: licenceNumber}
spec: {code: HL0001, name: 许可证编号, type: string, pattern: 'JY[0-9]{14}', classification: internal}
---
apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230102", name: stallCount}
spec: {code: DL0001, name: 摊位数, type: integer, minimum: 0}
---
apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230102", name: registeredCapital}
spec: {maximum: 100000}
---
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230102", name: std-reader}
spec: {permissions: [{resources: [DataElement], actions: [read]}]}
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230102", name: std-reader}
spec: {role: std-reader, subjects: [{kind: User, name: std.reader}]}
`); len(r.Errors) > 0 {
			t.Fatalf("apply: %s", r.Body)
		}
		tokens["reader"] = s.Login(t, "std.reader", "password-123")
		q := func(tenant string) string {
			return `{dataElements(tenant:"` + tenant + `"){name code title type fieldType classification shipped tenant}}`
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "shipped elements and their field types", as: "admin", query: q("230000"),
				contains: []string{
					`{"classification":"public","code":"DE0001","fieldType":"string","name":"uscc","shipped":true,"tenant":null,"title":"统一社会信用代码","type":"string"}`,
					`"fieldType":"decimal","name":"registeredCapital","shipped":true,"tenant":null`,
					`{"classification":"internal","code":"HL0001","fieldType":"string","name":"licenceNumber","shipped":false,"tenant":"230000","title":"许可证编号","type":"string"}`,
				},
				notContain: []string{"stallCount"}},
			{name: "a county sees its own and those above, a layer over a shipped one named", as: "admin", query: q("230102"),
				contains: []string{
					`"fieldType":"integer","name":"stallCount","shipped":false,"tenant":"230102"`,
					`"name":"licenceNumber","shipped":false,"tenant":"230000"`,
					`"fieldType":"decimal","name":"registeredCapital","shipped":true,"tenant":"230102"`,
				}},
			{name: "the rules in force, layers applied", as: "admin", query: `{dataElements(tenant:"230102"){name spec}}`,
				contains: []string{`{"name":"registeredCapital","spec":{"classification":"public","code":"DE0010","maximum":100000,"minimum":0,"name":"注册资本","scale":6,"type":"decimal","unit":"万元"}}`}},
			{name: "the province's rules", as: "admin", query: `{dataElements(tenant:"230000"){name spec}}`,
				contains: []string{`{"name":"registeredCapital","spec":{"classification":"public","code":"DE0010","minimum":0,"name":"注册资本","scale":6,"type":"decimal","unit":"万元"}}`}},
			{name: "a sibling does not see the county's", as: "admin", query: q("230103"), notContain: []string{"stallCount"}, contains: []string{`"name":"uscc"`}},
			{name: "a reader at the county", as: "reader", query: q("230102"), contains: []string{`"name":"stallCount"`}},
			{name: "the reader's parent is not theirs", as: "reader", query: q("230100"), code: "FORBIDDEN"},
			{name: "a tenant viewer may not read data elements", as: "daoli", query: q("230102"), code: "FORBIDDEN"},
			{name: "no such tenant: refused like validateValue", as: "admin", query: q("999999"), code: "FORBIDDEN"},
			{name: "signed in only", query: q("230000"), code: "UNAUTHENTICATED"},
		})
	})
}
