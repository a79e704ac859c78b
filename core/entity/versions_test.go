package entity_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

var v1Fields = []entity.FieldSpec{
	{Name: "uscc", Type: "string", Required: true, Unique: true},
	{Name: "name", Type: "string", Required: true},
	{Name: "employees", Type: "integer", Min: ptr(0)},
	{Name: "founded", Type: "date"},
	{Name: "note", Type: "string"},
}

// v2 renames name to legalName, stores employees as text and founded as a date and
// time, adds status with a constant and drops note; v1 stays served, deprecated.
func v2Spec() entity.Spec {
	return entity.Spec{
		Fields: []entity.FieldSpec{
			{Name: "uscc", Type: "string", Required: true, Unique: true},
			{Name: "legalName", Type: "string", Required: true, Index: true},
			{Name: "employees", Type: "text"},
			{Name: "founded", Type: "datetime"},
			{Name: "status", Type: "string", Enum: []string{"存续", "注销"}, Required: true},
		},
		Versions: []entity.VersionSpec{
			{Name: "v2", Served: true, Storage: true, Mapping: &entity.Mapping{From: "v1", Fields: []entity.FieldMapping{
				{Field: "legalName", From: "name"}, {Field: "employees", From: "employees"},
				{Field: "founded", From: "founded"}, {Field: "status", Value: "存续"},
			}}},
			{Name: "v1", Served: true, Deprecated: true, Fields: v1Fields},
		},
	}
}

func paths(err error) []string {
	e, ok := apierr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Path)
	}
	return out
}

func TestVersionsCheck(t *testing.T) {
	edit := func(fn func(s *entity.Spec)) entity.Spec {
		s := v2Spec()
		fn(&s)
		return s
	}
	for _, c := range []struct {
		name string
		spec entity.Spec
		want []string // error paths; none: valid
	}{
		{"valid", v2Spec(), nil},
		{"no versions", entity.Spec{Fields: v1Fields}, nil},
		{"bad and repeated names", edit(func(s *entity.Spec) {
			s.Versions[1].Name = "V1"
			s.Versions = append(s.Versions, entity.VersionSpec{Name: "v2", Fields: v1Fields})
		}), []string{"/spec/versions/1/name", "/spec/versions/2/name", "/spec/versions/1"}},
		{"no storage", edit(func(s *entity.Spec) { s.Versions[0].Storage = false }), []string{"/spec/versions"}},
		{"two storage, unserved", edit(func(s *entity.Spec) { s.Versions[1].Storage, s.Versions[1].Served = true, false }),
			[]string{"/spec/versions/1/storage", "/spec/versions/1/served", "/spec/versions/1/fields"}},
		{"storage lists fields", edit(func(s *entity.Spec) { s.Versions[0].Fields = v1Fields }), []string{"/spec/versions/0/fields"}},
		{"warning without deprecation", edit(func(s *entity.Spec) { s.Versions[0].DeprecationWarning = "x" }), []string{"/spec/versions/0/deprecationWarning"}},
		{"older version without fields", edit(func(s *entity.Spec) { s.Versions[1].Fields = nil }),
			[]string{"/spec/versions/1/fields", "/spec/versions/0/mapping/fields/0/from", "/spec/versions/0/mapping/fields/1/from", "/spec/versions/0/mapping/fields/2/from"}},
		{"bad older field", edit(func(s *entity.Spec) {
			s.Versions[1].Fields = append(slices.Clone(v1Fields), entity.FieldSpec{Name: "id", Type: "money"})
		}), []string{"/spec/versions/1/fields/5/name", "/spec/versions/1/fields/5/type"}},
		{"unknown mapping fields", edit(func(s *entity.Spec) {
			s.Versions[0].Mapping.Fields = append(s.Versions[0].Mapping.Fields, entity.FieldMapping{Field: "nope", From: "name"}, entity.FieldMapping{Field: "uscc", From: "nope"})
		}), []string{"/spec/versions/0/mapping/fields/4/field", "/spec/versions/0/mapping/fields/5/from"}},
		{"mapped twice, from and value", edit(func(s *entity.Spec) {
			s.Versions[0].Mapping.Fields = append(s.Versions[0].Mapping.Fields, entity.FieldMapping{Field: "status", From: "note", Value: "存续"})
		}), []string{"/spec/versions/0/mapping/fields/4/field", "/spec/versions/0/mapping/fields/4"}},
		{"unsafe conversion", edit(func(s *entity.Spec) { s.Fields[2].Type = "integer"; s.Versions[0].Mapping.Fields[1].From = "note" }),
			[]string{"/spec/versions/0/mapping/fields/1/from"}},
		{"constant of the wrong kind", edit(func(s *entity.Spec) { s.Versions[0].Mapping.Fields[3].Value = "在业" }), []string{"/spec/versions/0/mapping/fields/3/value"}},
		{"type change without mapping", edit(func(s *entity.Spec) { s.Versions[0].Mapping.Fields = s.Versions[0].Mapping.Fields[:1] }),
			[]string{"/spec/fields/2/type", "/spec/fields/3/type"}},
		{"v1 left out", edit(func(s *entity.Spec) { s.Versions = s.Versions[:1] }), nil},
		{"older mapping from an unlisted version", edit(func(s *entity.Spec) {
			s.Versions[1].Mapping = &entity.Mapping{From: "v0"}
		}), []string{"/spec/versions/1/mapping/from"}},
		{"storage mapping from a bad name", edit(func(s *entity.Spec) { s.Versions[0].Mapping.From = "version0" }), []string{"/spec/versions/0/mapping/from", "/spec/versions/1"}},
		{"unreachable served version", edit(func(s *entity.Spec) { s.Versions[0].Mapping = nil }), []string{"/spec/versions/1"}},
		{"a version following itself", edit(func(s *entity.Spec) { s.Versions[0].Mapping.From = "v2" }), []string{"/spec/versions/0/mapping/from", "/spec/versions/1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.spec.Check(nil)
			got := paths(err)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if apierr.CodeOf(err) != apierr.ValidationFailed {
				t.Fatalf("want VALIDATION_FAILED, got %v", err)
			}
			for _, w := range c.want {
				if !slices.Contains(got, w) {
					t.Errorf("no error at %s: %v", w, err)
				}
			}
		})
	}
}

