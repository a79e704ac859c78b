package entity_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// relatedRegistry publishes division ← enterprise → tag (manyToMany) at the province.
func relatedRegistry(t *testing.T, s *store.Store) *entity.Registry {
	t.Helper()
	specs := map[string]entity.Spec{
		"division": {Fields: []entity.FieldSpec{{Name: "name", Type: "string"}}},
		"tag":      {Fields: []entity.FieldSpec{{Name: "name", Type: "string"}}},
		"enterprise": {Fields: []entity.FieldSpec{{Name: "name", Type: "string"}, {Name: "employees", Type: "integer"}},
			Relations: []entity.RelationSpec{
				{Name: "division", Kind: entity.ManyToOne, Entity: "division", Inverse: "enterprises"},
				{Name: "tags", Kind: entity.ManyToMany, Entity: "tag", Inverse: "enterprises"},
			}},
	}
	var layouts []entity.Layout
	for name, spec := range specs {
		if err := spec.Check(nil); err != nil {
			t.Fatal(err)
		}
		lo, err := entity.Build(name, []entity.Layer{{Tenant: "230000", Path: "/230000/", Spec: spec}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := entity.Sync(context.Background(), s.DB, s.Dialect, lo); err != nil {
			t.Fatal(err)
		}
		layouts = append(layouts, lo)
	}
	reg := entity.NewRegistry(s.Dialect, nil)
	if err := reg.Set(layouts); err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestRelations(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		reg := relatedRegistry(t, s)
		tables := map[string]entity.Table{}
		for _, tb := range reg.Tables("230000", "/230000/") {
			tables[tb.Name] = tb
		}
		div, ent, tag := tables["division"], tables["enterprise"], tables["tag"]
		if len(div.Relations) != 1 || div.Relations[0].Name != "enterprises" || !div.Relations[0].Derived || len(div.Referrers) != 1 {
			t.Fatalf("derived inverse: %+v, referrers %+v", div.Relations, div.Referrers)
		}
		ins := func(tb entity.Table, in map[string]any) int64 {
			t.Helper()
			r, err := tb.Insert(ctx, s.DB, "230000", "/230000/", "tester", in)
			if err != nil {
				t.Fatal(err)
			}
			return r["id"].(int64)
		}
		var divs, tags []int64
		for _, n := range []string{"道里区", "南岗区", "香坊区"} {
			divs = append(divs, ins(div, map[string]any{"name": n}))
			tags = append(tags, ins(tag, map[string]any{"name": n + "标签"}))
		}
		for i, d := range divs {
			for j := range i + 1 {
				ins(ent, map[string]any{"name": "e", "employees": j + 1, "division": d, "tags": map[string]any{"link": []any{tags[0], tags[i]}}})
			}
		}
		if err := ent.CheckRefs(ctx, s.DB, map[string]any{"division": int64(9999), "tags": map[string]any{"link": []any{tags[0], "8888"}}}, nil); apierr.CodeOf(err) != apierr.ValidationFailed ||
			!strings.Contains(err.Error(), "/input/division") || !strings.Contains(err.Error(), "/input/tags/link/1") {
			t.Fatalf("CheckRefs = %v", err)
		}
		count := func(fn func()) uint64 {
			before := reg.Statements()
			fn()
			return reg.Statements() - before
		}
		// One statement per level, a page per parent with its total.
		var pages map[int64]entity.Page
		n := count(func() {
			var err error
			pages, err = div.Load(ctx, s.DB, "enterprises", divs, entity.ListOptions{First: 2, Count: true, OrderBy: []entity.Order{{Field: "employees", Desc: true}}})
			if err != nil {
				t.Fatal(err)
			}
		})
		if last := pages[divs[2]]; n != 1 || len(last.Records) != 2 || last.Total != 3 || !last.HasNext || last.Records[0]["employees"] != int64(3) || pages[divs[0]].Total != 1 {
			t.Fatalf("oneToMany load (%d statements) = %+v", n, pages)
		}
		pages, err := tag.Load(ctx, s.DB, "enterprises", tags, entity.ListOptions{First: 10, Count: true})
		if err != nil || pages[tags[0]].Total != 6 || pages[tags[1]].Total != 2 {
			t.Fatalf("manyToMany inverse load = %+v, %v", pages, err)
		}
		pages, err = ent.Load(ctx, s.DB, "division", divs[:2], entity.ListOptions{First: 1, Scope: []entity.Cond{{SQL: "f_name <> ?", Args: []any{"南岗区"}}}})
		if err != nil || len(pages) != 1 || pages[divs[0]].Records[0]["name"] != "道里区" {
			t.Fatalf("manyToOne load under a scope = %+v, %v", pages, err)
		}
		// Filters on related records, limited by the related entity's scope.
		list := func(tb entity.Table, f map[string]any, scope entity.ScopeFunc) int {
			t.Helper()
			pg, err := tb.List(ctx, s.DB, entity.ListOptions{First: 10, Count: true, Filter: f, RelatedScope: scope})
			if err != nil {
				t.Fatal(err)
			}
			return pg.Total
		}
		if got := list(ent, map[string]any{"division": map[string]any{"name": map[string]any{"eq": "香坊区"}}}, nil); got != 3 {
			t.Fatalf("manyToOne filter: %d", got)
		}
		hidden := func(string) ([]entity.Cond, bool, error) { return nil, true, nil }
		if got := list(ent, map[string]any{"division": map[string]any{"name": map[string]any{"eq": "香坊区"}}}, hidden); got != 0 {
			t.Fatalf("a filter on what the caller cannot read: %d", got)
		}
		if got := list(div, map[string]any{"enterprises": map[string]any{"some": map[string]any{"employees": map[string]any{"gte": 2}}}}, nil); got != 2 {
			t.Fatalf("some: %d", got)
		}
		if got := list(div, map[string]any{"enterprises": map[string]any{"none": map[string]any{"employees": map[string]any{"gte": 3}}}}, nil); got != 2 {
			t.Fatalf("none: %d", got)
		}
		if got := list(tag, map[string]any{"enterprises": map[string]any{"some": map[string]any{"division": map[string]any{"name": map[string]any{"eq": "南岗区"}}}}}, nil); got != 2 {
			t.Fatalf("manyToMany through manyToOne: %d", got)
		}
		// Aggregates per group, in one statement.
		var groups []entity.Group
		n = count(func() {
			groups, err = ent.Aggregate(ctx, s.DB, entity.AggregateOptions{GroupBy: []string{"division"}, Funcs: []string{entity.Sum, entity.Avg, entity.Max}, Limit: 10})
		})
		if err != nil || n != 1 || len(groups) != 3 || groups[2].Count != 3 || groups[2].Values["sum"]["employees"] != 6.0 || groups[2].Values["avg"]["employees"] != 2.0 ||
			groups[2].Values["max"]["employees"] != int64(3) || groups[2].Key["division"] != divs[2] {
			t.Fatalf("aggregate (%d statements) = %+v, %v", n, groups, err)
		}
		if _, err := ent.Aggregate(ctx, s.DB, entity.AggregateOptions{GroupBy: []string{"tags"}, Limit: 1}); apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Fatalf("grouping by a manyToMany: %v", err)
		}
		// A referred record is not deleted; once free, it is.
		if err := div.Delete(ctx, s.DB, divs[0], "tester", nil); apierr.CodeOf(err) != apierr.Conflict || !strings.Contains(err.Error(), "1 enterprise (division)") {
			t.Fatalf("delete a referred division: %v", err)
		}
		first, err := ent.List(ctx, s.DB, entity.ListOptions{First: 1, Filter: map[string]any{"division": map[string]any{"name": map[string]any{"eq": "道里区"}}}})
		if err != nil {
			t.Fatal(err)
		}
		id := first.Records[0]["id"].(int64)
		up, err := ent.Update(ctx, s.DB, id, 0, "tester", map[string]any{"division": nil, "tags": map[string]any{"unlink": []any{tags[0]}}}, nil)
		if err != nil || up["division"] != nil {
			t.Fatalf("update = %v, %v", up, err)
		}
		if err := div.Delete(ctx, s.DB, divs[0], "tester", nil); err != nil {
			t.Fatalf("delete a free division: %v", err)
		}
		if _, err := ent.Insert(ctx, s.DB, "230000", "/230000/", "tester", map[string]any{"name": "x", "enterprises": 1, "division": "abc"}); apierr.CodeOf(err) != apierr.ValidationFailed ||
			!strings.Contains(err.Error(), "/input/division") || !strings.Contains(err.Error(), "/input/enterprises") {
			t.Fatalf("bad relation input: %v", err)
		}
	})
}

