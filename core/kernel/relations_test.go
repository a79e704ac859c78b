package kernel_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// relationSchemas publish divisions, industries and enterprises that point at
// both: an enterprise has one division (the division lists its enterprises) and
// many industries (each industry lists its enterprises).
const relationSchemas = `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230000", name: division}
spec:
  fields:
    - {name: name, type: string, required: true}
    - {name: code, type: string}
---
apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230000", name: industry}
spec:
  fields:
    - {name: name, type: string, required: true}
---
apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230000", name: enterprise}
spec:
  fields:
    - {name: name, type: string, required: true}
    - {name: employees, type: integer}
    - {name: capital, type: decimal}
    - {name: founded, type: date}
  relations:
    - {name: division, kind: manyToOne, entity: division, inverse: enterprises, required: true}
    - {name: industries, kind: manyToMany, entity: industry, inverse: enterprises}
`

// TestEntityRelations publishes related entities and checks nested reads in both
// directions, that each nesting level costs one statement whatever the number of
// parents, that nesting never shows a reader what lists would not, relation
// filters, aggregates with groupBy, reference checks on writes and deletes, and that
// bad relations are refused with their paths.
func TestEntityRelations(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		if r := s.Apply(t, admin, relationSchemas); len(r.Errors) > 0 {
			t.Fatalf("publish: %s", r.Body)
		}
		must := func(r kerneltest.Response) kerneltest.Response {
			t.Helper()
			if len(r.Errors) > 0 {
				t.Fatalf("request failed: %s", r.Body)
			}
			return r
		}
		id := func(r kerneltest.Response, field string) string {
			return r.Data[field].(map[string]any)["id"].(string)
		}
		// Eight divisions: six in Harbin's districts, two in Qiqihar.
		type div struct{ tenant, name string }
		divs := []div{{"230102", "道里区"}, {"230103", "南岗区"}, {"230104", "道外区"}, {"230108", "平房区"}, {"230109", "松北区"}, {"230110", "香坊区"}, {"230200", "龙沙区"}, {"230200", "建华区"}}
		divIDs := map[string]string{}
		for _, d := range divs {
			r := must(s.Data(t, "230000", admin, `mutation($i:DivisionInput!,$t:String){createDivision(input:$i,tenant:$t){id}}`,
				map[string]any{"i": map[string]any{"name": d.name}, "t": d.tenant}))
			divIDs[d.name] = id(r, "createDivision")
		}
		indIDs := map[string]string{}
		for _, n := range []string{"制造业", "软件业", "餐饮业"} {
			r := must(s.Data(t, "230000", admin, `mutation($n:String!){createIndustry(input:{name:$n}){id}}`, map[string]any{"n": n}))
			indIDs[n] = id(r, "createIndustry")
		}
		// Three enterprises in each division, at the division's tenant.
		create := `mutation($i:EnterpriseInput!,$t:String){createEnterprise(input:$i,tenant:$t){id division{name} industries{totalCount nodes{name}}}}`
		for i, d := range divs {
			for j := range 3 {
				in := map[string]any{"name": fmt.Sprintf("%s企业%d", d.name, j), "employees": 10 * (j + 1), "capital": 1.5 * float64(j+1),
					"division": divIDs[d.name], "industries": map[string]any{"link": []any{indIDs[[]string{"制造业", "软件业", "餐饮业"}[(i+j)%3]]}}}
				r := must(s.Data(t, "230000", admin, create, map[string]any{"i": in, "t": d.tenant}))
				if i == 0 && j == 0 && (!strings.Contains(r.Body, `"division":{"name":"道里区"}`) || !strings.Contains(r.Body, `"totalCount":1`)) {
					t.Fatalf("create answers with relations: %s", r.Body)
				}
			}
		}

		// References are checked on writes; a referred record is not deleted.
		bad := s.Data(t, "230000", admin, create, map[string]any{"i": map[string]any{"name": "x", "division": "999999",
			"industries": map[string]any{"link": []any{indIDs["制造业"], "888888"}}}})
		for _, want := range []string{"VALIDATION_FAILED", "/input/division", "/input/industries/link/1"} {
			if !strings.Contains(bad.Body, want) {
				t.Errorf("dangling references: answer lacks %s: %s", want, bad.Body)
			}
		}
		if r := s.Data(t, "230000", admin, create, map[string]any{"i": map[string]any{"name": "x"}}); r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "/input/division") {
			t.Fatalf("a required relation: %s", r.Body)
		}
		del := s.Data(t, "230000", admin, `mutation($id:ID!){deleteDivision(id:$id)}`, map[string]any{"id": divIDs["道里区"]})
		if del.Code() != "CONFLICT" || !strings.Contains(del.Body, "3 enterprise (division)") {
			t.Fatalf("deleting a referred division: %s", del.Body)
		}

		// Both directions.
		up := must(s.Data(t, "230000", admin, `{enterprises(first:2,orderBy:[{field:id}]){nodes{name division{name enterprises(first:1){totalCount}}}}}`, nil))
		if strings.Count(up.Body, `"division":{"enterprises":{"totalCount":3},"name":"道里区"}`) != 2 {
			t.Fatalf("enterprise → division: %s", up.Body)
		}
		down := must(s.Data(t, "230000", admin, `{divisions(first:1,orderBy:[{field:id}]){nodes{name enterprises(first:2,orderBy:[{field:employees,desc:true}]){totalCount pageInfo{hasNextPage} nodes{name employees}}}}}`, nil))
		if !strings.Contains(down.Body, `"totalCount":3`) || !strings.Contains(down.Body, `"hasNextPage":true`) || !strings.Contains(down.Body, "道里区企业2") || strings.Contains(down.Body, "道里区企业0") {
			t.Fatalf("division → enterprises: %s", down.Body)
		}

		// Statements per request do not grow with the parents: one per level.
		nested := `query($n:Int!){divisions(first:$n,orderBy:[{field:id}]){nodes{name enterprises(first:20){nodes{name division{name} industries{nodes{name enterprises(first:2){totalCount}}}}}}}}`
		statements := func(n int) uint64 {
			before := s.K.Entities().Statements()
			r := must(s.Data(t, "230000", admin, nested, map[string]any{"n": n}))
			if n == 8 && strings.Count(r.Body, `"industries"`) != 24 {
				t.Fatalf("nested read: %s", r.Body)
			}
			return s.K.Entities().Statements() - before
		}
		one, all := statements(1), statements(8)
		if one != all || all > 5 {
			t.Fatalf("statements: %d for one division, %d for eight; want the same, at most 5 (one per level)", one, all)
		}
		t.Logf("a 5-level nested read ran %d statements for 1 and for 8 divisions (24 enterprises)", all)

		// A reader of Harbin never sees Qiqihar's records through nesting.
		s.MustDo(t, admin, `mutation{createUser(input:{username:"harbin.viewer",password:"password-123",homeTenant:"230100"}){id}}`, nil)
		rbac := "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: registry-reader}\nspec: {permissions: [{resources: [Enterprise, Division, Industry], actions: [read]}]}\n---\n" +
			"apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230100\", name: harbin-viewer}\nspec: {role: registry-reader, subjects: [{kind: User, name: harbin.viewer}]}\n"
		if r := s.Apply(t, admin, rbac); len(r.Errors) > 0 {
			t.Fatalf("rbac: %s", r.Body)
		}
		// Industries are recorded at the province: a Harbin reader sees none of
		// them, so reads go through enterprises, which name their industries.
		viewer := s.Login(t, "harbin.viewer", "password-123")
		// An enterprise in Harbin placed in a Qiqihar division.
		must(s.Data(t, "230000", admin, create, map[string]any{"i": map[string]any{"name": "跨市企业", "division": divIDs["龙沙区"]}, "t": "230102"}))
		v := must(s.Data(t, "230000", viewer, `{enterprises(first:100){totalCount nodes{name division{name enterprises(first:100){totalCount nodes{name}}}}}}`, nil))
		if !strings.Contains(v.Body, `"totalCount":19`) || strings.Contains(v.Body, "龙沙区") || strings.Contains(v.Body, "建华区") || !strings.Contains(v.Body, `{"division":null,"name":"跨市企业"}`) {
			t.Fatalf("reader's nested view: %s", v.Body)
		}
		if r := must(s.Data(t, "230000", admin, `{divisions(filter:{name:{eq:"龙沙区"}}){nodes{enterprises{totalCount}}}}`, nil)); !strings.Contains(r.Body, `"totalCount":4`) {
			t.Fatalf("the admin sees the cross-city enterprise: %s", r.Body)
		}

		// Filters on related records.
		f := must(s.Data(t, "230000", admin, `{enterprises(filter:{division:{name:{eq:"道里区"}}}){totalCount}}`, nil))
		if !strings.Contains(f.Body, `"totalCount":3`) {
			t.Fatalf("manyToOne filter: %s", f.Body)
		}
		f = must(s.Data(t, "230000", admin, `{divisions(filter:{enterprises:{some:{employees:{gte:30}}, none:{name:{eq:"跨市企业"}}}}){totalCount}}`, nil))
		if !strings.Contains(f.Body, `"totalCount":7`) {
			t.Fatalf("some and none: %s", f.Body)
		}
		f = must(s.Data(t, "230000", admin, `{industries(filter:{enterprises:{some:{division:{name:{eq:"道里区"}}}}}){totalCount}}`, nil))
		if !strings.Contains(f.Body, `"totalCount":3`) {
			t.Fatalf("manyToMany filter through a manyToOne: %s", f.Body)
		}
		if r := must(s.Data(t, "230000", viewer, `{enterprises(filter:{division:{name:{eq:"龙沙区"}}}){totalCount}}`, nil)); !strings.Contains(r.Body, `"totalCount":0`) {
			t.Fatalf("a filter on records the reader cannot see: %s", r.Body)
		}

		// Aggregates.
		a := must(s.Data(t, "230000", admin, `{enterpriseAggregate(groupBy:[division],filter:{division:{name:{in:["道里区","南岗区"]}}}){groups{key{division} count sum{employees capital} avg{employees} min{employees} max{employees}}}}`, nil))
		if strings.Count(a.Body, `"count":3`) != 2 || !strings.Contains(a.Body, `"employees":60`) || !strings.Contains(a.Body, `"employees":20`) || !strings.Contains(a.Body, `"capital":9`) || !strings.Contains(a.Body, `"division":"`+divIDs["道里区"]+`"`) {
			t.Fatalf("aggregate by division: %s", a.Body)
		}
		if r := must(s.Data(t, "230000", viewer, `{enterpriseAggregate(groupBy:[tenant]){groups{key{tenant} count}}}`, nil)); strings.Contains(r.Body, "230200") || !strings.Contains(r.Body, `{"count":4,"key":{"tenant":"230102"}}`) || strings.Count(r.Body, `"count":3`) != 5 {
			t.Fatalf("the reader's aggregate: %s", r.Body)
		}
		if r := must(s.Data(t, "230000", admin, `{enterpriseAggregate{groups{count}}}`, nil)); !strings.Contains(r.Body, `"count":25`) {
			t.Fatalf("aggregate without groups: %s", r.Body)
		}

		// Unlinking, and a division with no enterprises left deletes.
		e := must(s.Data(t, "230000", admin, `{enterprises(filter:{name:{eq:"道里区企业0"}}){nodes{id industries{nodes{id}}}}}`, nil))
		node := e.Data["enterprises"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
		ind := node["industries"].(map[string]any)["nodes"].([]any)[0].(map[string]any)["id"]
		u := must(s.Data(t, "230000", admin, `mutation($id:ID!,$i:EnterpriseInput!){updateEnterprise(id:$id,input:$i){industries{totalCount}}}`,
			map[string]any{"id": node["id"], "i": map[string]any{"industries": map[string]any{"unlink": []any{ind}}}}))
		if !strings.Contains(u.Body, `"totalCount":0`) {
			t.Fatalf("unlink: %s", u.Body)
		}

		// Bad relations are refused with their paths.
		badSchema := `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230100", name: permit}
spec:
  fields:
    - {name: name, type: string}
  relations:
    - {name: holder, kind: manyToOne, entity: nosuch}
    - {name: kind, kind: sideways, entity: division}
    - {name: issuer, kind: manyToOne, entity: division, inverse: name}
    - {name: owners, kind: oneToMany, entity: enterprise, inverse: division}
    - {name: name, kind: manyToMany, entity: industry}
`
		br := s.Apply(t, admin, badSchema)
		if br.Code() != "VALIDATION_FAILED" || !strings.Contains(br.Body, "/spec/relations/1/kind") {
			t.Errorf("an unknown kind: %s", br.Body)
		}
		br = s.Apply(t, admin, strings.Replace(badSchema, "    - {name: kind, kind: sideways, entity: division}\n", "", 1))
		if br.Code() != "VALIDATION_FAILED" || !strings.Contains(br.Body, "/spec/relations/3/name") || !strings.Contains(br.Body, "defined twice") {
			t.Errorf("a relation named like a field: %s", br.Body)
		}
		badTargets := strings.Replace(strings.Replace(badSchema, "    - {name: kind, kind: sideways, entity: division}\n", "", 1), "    - {name: name, kind: manyToMany, entity: industry}\n", "", 1)
		br = s.Apply(t, admin, badTargets)
		for _, want := range []string{"VALIDATION_FAILED", "/spec/relations/0/entity", "/spec/relations/1/inverse", "/spec/relations/2/inverse"} {
			if !strings.Contains(br.Body, want) {
				t.Errorf("bad targets: answer lacks %s: %s", want, br.Body)
			}
		}
		local := "apiVersion: gdbos.io/v1\nkind: EntitySchema\nmetadata: {tenant: \"230200\", name: plant}\nspec:\n  fields: [{name: name, type: string}]\n---\n" +
			"apiVersion: gdbos.io/v1\nkind: EntitySchema\nmetadata: {tenant: \"230100\", name: permit}\nspec:\n  fields: [{name: name, type: string}]\n  relations: [{name: plant, kind: manyToOne, entity: plant}]\n"
		if r := s.Apply(t, admin, local); r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "/spec/relations/0/entity") || !strings.Contains(r.Body, "does not include this tenant") {
			t.Fatalf("a relation to an entity not seen here: %s", r.Body)
		}
		dropped := strings.Replace(relationSchemas, "    - {name: industries, kind: manyToMany, entity: industry, inverse: enterprises}\n", "", 1)
		if r := s.Apply(t, admin, dropped); r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, `relation \"industries\" is dropped`) {
			t.Fatalf("dropping a relation: %s", r.Body)
		}
	})
}
