package kernel_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const firmV1 = `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230000", name: enterprise}
spec:
  fields:
    - {name: uscc, element: uscc, required: true, unique: true}
    - {name: name, element: enterpriseName, required: true}
    - {name: employees, type: integer, min: 0}
    - {name: note, type: string}
`

// firmV2 renames name to legalName, stores employees as text (a CAST), adds a
// status every record takes, drops note, and keeps v1 served, deprecated. LEN and
// SERVED are replaced by the tests.
const firmV2 = `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230000", name: enterprise}
spec:
  fields:
    - {name: uscc, element: uscc, required: true, unique: true}
    - {name: legalName, type: string, required: true, length: LEN}
    - {name: employees, type: text}
    - {name: status, type: string, enum: [存续, 注销], required: true}
    - {name: website, type: string}
  versions:
    - name: v2
      served: true
      storage: true
      mapping:
        from: v1
        fields:
          - {field: legalName, from: name}
          - {field: employees, from: employees}
          - {field: status, value: 存续}
    - name: v1
      served: SERVED
      deprecated: true
      deprecationWarning: v1 is retired on 2027-01-01; use v2 (legalName)
      fields:
        - {name: uscc, element: uscc, required: true, unique: true}
        - {name: name, element: enterpriseName, required: true}
        - {name: employees, type: integer, min: 0}
        - {name: note, type: string}
        - {name: website, type: string}
`

func firm(length, served string) string {
	return strings.NewReplacer("LEN", length, "SERVED", served).Replace(firmV2)
}