func TestRelationRules(t *testing.T) {
	spec := entity.Spec{Fields: []entity.FieldSpec{{Name: "name", Type: "string"}}, Relations: []entity.RelationSpec{
		{Name: "name", Kind: entity.ManyToOne, Entity: "division"},
		{Name: "owners", Kind: entity.OneToMany, Entity: "person"},
		{Name: "tags", Kind: entity.ManyToMany, Entity: "tag", Required: true},
	}}
	err := spec.Check(nil)
	for _, want := range []string{"/spec/relations/0/name", "/spec/relations/1/inverse", "/spec/relations/2/required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check lacks %s: %v", want, err)
		}
	}
	division, _ := entity.Build("division", []entity.Layer{{Tenant: "230100", Path: "/230000/230100/", Spec: entity.Spec{Fields: []entity.FieldSpec{{Name: "name", Type: "string"}}}}}, nil)
	others := map[string]entity.Layout{"division": division}
	rel := entity.Spec{Relations: []entity.RelationSpec{
		{Name: "division", Kind: entity.ManyToOne, Entity: "division", Inverse: "name"},
		{Name: "owner", Kind: entity.ManyToOne, Entity: "person"},
		{Name: "parent", Kind: entity.ManyToOne, Entity: "enterprise", Inverse: "children"},
	}}
	err = entity.CheckRelations("enterprise", "/230000/", rel, others)
	for _, want := range []string{"/spec/relations/0/entity", "/spec/relations/1/entity"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckRelations at the province lacks %s: %v", want, err)
		}
	}
	err = entity.CheckRelations("enterprise", "/230000/230100/", rel, others)
	if err == nil || !strings.Contains(err.Error(), `/spec/relations/0/inverse: division already has a field "name"`) || strings.Contains(err.Error(), "relations/2") {
		t.Errorf("CheckRelations in Harbin: %v", err)
	}
	prev := entity.Spec{Relations: []entity.RelationSpec{{Name: "division", Kind: entity.ManyToOne, Entity: "division", Inverse: "enterprises"}, {Name: "tags", Kind: entity.ManyToMany, Entity: "tag"}}}
	next := entity.Spec{Relations: []entity.RelationSpec{{Name: "division", Kind: entity.ManyToMany, Entity: "division", Inverse: "firms", Required: true}}}
	err = entity.Breaking(prev, next)
	for _, want := range []string{`relation "tags" is dropped`, `relation "division" changes`, "renames its inverse", "becomes required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Breaking lacks %q: %v", want, err)
		}
	}
}