func TestEvolve(t *testing.T) {
	v1 := entity.Spec{Fields: v1Fields}
	for _, c := range []struct {
		name       string
		prev, next entity.Spec
		want       []string
		message    string
	}{
		{"additive", v1, entity.Spec{Fields: append(slices.Clone(v1Fields), entity.FieldSpec{Name: "website", Type: "string"})}, nil, ""},
		{"breaking without a version", v1, entity.Spec{Fields: v1Fields[1:]}, []string{"/spec/fields"}, "new storage version with a mapping"},
		{"type change without a version", v1, entity.Spec{Fields: append([]entity.FieldSpec{{Name: "uscc", Type: "integer"}}, v1Fields[1:]...)}, []string{"/spec/fields/0/type"}, "changes type"},
		{"new storage version", v1, v2Spec(), nil, ""},
		{"new storage version not following the old", v1, func() entity.Spec {
			s := v2Spec()
			s.Versions[0].Mapping.From, s.Versions[1].Name = "v0", "v0"
			return s
		}(), []string{"/spec/versions/0/mapping/from", "/spec/versions"}, "must follow v1"},
		{"old version's fields misstated", v1, func() entity.Spec {
			s := v2Spec()
			s.Versions[1].Fields = []entity.FieldSpec{{Name: "uscc", Type: "text"}, {Name: "extra", Type: "string"}}
			return s
		}(), []string{"/spec/versions/1/fields", "/spec/versions/1/fields/1/name"}, "stored no field"},
		{"back to no versions", v2Spec(), v1, []string{"/spec/versions"}, "storage version is v2"},
		{"older version changed or added", v2Spec(), func() entity.Spec {
			s := v2Spec()
			s.Versions[1].Fields = append(slices.Clone(v1Fields), entity.FieldSpec{Name: "extra", Type: "string"})
			s.Versions = append(s.Versions, entity.VersionSpec{Name: "v0", Fields: v1Fields})
			return s
		}(), []string{"/spec/versions/1/fields", "/spec/versions/2/name"}, "fixed once published"},
		{"storage mapping changed", v2Spec(), func() entity.Spec {
			s := v2Spec()
			s.Versions[0].Mapping.Fields = s.Versions[0].Mapping.Fields[1:]
			return s
		}(), []string{"/spec/versions/0/mapping"}, "fixed once published"},
		{"v1 left out", v2Spec(), func() entity.Spec {
			s := v2Spec()
			s.Versions = s.Versions[:1]
			return s
		}(), nil, ""},
		{"same storage version, v1 retired", v2Spec(), func() entity.Spec {
			s := v2Spec()
			s.Versions[1].Served = false
			return s
		}(), nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := entity.Evolve(c.prev, c.next)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			for _, w := range c.want {
				if !slices.Contains(paths(err), w) {
					t.Errorf("no error at %s: %v", w, err)
				}
			}
			if err == nil || !strings.Contains(err.Error()+strings.Join(messages(err), " "), c.message) {
				t.Errorf("error does not say %q: %v", c.message, err)
			}
		})
	}
}

