package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const validateQuery = `query($t:String!,$e:String!,$v:DataValue!){validateValue(tenant:$t,element:$e,value:$v){ok problems{path rule message}}}`

// TestDataStandards applies a code table and a data element through the API, tries
// values against them and against shipped elements, and has bad resources refused
// with every path.
func TestDataStandards(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		tokens := map[string]string{"admin": admin}
		table := `apiVersion: gdbos.io/v1
kind: CodeTable
metadata: {tenant: "230000", name: licence-kinds}
spec:
  title: 许可证种类
  version: "2024"
  codes:
    "A": {name: 食品经营}
    "A1": {name: 预包装食品销售, parent: "A", retired: true, successor: "A2"}
    "A2": {name: 食品销售, parent: "A", validFrom: "2020-01-01"}
    "B": {name: 药品经营, validFrom: "2999-01-01"}
`
		element := `apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230000", name: licenceKind}
spec: {code: HL0001, name: 许可证种类, type: code, codeTable: licence-kinds, classification: public}
---
apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230000", name: licenceNumber}
spec: {name: 许可证编号, type: string, pattern: 'JY[0-9]{14}', minLength: 16, maxLength: 16}
`
		if r := s.Apply(t, admin, table); len(r.Errors) > 0 {
			t.Fatalf("code table: %s", r.Body)
		}
		if r := s.Apply(t, admin, element); len(r.Errors) > 0 {
			t.Fatalf("data elements: %s", r.Body)
		}
		check := func(tenant, element string, value any) map[string]any {
			return map[string]any{"t": tenant, "e": element, "v": value}
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "a valid code", as: "admin", query: validateQuery, vars: check("230100", "licenceKind", "A2"), contains: []string{`"ok":true`}},
			{name: "a retired code names its successor", as: "admin", query: validateQuery, vars: check("230100", "licenceKind", "A1"),
				contains: []string{`"ok":false`, `"rule":"codeTable"`, "A1 (预包装食品销售) is retired; use its successor A2 (食品销售)"}},
			{name: "a code not yet valid", as: "admin", query: validateQuery, vars: check("230000", "licenceKind", "B"), contains: []string{"valid only from 2999-01-01"}},
			{name: "an unknown code", as: "admin", query: validateQuery, vars: check("230000", "licenceKind", "Z"), contains: []string{"Z is not a code of the code table licence-kinds (许可证种类)"}},
			{name: "every broken rule", as: "admin", query: validateQuery, vars: check("230000", "licenceNumber", "JY123"),
				contains: []string{`"rule":"minLength"`, `"rule":"pattern"`}},
			{name: "a shipped element: credit code", as: "admin", query: validateQuery, vars: check("230000", "uscc", "91350100M000100Y44"),
				contains: []string{"check character is 4, expected 3"}},
			{name: "a shipped element: valid credit code", as: "admin", query: validateQuery, vars: check("230000", "uscc", "91350100M000100Y43"), contains: []string{`"ok":true`}},
			{name: "a county code at the wrong level", as: "admin", query: validateQuery, vars: check("230000", "countyCode", "230100"),
				contains: []string{"230100 (哈尔滨市) is a city, not a county"}},
			{name: "a literal number for a decimal", as: "admin", query: `{validateValue(tenant:"230000",element:"registeredCapital",value:-1.5){ok problems{rule}}}`,
				contains: []string{`"rule":"minimum"`}},
			{name: "the element must exist", as: "admin", query: validateQuery, vars: check("230000", "nothing", "x"), code: "NOT_FOUND"},
			{name: "the tenant must exist", as: "admin", query: validateQuery, vars: check("999999", "uscc", "x"), code: "FORBIDDEN"},
			{name: "signed in only", query: validateQuery, vars: check("230000", "uscc", "x"), code: "UNAUTHENTICATED"},
			{name: "a code table as a tree", as: "admin", query: `{codeTable(tenant:"230100",name:"licence-kinds"){title count codes{code children{code}}}}`,
				contains: []string{`"count":4`, `{"children":[{"code":"A2"}],"code":"A"}`}, notContain: []string{`"B"`, `"A1"`}},
			{name: "every code, at a date", as: "admin", query: `{codeTable(tenant:"230100",name:"licence-kinds",at:"3000-01-01",all:true){codes{code valid retired successor children{code valid retired successor}}}}`,
				contains: []string{`"code":"A1","retired":true,"successor":"A2","valid":false`, `"code":"B","retired":false,"successor":"","valid":true`}},
			{name: "the shipped divisions", as: "admin", query: `{codeTable(tenant:"230000",name:"divisions"){standard codes{code children{code}}}}`,
				contains: []string{"GB/T 2260", `"code":"230000"`, `"code":"230100"`}},
			{name: "item type 20 before the city's layer (cached)", as: "admin", query: validateQuery, vars: check("230102", "itemType", "20"), contains: []string{`"ok":true`}},
			{name: "a bad date", as: "admin", query: `{codeTable(tenant:"230000",name:"divisions",at:"soon"){count}}`, code: "VALIDATION_FAILED"},
		})

		// A city retires a shipped item type with a successor; the province still accepts it.
		if r := s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: CodeTable
metadata: {tenant: "230100", name: item-types}
spec: {codes: {"20": {name: 公共服务, retired: true, successor: "21"}, "21": {name: 公共服务事项}}}
`); len(r.Errors) > 0 {
			t.Fatalf("overriding item-types: %s", r.Body)
		}
		runScenarios(t, s, tokens, []scenario{
			{name: "the city's layer, the cache emptied", as: "admin", query: validateQuery, vars: check("230102", "itemType", "20"), contains: []string{"use its successor 21 (公共服务事项)"}},
			{name: "the province's shipped table", as: "admin", query: validateQuery, vars: check("230000", "itemType", "20"), contains: []string{`"ok":true`}},
		})

		for _, c := range []struct {
			name, yaml string
			paths      []string
		}{
			{"a pattern that does not compile, a range upside down", `apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230000", name: broken}
spec: {type: integer, minimum: 10, maximum: 5, pattern: 'a(b', minLength: 3}
`, []string{"/spec/maximum", "/spec/pattern", "/spec/minLength", "the ( at character 2 is never closed"}},
			{"an unknown code table", `apiVersion: gdbos.io/v1
kind: DataElement
metadata: {tenant: "230000", name: broken}
spec: {type: code, codeTable: no-such-table}
`, []string{"/spec/codeTable", "no code table no-such-table"}},
			{"a broken hierarchy", `apiVersion: gdbos.io/v1
kind: CodeTable
metadata: {tenant: "230000", name: broken}
spec: {codes: {"1": {name: a, parent: "2"}, "2": {name: b, parent: "1"}, "3": {name: c, parent: "9", successor: "8"}, "4": {name: d, validFrom: "2020-02-30"}}}
`, []string{"/spec/codes/1/parent", "parents form a cycle: 1 → 2 → 1", "/spec/codes/3/parent", "/spec/codes/3/successor", "/spec/codes/4/validFrom"}},
		} {
			t.Run("refused: "+c.name, func(t *testing.T) {
				r := s.Apply(t, admin, c.yaml)
				if r.Code() != "VALIDATION_FAILED" {
					t.Fatalf("code %q: %s", r.Code(), r.Body)
				}
				for _, p := range c.paths {
					if !strings.Contains(r.Body, p) {
						t.Errorf("answer lacks %q: %s", p, r.Body)
					}
				}
			})
		}
	})
}