// columnsOf lists an entity table's columns.
func columnsOf(t *testing.T, s *kerneltest.Server, table string) []string {
	t.Helper()
	st := s.K.Store()
	q := `SELECT name FROM pragma_table_info('` + table + `')`
	if st.IsPostgres() {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '` + table + `'`
	}
	rows, err := st.DB.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TestEntityVersions publishes an entity, changes it in place, refuses a breaking
// change without a new version and a migration that a record does not fit (leaving
// schema, table and records as they were), then publishes v2 with a mapping: the
// records are migrated, v1 is still served on the same records under suffixed,
// deprecated names, masked and authorized as the entity, until it is retired.
func TestEntityVersions(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		if r := s.Apply(t, admin, firmV1); len(r.Errors) > 0 {
			t.Fatalf("publish v1: %s", r.Body)
		}
		create := `mutation($i:EnterpriseInput!){createEnterprise(input:$i){id}}`
		var ids []string
		for _, in := range []map[string]any{
			{"uscc": "91230102MA1B2C3D46", "name": "道里科技有限公司", "employees": 30, "note": "老字号"},
			{"uscc": "91230103MA1B2C3D5P", "name": "南岗商贸有限公司"},
		} {
			d := s.Data(t, "230000", admin, create, map[string]any{"i": in})
			if len(d.Errors) > 0 {
				t.Fatalf("create: %s", d.Body)
			}
			ids = append(ids, d.Data["createEnterprise"].(map[string]any)["id"].(string))
		}

		// An additive change migrates in place, without a version.
		withWebsite := firmV1 + "    - {name: website, type: string}\n"
		if r := s.Apply(t, admin, withWebsite); len(r.Errors) > 0 {
			t.Fatalf("additive change: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `{enterprises(first:5){totalCount nodes{name website}}}`, nil); !strings.Contains(r.Body, `"totalCount":2`) || !strings.Contains(r.Body, `"website":null`) {
			t.Fatalf("after the additive change: %s", r.Body)
		}

		// Breaking without a new storage version: refused, with the path.
		dropped := strings.Replace(withWebsite, "    - {name: note, type: string}\n", "", 1)
		if r := s.Apply(t, admin, dropped); r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, `"/spec/fields"`) || !strings.Contains(r.Body, "new storage version with a mapping") {
			t.Fatalf("breaking change without a version: %s", r.Body)
		}

		// A migration a record does not fit: refused with the record's path, nothing
		// changed.
		table := "ent_enterprise"
		before := columnsOf(t, s, table)
		r := s.Apply(t, admin, firm("4", "true"))
		for _, want := range []string{"VALIDATION_FAILED", "/records/" + ids[0] + "/legalName", "/records/" + ids[1] + "/legalName", "is 8 characters long; at most 4"} {
			if !strings.Contains(r.Body, want) {
				t.Fatalf("a migration the records do not fit: answer lacks %s: %s", want, r.Body)
			}
		}
		if after := columnsOf(t, s, table); !slices.Equal(before, after) {
			t.Fatalf("the refused migration changed the table: %v → %v", before, after)
		}
		if r := s.Data(t, "230000", admin, `{enterprises(first:5,orderBy:[{field:id}]){nodes{name note employees}}}`, nil); !strings.Contains(r.Body, `{"employees":30,"name":"道里科技有限公司","note":"老字号"}`) {
			t.Fatalf("the refused migration changed the records or the schema: %s", r.Body)
		}
		if r := s.Do(t, admin, `{effectiveResource(kind:"EntitySchema",tenant:"230000",name:"enterprise"){spec}}`, nil); strings.Contains(r.Body, "versions") {
			t.Fatalf("the refused schema was stored: %s", r.Body)
		}

		// v2: migrated; v1 still served through the same records.
		if r := s.Apply(t, admin, firm("100", "true")); len(r.Errors) > 0 {
			t.Fatalf("publish v2: %s", r.Body)
		}
		if cols := columnsOf(t, s, table); !slices.Contains(cols, "f_legalName") || !slices.Contains(cols, "f_employees__v1") || !slices.Contains(cols, "f_note") || slices.Contains(cols, "f_name") {
			t.Fatalf("columns after v2: %v", cols)
		}
		v2 := s.Data(t, "230000", admin, `{enterprises(first:5,orderBy:[{field:id}]){nodes{legalName employees status}}}`, nil)
		if !strings.Contains(v2.Body, `{"employees":"30","legalName":"道里科技有限公司","status":"存续"}`) || !strings.Contains(v2.Body, `{"employees":null,"legalName":"南岗商贸有限公司","status":"存续"}`) {
			t.Fatalf("v2 reads: %s", v2.Body)
		}
		if r := s.Data(t, "230000", admin, `{enterprises(first:1){nodes{name}}}`, nil); r.Code() == "" {
			t.Fatalf("v2 still has name: %s", r.Body)
		}
		v1 := s.Data(t, "230000", admin, `{enterprisesV1(first:5,orderBy:[{field:id}],filter:{name:{startsWith:"道里"}}){totalCount nodes{id name employees note}}}`, nil)
		if !strings.Contains(v1.Body, `"totalCount":1`) || !strings.Contains(v1.Body, `"employees":null,"id":"`+ids[0]+`","name":"道里科技有限公司","note":"老字号"`) {
			t.Fatalf("v1 reads: %s", v1.Body)
		}
		upd := `mutation($id:ID!,$i:EnterpriseV1Input!){updateEnterpriseV1(id:$id,input:$i){name note version}}`
		if r := s.Data(t, "230000", admin, upd, map[string]any{"id": ids[1], "i": map[string]any{"name": "南岗新商贸有限公司", "note": "改名"}}); len(r.Errors) > 0 {
			t.Fatalf("v1 update: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `query($id:ID!){enterprise(id:$id){legalName}}`, map[string]any{"id": ids[1]}); !strings.Contains(r.Body, "南岗新商贸有限公司") {
			t.Fatalf("v2 does not see the v1 write: %s", r.Body)
		}
		r = s.Data(t, "230000", admin, upd, map[string]any{"id": ids[1], "i": map[string]any{"employees": 12}})
		if r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "/input/employees") || !strings.Contains(r.Body, "cannot be written through this version") {
			t.Fatalf("v1 writes a retyped field: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `mutation($id:ID!){updateEnterprise(id:$id,input:{employees:"12"}){version}}`, map[string]any{"id": ids[1]}); !strings.Contains(r.Body, `"version":3`) {
			t.Fatalf("v2 update: %s", r.Body)
		}
		c := s.Data(t, "230000", admin, `mutation{createEnterpriseV1(input:{uscc:"91230110MA1B2C3D6Y",name:"香坊食品有限公司"}){id name}}`, nil)
		if len(c.Errors) > 0 {
			t.Fatalf("v1 create: %s", c.Body)
		}
		id3 := c.Data["createEnterpriseV1"].(map[string]any)["id"].(string)
		if r := s.Data(t, "230000", admin, `query($id:ID!){enterprise(id:$id){legalName status}}`, map[string]any{"id": id3}); !strings.Contains(r.Body, `{"legalName":"香坊食品有限公司","status":"存续"}`) {
			t.Fatalf("a v1 create in v2: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `mutation{createEnterpriseV1(input:{uscc:"91230110MA1B2C3D6Y",name:"x公司"}){id}}`, nil); r.Code() != "CONFLICT" {
			t.Fatalf("a v1 create keeps v2's unique credit code: %s", r.Body)
		}
		// Each history entry says which version the write came through; v1 reads
		// entries from before and after the migration.
		h := s.Data(t, "230000", admin, `query($id:ID!){enterpriseV1History(id:$id){version schemaVersion record{name note employees}}}`, map[string]any{"id": ids[1]})
		for _, want := range []string{
			`{"record":{"employees":null,"name":"南岗新商贸有限公司","note":"改名"},"schemaVersion":"v2","version":3}`,
			`{"record":{"employees":null,"name":"南岗新商贸有限公司","note":"改名"},"schemaVersion":"v1","version":2}`,
			`{"record":{"employees":null,"name":"南岗商贸有限公司","note":null},"schemaVersion":"v1","version":1}`,
		} {
			if !strings.Contains(h.Body, want) {
				t.Fatalf("v1 history lacks %s: %s", want, h.Body)
			}
		}
		if r := s.Data(t, "230000", admin, `query($id:ID!){enterpriseHistory(id:$id){version record{employees legalName}}}`, map[string]any{"id": ids[1]}); !strings.Contains(r.Body, `{"record":{"employees":"12","legalName":"南岗新商贸有限公司"},"version":3}`) {
			t.Fatalf("v2 history: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `{enterpriseV1Aggregate(groupBy:[note]){groups{key{note} count}}}`, nil); len(r.Errors) > 0 || !strings.Contains(r.Body, `"note":"改名"`) {
			t.Fatalf("v1 aggregate: %s", r.Body)
		}

		// Deprecation shows in introspection, on v1's root fields only.
		intro := s.Data(t, "230000", admin, `{__schema{queryType{fields(includeDeprecated:true){name isDeprecated deprecationReason}} mutationType{fields(includeDeprecated:true){name isDeprecated}} subscriptionType{fields(includeDeprecated:true){name isDeprecated}}}}`, nil)
		for _, want := range []string{
			`{"isDeprecated":true,"name":"enterpriseV1Changed"}`,
			`{"isDeprecated":false,"name":"enterpriseChanged"}`,
			`{"deprecationReason":"v1 is retired on 2027-01-01; use v2 (legalName)","isDeprecated":true,"name":"enterprisesV1"}`,
			`{"deprecationReason":null,"isDeprecated":false,"name":"enterprises"}`,
			`{"isDeprecated":true,"name":"createEnterpriseV1"}`,
			`{"isDeprecated":false,"name":"createEnterprise"}`,
		} {
			if !strings.Contains(intro.Body, want) {
				t.Errorf("introspection lacks %s: %s", want, intro.Body)
			}
		}

		// A v1 subscription delivers changes made through v2, in v1's shape.
		ws := dialWS(t, s.URL, "230000", "Bearer "+admin)
		ws.init(nil)
		ws.subscribe("v1", `subscription{enterpriseV1Changed{op id version record{name note employees}}}`, nil)
		if r := s.Data(t, "230000", admin, `mutation($id:ID!){updateEnterprise(id:$id,input:{legalName:"南岗商贸集团有限公司"}){version}}`, map[string]any{"id": ids[1]}); len(r.Errors) > 0 {
			t.Fatalf("v2 update: %s", r.Body)
		}
		// Changes made just before subscribing may still be on their way (the
		// outbox relays them): skip those.
		got := ws.change("v1")
		for i := 0; i < 8 && got["version"] != float64(4); i++ {
			got = ws.change("v1")
		}
		wantChange(t, got, "UPDATE", ids[1], 4, map[string]any{"name": "南岗商贸集团有限公司", "note": "改名", "employees": nil})

		// Through v1, a reader is authorized and masked as for the entity itself:
		// the classification names the storage version's legalName.
		s.MustDo(t, admin, `mutation{createUser(input:{username:"v.reader",password:"password-123",homeTenant:"230000"}){id}}`, nil)
		rbac := "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: enterprise-reader}\nspec: {permissions: [{resources: [Enterprise], actions: [read]}]}\n---\n" +
			"apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230000\", name: v-reader}\nspec: {role: enterprise-reader, subjects: [{kind: User, name: v.reader}]}\n---\n" +
			"apiVersion: gdbos.io/v1\nkind: Classification\nmetadata: {tenant: \"230000\", name: Enterprise}\nspec: {fields: {legalName: {level: personal, mask: {keepFirst: 2, keepLast: 0}}}}\n"
		if r := s.Apply(t, admin, rbac); len(r.Errors) > 0 {
			t.Fatalf("rbac: %s", r.Body)
		}
		reader := s.Login(t, "v.reader", "password-123")
		if r := s.Data(t, "230000", reader, `{enterprisesV1(first:5){totalCount nodes{name}}}`, nil); !strings.Contains(r.Body, `"totalCount":3`) || strings.Contains(r.Body, "道里科技有限公司") || !strings.Contains(r.Body, `"name":"道里`) {
			t.Fatalf("v1 for a reader: %s", r.Body)
		}
		if r := s.Data(t, "230000", reader, `{enterprisesV1Aggregate: enterpriseV1Aggregate(groupBy:[name]){groups{key{name}}}}`, nil); strings.Contains(r.Body, "道里科技有限公司") {
			t.Fatalf("v1 groups unmasked: %s", r.Body)
		}
		if r := s.Data(t, "230000", reader, upd, map[string]any{"id": ids[1], "i": map[string]any{"note": "x"}}); r.Code() != "FORBIDDEN" {
			t.Fatalf("a reader writes through v1: %s", r.Body)
		}

		// A rows policy on the entity, written against v2's field names, limits v1
		// to the same records.
		policy := "apiVersion: gdbos.io/v1\nkind: Policy\nmetadata: {tenant: \"230000\", name: daoli}\nspec:\n  purpose: rows\n  target: Enterprise\n  module: |\n    package daoli\n\n    allow if startswith(input.row.legalName, \"道里\")\n"
		if r := s.Apply(t, admin, policy); len(r.Errors) > 0 {
			t.Fatalf("rows policy: %s", r.Body)
		}
		for _, q := range []string{`{enterprisesV1(first:5){totalCount nodes{name}}}`, `{enterprises(first:5){totalCount nodes{legalName}}}`} {
			if r := s.Data(t, "230000", reader, q, nil); !strings.Contains(r.Body, `"totalCount":1`) || !strings.Contains(r.Body, `道里`) {
				t.Fatalf("rows policy through %s: %s", q, r.Body)
			}
		}

		// Retiring v1 removes its fields; the storage version cannot be un-served.
		if r := s.Apply(t, admin, firm("100", "false")); len(r.Errors) > 0 {
			t.Fatalf("retire v1: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `{enterprisesV1(first:1){totalCount}}`, nil); len(r.Errors) == 0 || !strings.Contains(r.Body, "enterprisesV1") {
			t.Fatalf("v1 is still served: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `{enterprises(first:1){totalCount}}`, nil); len(r.Errors) > 0 || !strings.Contains(r.Body, `"totalCount"`) {
			t.Fatalf("v2 after v1 retired: %s", r.Body)
		}
		leftOut := firm("100", "false")
		leftOut = leftOut[:strings.Index(leftOut, "    - name: v1")]
		if r := s.Apply(t, admin, leftOut); len(r.Errors) > 0 {
			t.Fatalf("leave the retired v1 out: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `{enterprises(first:1){nodes{legalName}}}`, nil); len(r.Errors) > 0 {
			t.Fatalf("v2 after v1 left out: %s", r.Body)
		}
		unserved := strings.Replace(firm("100", "false"), "      served: true\n      storage: true", "      served: false\n      storage: true", 1)
		if r := s.Apply(t, admin, unserved); r.Code() != "VALIDATION_FAILED" || !strings.Contains(r.Body, "/spec/versions/0/served") {
			t.Fatalf("un-serving the storage version: %s", r.Body)
		}
	})
}

// TestReplicasServeNewVersion publishes v2 of an entity on one replica: within a
// second the other answers in v2 and still in v1.
func TestReplicasServeNewVersion(t *testing.T) {
	a, b, adminA, _ := kerneltest.Replicas(t, kerneltest.Options{})
	adminB := b.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
	if r := a.Apply(t, adminA, firmV1+"    - {name: website, type: string}\n"); len(r.Errors) > 0 {
		t.Fatalf("publish v1: %s", r.Body)
	}
	if r := a.Data(t, "230000", adminA, `mutation{createEnterprise(input:{uscc:"91230102MA1B2C3D46",name:"道里科技有限公司"}){id}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("create: %s", r.Body)
	}
	start := time.Now()
	for b.Data(t, "230000", adminB, `{enterprises(first:1){totalCount}}`, nil).Code() != "" {
		if time.Since(start) > time.Second {
			t.Fatal("replica B does not serve v1 within 1s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := a.Apply(t, adminA, firm("100", "true")); len(r.Errors) > 0 {
		t.Fatalf("publish v2: %s", r.Body)
	}
	start = time.Now()
	for {
		v2 := b.Data(t, "230000", adminB, `{enterprises(first:1){nodes{legalName}}}`, nil)
		v1 := b.Data(t, "230000", adminB, `{enterprisesV1(first:1){nodes{name}}}`, nil)
		if strings.Contains(v2.Body, "道里科技有限公司") && strings.Contains(v1.Body, "道里科技有限公司") {
			t.Logf("replica B serves v2 and v1 after %v", time.Since(start))
			return
		}
		if time.Since(start) > time.Second {
			t.Fatalf("replica B does not serve v2 and v1 within 1s: %s %s", v2.Body, v1.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestVersionExamples publishes examples/versions in order, with a record written
// in between: the example migrates it and both versions answer.
func TestVersionExamples(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		read := func(name string) string {
			b, err := os.ReadFile(filepath.Join("..", "..", "examples", "versions", name))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		if r := s.Apply(t, admin, read("1-coop-v1.yaml")); len(r.Errors) > 0 {
			t.Fatalf("v1: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `mutation{createCoop(input:{uscc:"91230102MA1B2C3D46",name:"道里蔬菜专业合作社",members:12,registeredOn:"2020-05-06",remark:"示范"}){id}}`, nil); len(r.Errors) > 0 {
			t.Fatalf("create: %s", r.Body)
		}
		if r := s.Apply(t, admin, read("2-coop-v2.yaml")); len(r.Errors) > 0 {
			t.Fatalf("v2: %s", r.Body)
		}
		if r := s.Data(t, "230000", admin, `{coops(first:1){nodes{legalName registeredAt rating}} coopsV1(first:1){nodes{name registeredOn remark}}}`, nil); !strings.Contains(r.Body, `{"legalName":"道里蔬菜专业合作社","rating":"B","registeredAt":"2020-05-06T00:00:00Z"}`) ||
			!strings.Contains(r.Body, `{"name":"道里蔬菜专业合作社","registeredOn":null,"remark":"示范"}`) {
			t.Fatalf("after v2: %s", r.Body)
		}
	})
}