func messages(err error) []string {
	e, _ := apierr.As(err)
	var out []string
	if e != nil {
		for _, f := range e.Fields {
			out = append(out, f.Message)
		}
	}
	return out
}

func TestBindVersions(t *testing.T) {
	lo := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: v2Spec()})
	if len(lo.Versions) != 2 || !lo.Versions[0].Storage || lo.Versions[0].Name != "v2" {
		t.Fatalf("versions: %+v", lo.Versions)
	}
	cols := map[string]string{}
	for _, f := range lo.Versions[1].Fields {
		cols[f.Name] = f.Column
	}
	want := map[string]string{"uscc": "f_uscc", "name": "f_legalName", "employees": "", "founded": "", "note": "f_note"}
	for k, v := range want {
		if cols[k] != v {
			t.Errorf("v1 %s: column %q, want %q", k, cols[k], v)
		}
	}
	var implied []string
	for _, im := range lo.Versions[1].Implied {
		implied = append(implied, im.Field.Name)
		if im.Field.Name == "status" && im.Value != "存续" {
			t.Errorf("status is implied as %v", im.Value)
		}
	}
	if !slices.Equal(implied, []string{"employees", "founded", "status"}) {
		t.Errorf("implied %v", implied)
	}
	// A field converted into another of a new name has no column in v1 either: its
	// writes could not reach the converted field.
	conv := v2Spec()
	conv.Fields[3].Name, conv.Versions[0].Mapping.Fields[2].Field = "foundedAt", "foundedAt"
	lo = layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: conv})
	for _, f := range lo.Versions[1].Fields {
		if f.Name == "founded" && f.Column != "" {
			t.Errorf("v1 founded, converted into foundedAt, has column %q", f.Column)
		}
	}
	// v1 shows the storage version's relations: none may take a name of its fields.
	rel := v2Spec()
	rel.Relations = []entity.RelationSpec{{Name: "note", Kind: entity.ManyToOne, Entity: "person"}}
	if _, err := entity.Build("enterprise", []entity.Layer{{Tenant: "230000", Path: "/230000/", Spec: rel}}, nil); !slices.Contains(paths(err), "/spec/relations") {
		t.Fatalf("a relation named like a v1 field: %v", err)
	}
	// At a county with a local field, v1 shows it too, on its own column.
	street := entity.Layer{Tenant: "230102", Path: "/230000/230100/230102/", Spec: entity.Spec{Fields: []entity.FieldSpec{{Name: "street", Type: "string"}}}}
	reg := entity.NewRegistry(entity.SQLite, nil)
	if err := reg.Set([]entity.Layout{layout(t, street, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: v2Spec()})}); err != nil {
		t.Fatal(err)
	}
	county := reg.Versions("230102", "/230000/230100/230102/")
	if len(county) != 1 || !slices.ContainsFunc(county[0].Fields, func(f entity.Field) bool { return f.Name == "street" && f.Column == "l230102_street" }) {
		t.Fatalf("v1 at the county: %+v", county)
	}
	if province := reg.Versions("230000", "/230000/"); slices.ContainsFunc(province[0].Fields, func(f entity.Field) bool { return f.Name == "street" }) {
		t.Fatalf("v1 at the province shows the county's field: %+v", province[0].Fields)
	}
	// A descendant layer does not list versions.
	local := entity.Layer{Tenant: "230102", Path: "/230000/230100/230102/", Spec: entity.Spec{Fields: []entity.FieldSpec{{Name: "street", Type: "string"}}, Versions: v2Spec().Versions}}
	if _, err := entity.Build("enterprise", []entity.Layer{local, {Tenant: "230000", Path: "/230000/", Spec: v2Spec()}}, nil); !slices.Contains(paths(err), "/spec/versions") {
		t.Fatalf("versions in a local layer: %v", err)
	}
}

