package kernel_test

import (
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const enterpriseSchema = `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230000", name: enterprise}
spec:
  title: 市场主体
  fields:
    - {name: uscc, element: uscc, required: true, unique: true}
    - {name: name, element: enterpriseName, required: true}
    - {name: capital, element: registeredCapital}
    - {name: employees, type: integer, min: 0}
    - {name: founded, type: date, index: true}
    - {name: contact, element: mobile}
`

const daoliLayer = `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230102", name: enterprise}
spec:
  fields:
    - {name: street, type: string, length: 50}
`

// TestEntityDataAPI publishes an entity with YAML, extends it at a county, writes
// and reads records through each tenant's data API, and checks that every read goes
// through RBAC, the tenant subtree, rows policies and masks.
func TestEntityDataAPI(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		if r := s.Apply(t, admin, enterpriseSchema+"---\n"+daoliLayer); len(r.Errors) > 0 {
			t.Fatalf("publish: %s", r.Body)
		}
		create := `mutation($i:EnterpriseInput!,$t:String){createEnterprise(input:$i,tenant:$t){id tenant uscc name street version}}`
		d := s.Data(t, "230102", admin, create, map[string]any{"i": map[string]any{
			"uscc": "91230102MA1B2C3D46", "name": "道里科技有限公司", "capital": 120.5, "employees": 30, "founded": "2019-03-01", "contact": "13812345678", "street": "中央大街"}})
		if len(d.Errors) > 0 || !strings.Contains(d.Body, `"street":"中央大街"`) || !strings.Contains(d.Body, `"version":1`) {
			t.Fatalf("create: %s", d.Body)
		}
		createHere := `mutation($i:EnterpriseInput!,$t:String){createEnterprise(input:$i,tenant:$t){id tenant}}`
		if d := s.Data(t, "230200", admin, createHere, map[string]any{"i": map[string]any{"uscc": "91230100MA1B2C3D49", "name": "齐齐哈尔某公司", "street": "x"}}); d.Code() != "VALIDATION_FAILED" || !strings.Contains(d.Body, "street") {
			t.Fatalf("a local field elsewhere: %s", d.Body)
		}
		bad := s.Data(t, "230102", admin, create, map[string]any{"i": map[string]any{"uscc": "91230102MA1B2C3D4X", "name": "x", "employees": -1, "founded": "2019-02-30", "contact": "123"}})
		for _, want := range []string{"VALIDATION_FAILED", "/input/uscc", "/input/name", "/input/employees", "/input/founded", "/input/contact"} {
			if !strings.Contains(bad.Body, want) {
				t.Errorf("invalid record: answer lacks %s: %s", want, bad.Body)
			}
		}
		for i, n := range []string{"南岗商贸有限公司", "香坊食品有限公司"} {
			uscc := []string{"91230103MA1B2C3D5P", "91230110MA1B2C3D6Y"}[i]
			tenant := []string{"230103", "230110"}[i]
			if d := s.Data(t, "230100", admin, createHere, map[string]any{"i": map[string]any{"uscc": uscc, "name": n, "employees": 5 * (i + 1)}, "t": tenant}); len(d.Errors) > 0 {
				t.Fatalf("create %s: %s", n, d.Body)
			}
		}
		if d := s.Data(t, "230100", admin, createHere, map[string]any{"i": map[string]any{"uscc": "91230200MA1B2C3D7P", "name": "齐齐哈尔重工有限公司"}, "t": "230200"}); d.Code() != "VALIDATION_FAILED" || !strings.Contains(d.Body, "/tenant") {
			t.Fatalf("a record outside the API's tenant: %s", d.Body)
		}
		if d := s.Data(t, "230200", admin, createHere, map[string]any{"i": map[string]any{"uscc": "91230200MA1B2C3D7P", "name": "齐齐哈尔重工有限公司"}}); len(d.Errors) > 0 {
			t.Fatalf("create in 230200: %s", d.Body)
		}
		if d := s.Data(t, "230200", admin, createHere, map[string]any{"i": map[string]any{"uscc": "91230200MA1B2C3D7P", "name": "同码重工有限公司"}}); d.Code() != "CONFLICT" || !strings.Contains(d.Body, "uscc") {
			t.Fatalf("duplicate credit code: %s", d.Body)
		}
		if all := s.Data(t, "230000", admin, `{enterprises(first:10){totalCount}}`, nil); !strings.Contains(all.Body, `"totalCount":4`) {
			t.Fatalf("all: %s", all.Body)
		}

		// A reader of Harbin's enterprises, with contact numbers masked.
		s.MustDo(t, admin, `mutation{createUser(input:{username:"harbin.reader",password:"password-123",homeTenant:"230100"}){id}}`, nil)
		rbac := "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: enterprise-reader}\nspec: {permissions: [{resources: [Enterprise], actions: [read]}]}\n---\n" +
			"apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230100\", name: harbin-reader}\nspec: {role: enterprise-reader, subjects: [{kind: User, name: harbin.reader}]}\n---\n" +
			"apiVersion: gdbos.io/v1\nkind: Classification\nmetadata: {tenant: \"230000\", name: Enterprise}\nspec: {fields: {contact: {level: personal, mask: {keepFirst: 3, keepLast: 4}}}}\n"
		if r := s.Apply(t, admin, rbac); len(r.Errors) > 0 {
			t.Fatalf("rbac: %s", r.Body)
		}
		reader := s.Login(t, "harbin.reader", "password-123")
		list := `{enterprises(first:10,orderBy:[{field:uscc}]){totalCount nodes{tenant uscc contact}}}`
		r := s.Data(t, "230000", reader, list, nil)
		if !strings.Contains(r.Body, `"totalCount":3`) || strings.Contains(r.Body, "230200") || !strings.Contains(r.Body, `"contact":"138****5678"`) {
			t.Fatalf("reader at the province's API: %s", r.Body)
		}
		r = s.Data(t, "230102", reader, list, nil)
		if !strings.Contains(r.Body, `"totalCount":1`) {
			t.Fatalf("reader at the county's API: %s", r.Body)
		}
		if r := s.Data(t, "230200", reader, list, nil); !strings.Contains(r.Body, `"totalCount":0`) {
			t.Fatalf("reader elsewhere: %s", r.Body)
		}
		if r := s.Data(t, "230102", reader, create, map[string]any{"i": map[string]any{"uscc": "91230102MA1B2C3D8J", "name": "只读公司"}}); r.Code() != "FORBIDDEN" {
			t.Fatalf("reader writes: %s", r.Body)
		}
		// A field the reader sees masked cannot be read back through a filter, an
		// order or a group; the security administrator, who may unmask, can use it.
		for _, c := range []struct{ name, query, path string }{
			{"filter", `{enterprises(filter:{contact:{startsWith:"138"}}){totalCount}}`, "/filter/contact"},
			{"inside or", `{enterprises(filter:{or:[{name:{eq:"x"}},{contact:{eq:"13812345678"}}]}){totalCount}}`, "/filter/or/1/contact"},
			{"inside not", `{enterprises(filter:{not:{contact:{isNull:true}}}){totalCount}}`, "/filter/not/contact"},
			{"order", `{enterprises(orderBy:[{field:name},{field:contact,desc:true}]){totalCount}}`, "/orderBy/1/field"},
			{"group", `{enterpriseAggregate(groupBy:[contact]){groups{count}}}`, "/groupBy/0"},
			{"aggregate filter", `{enterpriseAggregate(filter:{contact:{contains:"1234"}}){groups{count}}}`, "/filter/contact"},
		} {
			r := s.Data(t, "230100", reader, c.query, nil)
			if r.Code() != "FORBIDDEN" || !strings.Contains(r.Body, `"path":"`+c.path+`"`) || strings.Contains(r.Body, `"data":{"enterprise`) {
				t.Errorf("%s on a masked field by the reader: want FORBIDDEN at %s: %s", c.name, c.path, r.Body)
			}
			if r := s.Data(t, "230100", admin, c.query, nil); len(r.Errors) > 0 {
				t.Errorf("%s on a masked field by the security administrator: %s", c.name, r.Body)
			}
		}
		if r := s.Data(t, "230100", reader, `{enterprises(filter:{name:{startsWith:"道里"}},orderBy:[{field:uscc}]){totalCount}}`, nil); !strings.Contains(r.Body, `"totalCount":1`) {
			t.Errorf("the reader filters and orders on fields it sees: %s", r.Body)
		}
		filtered := s.Data(t, "230000", admin, `{enterprises(filter:{or:[{employees:{gte:10}},{name:{startsWith:"道里"}}]},orderBy:[{field:employees,desc:true}]){totalCount nodes{name employees}}}`, nil)
		if !strings.Contains(filtered.Body, `"totalCount":2`) || strings.Index(filtered.Body, "道里") > strings.Index(filtered.Body, "香坊") {
			t.Fatalf("filter and order: %s", filtered.Body)
		}

		// Update with the version read, delete softly, restore.
		id := d.Data["createEnterprise"].(map[string]any)["id"].(string)
		upd := `mutation($id:ID!,$v:Int){updateEnterprise(id:$id,version:$v,input:{employees:31}){employees version updatedBy}}`
		if r := s.Data(t, "230102", admin, upd, map[string]any{"id": id, "v": 7}); r.Code() != "CONFLICT" {
			t.Fatalf("stale update: %s", r.Body)
		}
		if r := s.Data(t, "230102", admin, upd, map[string]any{"id": id, "v": 1}); !strings.Contains(r.Body, `"version":2`) || !strings.Contains(r.Body, `"employees":31`) {
			t.Fatalf("update: %s", r.Body)
		}
		if r := s.Data(t, "230102", reader, `mutation($id:ID!){deleteEnterprise(id:$id)}`, map[string]any{"id": id}); r.Code() != "FORBIDDEN" {
			t.Fatalf("reader deletes: %s", r.Body)
		}
		if r := s.Data(t, "230200", admin, `mutation($id:ID!){deleteEnterprise(id:$id)}`, map[string]any{"id": id}); r.Code() != "NOT_FOUND" {
			t.Fatalf("delete through another city's API: %s", r.Body)
		}
		if r := s.Data(t, "230102", admin, `mutation($id:ID!){deleteEnterprise(id:$id)}`, map[string]any{"id": id}); len(r.Errors) > 0 {
			t.Fatalf("delete: %s", r.Body)
		}
		if r := s.Data(t, "230102", admin, `query($id:ID!){enterprise(id:$id){id}}`, map[string]any{"id": id}); r.Code() != "NOT_FOUND" {
			t.Fatalf("a deleted record is gone: %s", r.Body)
		}
		if r := s.Data(t, "230102", admin, `{enterprises(deleted:true,first:5){totalCount}}`, nil); !strings.Contains(r.Body, `"totalCount":1`) {
			t.Fatalf("deleted records are listed on request: %s", r.Body)
		}
		if r := s.Data(t, "230102", admin, `mutation($id:ID!){restoreEnterprise(id:$id){deletedAt version}}`, map[string]any{"id": id}); !strings.Contains(r.Body, `"deletedAt":null`) {
			t.Fatalf("restore: %s", r.Body)
		}
		// Every write is a version in the record's history, newest first, masked for a
		// reader; another city's API does not show it.
		hist := `query($id:ID!){enterpriseHistory(id:$id){version op by record{employees deletedAt contact}}}`
		h := s.Data(t, "230102", admin, hist, map[string]any{"id": id})
		ops := []string{`"op":"restore","record":{"contact":"13812345678","deletedAt":null,"employees":31},"version":4`,
			`"op":"delete"`, `"op":"update","record":{"contact":"13812345678","deletedAt":null,"employees":31},"version":2`, `"op":"create"`}
		last := -1
		for _, o := range ops {
			at := strings.Index(h.Body, o)
			if at < 0 || at < last {
				t.Fatalf("history lacks %s in order: %s", o, h.Body)
			}
			last = at
		}
		if r := s.Data(t, "230102", reader, hist, map[string]any{"id": id}); !strings.Contains(r.Body, `"contact":"138****5678"`) || strings.Contains(r.Body, "13812345678") {
			t.Fatalf("history for a reader: %s", r.Body)
		}
		if r := s.Data(t, "230200", admin, hist, map[string]any{"id": id}); r.Code() != "NOT_FOUND" {
			t.Fatalf("history through another city: %s", r.Body)
		}
		if a := s.Do(t, s.Auditor(t), `{auditEntries(action:"record.delete"){totalCount}}`, nil); !strings.Contains(a.Body, `"totalCount":1`) {
			t.Fatalf("record writes are audited: %s", a.Body)
		}

		// Additive changes publish; breaking ones are refused with their paths.
		more := strings.Replace(enterpriseSchema, "    - {name: contact, element: mobile}\n", "    - {name: contact, element: mobile}\n    - {name: website, type: string}\n", 1)
		if r := s.Apply(t, admin, more); len(r.Errors) > 0 {
			t.Fatalf("additive change: %s", r.Body)
		}
		if r := s.Data(t, "230102", admin, `{enterprises(first:1){nodes{website street}}}`, nil); len(r.Errors) > 0 {
			t.Fatalf("the new field answers at once: %s", r.Body)
		}
		breaking := strings.Replace(more, "{name: employees, type: integer, min: 0}", "{name: employees, type: string}", 1)
		if r := s.Apply(t, admin, breaking); r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "changes type") {
			t.Fatalf("breaking change: %s", r.Body)
		}
		redefine := strings.Replace(daoliLayer, "{name: street, type: string, length: 50}", "{name: street, type: string, length: 50}\n    - {name: name, type: text}", 1)
		if r := s.Apply(t, admin, redefine); r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "inherited from 230000") {
			t.Fatalf("a county redefines a national field: %s", r.Body)
		}
	})
}
