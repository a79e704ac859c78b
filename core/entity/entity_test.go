package entity_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func ptr(f float64) *float64 { return &f }

var enterprise = entity.Spec{Fields: []entity.FieldSpec{
	{Name: "uscc", Type: "string", Length: 18, Required: true, Unique: true},
	{Name: "name", Type: "string", Length: 100, Required: true},
	{Name: "division", Type: "string", Index: true},
	{Name: "capital", Type: "decimal", Min: ptr(0)},
	{Name: "employees", Type: "integer", Min: ptr(0)},
	{Name: "listed", Type: "boolean"},
	{Name: "founded", Type: "date"},
}}

func layout(t *testing.T, layers ...entity.Layer) entity.Layout {
	t.Helper()
	lo, err := entity.Build("enterprise", layers, nil)
	if err != nil {
		t.Fatal(err)
	}
	return lo
}

func TestTablesAndRecords(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := entity.Layer{Tenant: "230000", Path: "/230000/", Spec: enterprise}
		lo := layout(t, base)
		if err := entity.Sync(ctx, s.DB, s.Dialect, lo); err != nil {
			t.Fatal(err)
		}
		if err := entity.Sync(ctx, s.DB, s.Dialect, lo); err != nil {
			t.Fatalf("second sync must change nothing: %v", err)
		}
		// A county adds a local field; the province's view does not show it.
		local := entity.Layer{Tenant: "230102", Path: "/230000/230100/230102/", Spec: entity.Spec{Fields: []entity.FieldSpec{{Name: "street", Type: "string"}}}}
		lo = layout(t, local, base)
		if err := entity.Sync(ctx, s.DB, s.Dialect, lo); err != nil {
			t.Fatal(err)
		}
		if got := len(lo.View("/230000/")); got != 7 {
			t.Fatalf("province view has %d fields, want 7", got)
		}
		county := entity.Table{Dialect: s.Dialect, Name: "enterprise", Table: lo.Table, Fields: lo.View("/230000/230100/230102/")}
		r, err := county.Insert(ctx, s.DB, "230102", "/230000/230100/230102/", "tester", map[string]any{
			"uscc": "91230102MA1B2C3D4E", "name": "道里科技", "capital": 120.5, "employees": float64(30), "listed": true, "founded": "2019-03-01", "street": "中央大街",
		})
		if err != nil {
			t.Fatal(err)
		}
		if r["street"] != "中央大街" || r["employees"] != int64(30) || r["listed"] != true || r["capital"] != 120.5 || r["version"] != int64(1) {
			t.Fatalf("record = %v", r)
		}
		_, err = county.Insert(ctx, s.DB, "230102", "/230000/230100/230102/", "tester", map[string]any{
			"name": strings.Repeat("长", 101), "employees": -1.5, "founded": "2019-02-30", "nosuch": 1,
		})
		e, ok := apierr.As(err)
		if !ok || e.Code != apierr.ValidationFailed || len(e.Fields) != 5 {
			t.Fatalf("bad record: %v", err)
		}
		for _, p := range []string{"/input/uscc", "/input/name", "/input/employees", "/input/founded", "/input/nosuch"} {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error lacks %s: %v", p, err)
			}
		}
		_, err = county.Insert(ctx, s.DB, "230102", "/230000/230100/230102/", "tester", map[string]any{"uscc": "91230102MA1B2C3D4E", "name": "同码"})
		if apierr.CodeOf(err) != apierr.Conflict {
			t.Fatalf("duplicate uscc: %v", err)
		}
		for i, n := range []string{"甲", "乙", "丙"} {
			if _, err := county.Insert(ctx, s.DB, "230102", "/230000/230100/230102/", "tester", map[string]any{
				"uscc": "9123010200000000" + string(rune('A'+i)) + "X", "name": n, "employees": float64(i * 10)}); err != nil {
				t.Fatal(err)
			}
		}
		page, err := county.List(ctx, s.DB, entity.ListOptions{First: 2, Count: true,
			Filter:  map[string]any{"or": []any{map[string]any{"employees": map[string]any{"gte": 10}}, map[string]any{"name": map[string]any{"startsWith": "道里"}}}},
			OrderBy: []entity.Order{{Field: "employees", Desc: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 3 || !page.HasNext || len(page.Records) != 2 || page.Records[0]["name"] != "道里科技" || page.Records[1]["name"] != "丙" {
			t.Fatalf("page = %+v", page)
		}
		_, err = county.List(ctx, s.DB, entity.ListOptions{First: 2, Filter: map[string]any{"nosuch": map[string]any{"eq": 1}, "employees": map[string]any{"near": 3}}})
		if e, ok := apierr.As(err); !ok || len(e.Fields) != 2 {
			t.Fatalf("bad filter: %v", err)
		}
		id := r["id"].(int64)
		if _, err := county.Update(ctx, s.DB, id, 2, "tester", map[string]any{"employees": 31}, nil); apierr.CodeOf(err) != apierr.Conflict {
			t.Fatalf("stale version: %v", err)
		}
		up, err := county.Update(ctx, s.DB, id, 1, "tester", map[string]any{"employees": 31}, nil)
		if err != nil || up["employees"] != int64(31) || up["version"] != int64(2) || up["name"] != "道里科技" {
			t.Fatalf("update = %v, %v", up, err)
		}
		outside := []entity.Cond{{SQL: "tenant_path LIKE '/230000/230200/%'"}}
		if err := county.Delete(ctx, s.DB, id, "tester", outside); apierr.CodeOf(err) != apierr.NotFound {
			t.Fatalf("delete outside the scope: %v", err)
		}
		if err := county.Delete(ctx, s.DB, id, "tester", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := county.Get(ctx, s.DB, id, nil, false); apierr.CodeOf(err) != apierr.NotFound {
			t.Fatalf("deleted record read: %v", err)
		}
		if back, err := county.Restore(ctx, s.DB, id, "tester", nil); err != nil || back["deletedAt"] != nil {
			t.Fatalf("restore = %v, %v", back, err)
		}
	})
}

func TestLayoutRules(t *testing.T) {
	base := entity.Layer{Tenant: "230100", Path: "/230000/230100/", Spec: enterprise}
	redefine := entity.Layer{Tenant: "230102", Path: "/230000/230100/230102/", Spec: entity.Spec{Fields: []entity.FieldSpec{{Name: "name", Type: "text"}}}}
	elsewhere := entity.Layer{Tenant: "230200", Path: "/230000/230200/", Spec: entity.Spec{Fields: []entity.FieldSpec{{Name: "x", Type: "text"}}}}
	_, err := entity.Build("enterprise", []entity.Layer{redefine, base, elsewhere}, nil)
	if err == nil || !strings.Contains(err.Error(), `"name" is inherited from 230100`) || !strings.Contains(err.Error(), "230200 is outside its subtree") {
		t.Fatalf("Build = %v", err)
	}
	next := entity.Spec{Fields: append([]entity.FieldSpec{}, enterprise.Fields[1:]...)}
	next.Fields[0].Type = "text"
	next.Fields[1].Required = true
	err = entity.Breaking(enterprise, next)
	for _, want := range []string{`field "uscc" is dropped`, `"name" changes type`, `"division" becomes required`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Breaking lacks %q: %v", want, err)
		}
	}
	if err := entity.Breaking(enterprise, entity.Spec{Fields: append(enterprise.Fields, entity.FieldSpec{Name: "more", Type: "text"})}); err != nil {
		t.Errorf("adding a field is not breaking: %v", err)
	}
	bad := entity.Spec{Fields: []entity.FieldSpec{{Name: "id", Type: "string"}, {Name: "Bad"}, {Name: "x", Type: "money", Min: ptr(2), Max: ptr(1), Pattern: "("}}, Indexes: [][]string{{"nope"}}}
	err = bad.Check(nil)
	e, ok := apierr.As(err)
	if !ok || len(e.Fields) != 7 {
		t.Fatalf("Check = %v", err)
	}
}