// publish migrates and syncs in one transaction, as the kernel's publish does.
func publish(ctx context.Context, s *store.Store, prev, next entity.Layout) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := entity.Migrate(ctx, tx, s.Dialect, prev, next, nil); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := entity.Sync(ctx, tx, s.Dialect, next); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func columnsOf(t *testing.T, s *store.Store, table string) []string {
	t.Helper()
	q := `SELECT name FROM pragma_table_info('` + table + `') ORDER BY name`
	if s.Dialect == entity.Postgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '` + table + `' ORDER BY column_name`
	}
	rows, err := s.DB.Query(q)
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

func TestMigrateVersions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := entity.Layer{Tenant: "230000", Path: "/230000/", Spec: entity.Spec{Fields: v1Fields}}
		lo1 := layout(t, base)
		if err := publish(ctx, s, entity.Layout{}, lo1); err != nil {
			t.Fatal(err)
		}
		reg := entity.NewRegistry(s.Dialect, nil)
		if err := reg.Set([]entity.Layout{lo1}); err != nil {
			t.Fatal(err)
		}
		t1 := reg.Tables("230000", "/230000/")[0]
		for _, in := range []map[string]any{
			{"uscc": "91230102MA1B2C3D46", "name": "道里科技有限公司", "employees": 30, "founded": "2019-03-01", "note": "老字号"},
			{"uscc": "91230103MA1B2C3D5P", "name": "南岗商贸"},
		} {
			if _, err := t1.Insert(ctx, s.DB, "230000", "/230000/", "tester", in); err != nil {
				t.Fatal(err)
			}
		}
		before := columnsOf(t, s, lo1.Table)

		// A mapping whose values do not fit v2's rules is refused with every
		// record's path, and nothing changes.
		strict := v2Spec()
		strict.Fields[1].Length = 4
		bad := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: strict})
		err := publish(ctx, s, lo1, bad)
		if got := paths(err); !slices.Equal(got, []string{"/records/1/legalName"}) || apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Fatalf("refused migration: %v (%v)", err, got)
		}
		if after := columnsOf(t, s, lo1.Table); !slices.Equal(before, after) {
			t.Fatalf("a refused migration changed the table: %v → %v", before, after)
		}
		if r, err := t1.Get(ctx, s.DB, 1, nil, false); err != nil || r["name"] != "道里科技有限公司" || r["employees"] != int64(30) {
			t.Fatalf("a refused migration changed a record: %v %v", r, err)
		}

		lo2 := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: v2Spec()})
		if err := publish(ctx, s, lo1, lo2); err != nil {
			t.Fatal(err)
		}
		if err := reg.Set([]entity.Layout{lo2}); err != nil {
			t.Fatal(err)
		}
		cols := columnsOf(t, s, lo1.Table)
		for _, c := range []string{"f_legalName", "f_employees", "f_employees__v1", "f_founded", "f_founded__v1", "f_status", "f_note"} {
			if !slices.Contains(cols, c) {
				t.Errorf("no column %s after the migration: %v", c, cols)
			}
		}
		if slices.Contains(cols, "f_name") {
			t.Errorf("f_name was not renamed: %v", cols)
		}
		t2 := reg.Tables("230000", "/230000/")[0]
		r, err := t2.Get(ctx, s.DB, 1, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]any{"legalName": "道里科技有限公司", "employees": "30", "founded": "2019-03-01T00:00:00Z", "status": "存续"} {
			if r[k] != v {
				t.Errorf("v2 %s = %#v, want %#v", k, r[k], v)
			}
		}
		if _, ok := r["note"]; ok {
			t.Errorf("v2 serves the dropped note: %v", r)
		}

		// v1 reads and writes the same records.
		olds := reg.Versions("230000", "/230000/")
		if len(olds) != 1 || olds[0].Version != "v1" || !olds[0].Older || olds[0].Deprecated == "" {
			t.Fatalf("older versions: %+v", olds)
		}
		t1 = olds[0]
		r, err = t1.Get(ctx, s.DB, 1, nil, false)
		if err != nil || r["name"] != "道里科技有限公司" || r["note"] != "老字号" || r["employees"] != nil || r["founded"] != nil {
			t.Fatalf("v1 reads %v %v", r, err)
		}
		if _, err := t1.Update(ctx, s.DB, 2, 0, "tester", map[string]any{"name": "南岗商贸有限公司", "note": "改名"}, nil); err != nil {
			t.Fatal(err)
		}
		if r, _ := t2.Get(ctx, s.DB, 2, nil, false); r["legalName"] != "南岗商贸有限公司" {
			t.Fatalf("a v1 write is not seen by v2: %v", r)
		}
		_, err = t1.Update(ctx, s.DB, 2, 0, "tester", map[string]any{"employees": 5}, nil)
		if !slices.Contains(paths(err), "/input/employees") || !strings.Contains(strings.Join(messages(err), " "), "cannot be written through this version") {
			t.Fatalf("a v1 write to a retyped field: %v", err)
		}
		created, err := t1.Insert(ctx, s.DB, "230000", "/230000/", "tester", map[string]any{"uscc": "91230110MA1B2C3D6Y", "name": "香坊食品"})
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := t2.Get(ctx, s.DB, created["id"].(int64), nil, false); r["status"] != "存续" || r["legalName"] != "香坊食品" {
			t.Fatalf("a v1 create takes the mapping's constant: %v", r)
		}
		page, err := t1.List(ctx, s.DB, entity.ListOptions{First: 10, Filter: map[string]any{"name": map[string]any{"startsWith": "南岗"}}, OrderBy: []entity.Order{{Field: "employees"}}, Count: true})
		if err != nil || page.Total != 1 {
			t.Fatalf("v1 list: %+v %v", page, err)
		}
		if _, err := t1.Aggregate(ctx, s.DB, entity.AggregateOptions{GroupBy: []string{"employees"}, Funcs: []string{entity.Max}}); err != nil {
			t.Fatalf("v1 aggregate over a retyped field: %v", err)
		}

		// v3 renames legalName again; v1 and v2 reach the table through the chain of
		// mappings, v3 → v2 → v1.
		v3 := v2Spec()
		v2 := v3.Versions[0]
		v2.Storage, v2.Fields = false, slices.Clone(v3.Fields)
		v3.Fields[1].Name = "fullName"
		v3.Versions = []entity.VersionSpec{
			{Name: "v3", Served: true, Storage: true, Mapping: &entity.Mapping{From: "v2", Fields: []entity.FieldMapping{{Field: "fullName", From: "legalName"}}}},
			v2, v3.Versions[1],
		}
		if err := v3.Check(nil); err != nil {
			t.Fatal(err)
		}
		if err := entity.Evolve(v2Spec(), v3); err != nil {
			t.Fatal(err)
		}
		lo3 := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: v3})
		if err := publish(ctx, s, lo2, lo3); err != nil {
			t.Fatal(err)
		}
		if err := reg.Set([]entity.Layout{lo3}); err != nil {
			t.Fatal(err)
		}
		olds = reg.Versions("230000", "/230000/")
		if len(olds) != 2 || olds[0].Version != "v1" || olds[1].Version != "v2" {
			t.Fatalf("older versions after v3: %+v", olds)
		}
		if _, err := olds[0].Update(ctx, s.DB, 1, 0, "tester", map[string]any{"name": "道里科技股份有限公司"}, nil); err != nil {
			t.Fatal(err)
		}
		r3, _ := reg.Tables("230000", "/230000/")[0].Get(ctx, s.DB, 1, nil, false)
		r2, _ := olds[1].Get(ctx, s.DB, 1, nil, false)
		if r3["fullName"] != "道里科技股份有限公司" || r2["legalName"] != "道里科技股份有限公司" || r2["employees"] != "30" {
			t.Fatalf("a v1 write through v3 and v2: %v / %v", r3, r2)
		}

		// A later publish may not give a new field the column kept for note.
		again := v3
		again.Fields = append(again.Fields, entity.FieldSpec{Name: "note", Type: "integer"})
		lo4 := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: again})
		if err := publish(ctx, s, lo3, lo4); !slices.Contains(paths(err), "/spec/fields/5/name") {
			t.Fatalf("a new field on a kept column: %v", err)
		}
	})
}

// TestFreshVersionedTable publishes a schema that already has versions on a new
// database (an export applied elsewhere): the columns older versions keep are made,
// so they read and write.
func TestFreshVersionedTable(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		lo := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: v2Spec()})
		if err := publish(ctx, s, entity.Layout{}, lo); err != nil {
			t.Fatal(err)
		}
		if cols := columnsOf(t, s, lo.Table); !slices.Contains(cols, "f_note") || slices.Contains(cols, "f_name") {
			t.Fatalf("columns: %v", cols)
		}
		reg := entity.NewRegistry(s.Dialect, nil)
		if err := reg.Set([]entity.Layout{lo}); err != nil {
			t.Fatal(err)
		}
		v1 := reg.Versions("230000", "/230000/")[0]
		r, err := v1.Insert(ctx, s.DB, "230000", "/230000/", "tester", map[string]any{"uscc": "91230102MA1B2C3D46", "name": "道里科技", "note": "新"})
		if err != nil || r["note"] != "新" || r["name"] != "道里科技" {
			t.Fatalf("v1 create: %v %v", r, err)
		}
		full, _ := reg.Full("enterprise")
		if !slices.ContainsFunc(full.Fields, func(f entity.Field) bool { return f.Name == "note" }) {
			t.Fatalf("the whole record lacks v1's note: %v", full.Fields)
		}
	})
}

// TestMigrateKeepsIndexes changes the type of a unique field and renames an indexed
// one: the new columns get their indexes (the old ones follow the columns moved
// aside or renamed, under names made from the old column, and are dropped).
func TestMigrateKeepsIndexes(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v1 := entity.Spec{Fields: []entity.FieldSpec{{Name: "code", Type: "string", Unique: true}, {Name: "label", Type: "string", Index: true}}}
		lo1 := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: v1})
		if err := publish(ctx, s, entity.Layout{}, lo1); err != nil {
			t.Fatal(err)
		}
		v2 := entity.Spec{
			Fields: []entity.FieldSpec{{Name: "code", Type: "text", Unique: true}, {Name: "title", Type: "string", Index: true}},
			Versions: []entity.VersionSpec{
				{Name: "v2", Served: true, Storage: true, Mapping: &entity.Mapping{From: "v1", Fields: []entity.FieldMapping{{Field: "code", From: "code"}, {Field: "title", From: "label"}}}},
				{Name: "v1", Fields: v1.Fields},
			},
		}
		if err := entity.Evolve(v1, v2); err != nil {
			t.Fatal(err)
		}
		// Two records with one constant in a unique field: refused, with both.
		v1t := entity.Table{Dialect: s.Dialect, Name: "enterprise", Table: lo1.Table, Fields: lo1.Fields}
		for _, c := range []string{"B1", "B2"} {
			if _, err := v1t.Insert(ctx, s.DB, "230000", "/230000/", "tester", map[string]any{"code": c}); err != nil {
				t.Fatal(err)
			}
		}
		same := v2
		same.Versions = slices.Clone(v2.Versions)
		same.Versions[0].Mapping = &entity.Mapping{From: "v1", Fields: []entity.FieldMapping{{Field: "code", Value: "Z"}, {Field: "title", From: "label"}}}
		err := publish(ctx, s, lo1, layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: same}))
		if got := paths(err); !slices.Equal(got, []string{"/records/1/code", "/records/2/code"}) {
			t.Fatalf("a constant in a unique field: %v", err)
		}
		if _, err := s.DB.ExecContext(ctx, "DELETE FROM "+lo1.Table); err != nil {
			t.Fatal(err)
		}
		lo2 := layout(t, entity.Layer{Tenant: "230000", Path: "/230000/", Spec: v2})
		if err := publish(ctx, s, lo1, lo2); err != nil {
			t.Fatal(err)
		}
		tb := entity.Table{Dialect: s.Dialect, Name: "enterprise", Table: lo2.Table, Fields: lo2.Fields}
		if _, err := tb.Insert(ctx, s.DB, "230000", "/230000/", "tester", map[string]any{"code": "A1", "title": "x"}); err != nil {
			t.Fatal(err)
		}
		if _, err := tb.Insert(ctx, s.DB, "230000", "/230000/", "tester", map[string]any{"code": "A1", "title": "y"}); apierr.CodeOf(err) != apierr.Conflict {
			t.Fatalf("the retyped unique field is not unique: %v", err)
		}
		q := `SELECT COUNT(*) FROM pragma_index_list('` + lo2.Table + `')`
		if s.Dialect == entity.Postgres {
			q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '` + lo2.Table + `'`
		}
		var n int
		if err := s.DB.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		// tenant_path, code (unique), title; the primary key on PostgreSQL.
		if want := map[bool]int{false: 3, true: 4}[s.Dialect == entity.Postgres]; n != want {
			t.Fatalf("%d indexes on %s, want %d", n, lo2.Table, want)
		}
	})
}