// TestImportRelations imports manyToOne ids from CSV: each is checked like a written
// record's (live, readable by the caller), and a manyToMany column is refused.
func TestImportRelations(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		reg := relatedRegistry(t, s)
		tables := map[string]entity.Table{}
		for _, tb := range reg.Tables("230000", "/230000/") {
			tables[tb.Name] = tb
		}
		div, ent := tables["division"], tables["enterprise"]
		d, err := div.Insert(ctx, s.DB, "230000", "/230000/", "tester", map[string]any{"name": "道里区"})
		if err != nil {
			t.Fatal(err)
		}
		id := d["id"].(int64)
		opts := entity.ImportOptions{Format: entity.FormatCSV, ContinueOnError: true, Default: "230000", Actor: "tester",
			Tenant: func(string) (string, error) { return "/230000/", nil }}
		csv := "name,division\na," + strconv.FormatInt(id, 10) + "\nb,99999\nc,\n"
		rep, err := ent.Import(ctx, s.DB, strings.NewReader(csv), opts)
		if err != nil || rep.Imported != 2 || rep.Failed != 1 || rep.Errors[0].Row != 2 || rep.Errors[0].Path != "/division" {
			t.Fatalf("import with relation ids = %+v, %v", rep, err)
		}
		pages, err := div.Load(ctx, s.DB, "enterprises", []int64{id}, entity.ListOptions{First: 5, Count: true})
		if err != nil || pages[id].Total != 1 || pages[id].Records[0]["name"] != "a" {
			t.Fatalf("imported relation = %+v, %v", pages, err)
		}
		opts.Refs = func(string) ([]entity.Cond, bool, error) { return nil, true, nil }
		rep, err = ent.Import(ctx, s.DB, strings.NewReader(csv), opts)
		if err != nil || rep.Imported != 1 || rep.Failed != 2 {
			t.Fatalf("import of ids the caller may not read = %+v, %v", rep, err)
		}
		if _, err := ent.Import(ctx, s.DB, strings.NewReader("name,tags\na,1\n"), opts); apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Fatalf("a manyToMany column: %v", err)
		}
	})
}
