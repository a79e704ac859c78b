package resource

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func TestApplyIdempotent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		s := newService(t, st)
		var changes []Change
		s.SetOnChange(func(_ context.Context, _ *ent.Tx, c Change) error {
			changes = append(changes, c)
			return nil
		})
		o := item("230100", "a", map[string]any{"name": "x", "limits": map[string]any{"days": 5}})
		o.Metadata.Labels = map[string]string{"area": "哈尔滨"}
		cases := []struct {
			op      string
			version int
		}{{Created, 1}, {Unchanged, 1}, {Unchanged, 1}}
		for i, tc := range cases {
			res := apply(t, s, o)
			if res[0].Op != tc.op || res[0].Object.Metadata.Version != tc.version {
				t.Fatalf("apply %d: op %s v%d, want %s v%d", i, res[0].Op, res[0].Object.Metadata.Version, tc.op, tc.version)
			}
		}
		if len(changes) != 1 || changes[0].Op != OpCreate || changes[0].Old != nil || changes[0].Actor != "tester" {
			t.Fatalf("changes = %+v", changes)
		}
		got, err := s.Get(context.Background(), "Item", "230100", "a")
		must(t, err)
		if got.Metadata.UpdatedBy != "tester" || got.Metadata.UpdatedAt.IsZero() || got.Metadata.Labels["area"] != "哈尔滨" {
			t.Fatalf("Get = %+v", got)
		}
		if got.Spec["limits"].(map[string]any)["days"] != 5.0 {
			t.Fatalf("spec = %v", got.Spec)
		}
	})
}

func TestVersionsHistoryDiffRevertDelete(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		var ops []string
		s.SetOnChange(func(_ context.Context, _ *ent.Tx, c Change) error {
			ops = append(ops, fmt.Sprintf("%s:v%d:old=%v", c.Op, c.Object.Metadata.Version, c.Old != nil))
			return nil
		})
		apply(t, s, item("230100", "a", map[string]any{"name": "v1", "tags": []any{"a"}}))
		res := apply(t, s, item("230100", "a", map[string]any{"name": "v2", "code": "7"}, "/name"))
		wantDiff := []DiffEntry{
			{Op: "add", Path: "/spec/code", New: "7"},
			{Op: "replace", Path: "/spec/name", Old: "v1", New: "v2"},
			{Op: "remove", Path: "/spec/tags", Old: []any{"a"}},
			{Op: "add", Path: "/locks", New: []string{"/name"}},
		}
		if res[0].Op != Updated || res[0].Object.Metadata.Version != 2 || !diffEqual(res[0].Diff, wantDiff) {
			t.Fatalf("update = %+v", res[0])
		}
		d, err := s.Diff(ctx, "Item", "230100", "a", 1, 2)
		must(t, err)
		if !diffEqual(d, wantDiff) {
			t.Fatalf("Diff = %+v", d)
		}

		reverted, err := s.Revert(ctx, "admin", "Item", "230100", "a", 1)
		must(t, err)
		if reverted.Metadata.Version != 3 || reverted.Spec["name"] != "v1" || reverted.Locks != nil {
			t.Fatalf("Revert = %+v", reverted)
		}
		must(t, s.Delete(ctx, "admin", "Item", "230100", "a"))
		_, err = s.Get(ctx, "Item", "230100", "a")
		wantCode(t, err, apierr.NotFound)
		wantCode(t, s.Delete(ctx, "admin", "Item", "230100", "a"), apierr.NotFound)
		_, err = s.Effective(ctx, "Item", "230100", "a")
		wantCode(t, err, apierr.NotFound)

		res = apply(t, s, item("230100", "a", map[string]any{"name": "v5"}))
		if res[0].Op != Created || res[0].Object.Metadata.Version != 5 {
			t.Fatalf("recreate = %+v", res[0])
		}

		wantOps := []string{"create:v1:old=false", "update:v2:old=true", "revert:v3:old=true", "delete:v4:old=true", "create:v5:old=false"}
		if !slices.Equal(ops, wantOps) {
			t.Fatalf("OnChange saw %v, want %v", ops, wantOps)
		}
		hist, more, err := s.History(ctx, "Item", "230100", "a", 2, 0)
		must(t, err)
		if !more || versionsOf(hist) != "5:create 4:delete" {
			t.Fatalf("history page 1 = %s more=%v", versionsOf(hist), more)
		}
		hist, more, err = s.History(ctx, "Item", "230100", "a", 10, 4)
		must(t, err)
		if more || versionsOf(hist) != "3:revert 2:update 1:create" {
			t.Fatalf("history page 2 = %s more=%v", versionsOf(hist), more)
		}
		if hist[1].Author != "tester" || hist[0].Author != "admin" || hist[1].Object.Spec["name"] != "v2" {
			t.Fatalf("history = %+v", hist)
		}
		_, err = s.Revert(ctx, "admin", "Item", "230100", "a", 4)
		wantCode(t, err, apierr.BadRequest)
		_, err = s.Revert(ctx, "admin", "Item", "230100", "a", 99)
		wantCode(t, err, apierr.NotFound)
	})
}

func versionsOf(vs []Version) string {
	var out string
	for i, v := range vs {
		if i > 0 {
			out += " "
		}
		out += itoa(v.Version) + ":" + v.Op
	}
	return out
}

func itoa(i int) string { return string(rune('0' + i)) }

func diffEqual(a, b []DiffEntry) bool {
	return slices.EqualFunc(a, b, func(x, y DiffEntry) bool {
		return x.Op == y.Op && x.Path == y.Path && equalValue(x.Old, y.Old) && equalValue(x.New, y.New)
	})
}

func TestApplyBatchIsAtomic(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		good := item("230100", "a", map[string]any{"name": "x"})
		cases := []struct {
			name  string
			setup func()
			objs  []Object
			code  apierr.Code
			paths []string
		}{
			{"invalid second", nil, []Object{good, item("230100", "b", map[string]any{"nmae": "y"})},
				apierr.ValidationFailed, []string{"/1/spec/nmae"}},
			{"second lacks a required field", nil, []Object{good, item("230100", "b", map[string]any{"code": "1"})},
				apierr.ValidationFailed, []string{"/spec/name"}},
			{"locked second", func() { apply(t, s, item("230000", "c", map[string]any{"name": "p"}, "/name")) },
				[]Object{good, item("230100", "c", map[string]any{"name": "q"})}, apierr.Locked, []string{"/spec/name"}},
			{"hook fails", func() {
				s.SetOnChange(func(_ context.Context, _ *ent.Tx, c Change) error {
					if c.Object.Metadata.Name == "d" {
						return errRefused
					}
					return nil
				})
			}, []Object{good, item("230100", "d", map[string]any{"name": "d"})}, apierr.Internal, nil},
		}
		for _, tc := range cases {
			if tc.setup != nil {
				tc.setup()
			}
			_, err := s.Apply(ctx, "tester", tc.objs, ApplyOptions{})
			e := wantCode(t, err, tc.code)
			if tc.paths != nil && !slices.Equal(paths(e), tc.paths) {
				t.Fatalf("%s: paths = %v, want %v", tc.name, paths(e), tc.paths)
			}
			_, err = s.Get(ctx, "Item", "230100", "a")
			wantCode(t, err, apierr.NotFound)
			if n := st.Client.ResourceVersion.Query().CountX(ctx); n > 1 {
				t.Fatalf("%s: %d versions stored", tc.name, n)
			}
		}
	})
}

func TestApplyChildBeforeParent(t *testing.T) {
	s := newService(t, storetest.SQLite(t))
	res := apply(t, s,
		item("230102", "a", map[string]any{"code": "2"}),
		item("230100", "a", map[string]any{"name": "city"}),
	)
	if res[0].Op != Created || res[1].Op != Created {
		t.Fatalf("results = %+v", res)
	}
	_, err := s.Apply(context.Background(), "u", []Object{item("230103", "b", map[string]any{"code": "2"})}, ApplyOptions{})
	e := wantCode(t, err, apierr.ValidationFailed)
	if !slices.Equal(paths(e), []string{"/spec/name"}) {
		t.Fatalf("paths = %v", paths(e))
	}
}

func TestApplyAdmit(t *testing.T) {
	s := New(storetest.SQLite(t), tree)
	var sawOld []bool
	must(t, s.RegisterKind(Kind{Name: "Item", Schema: []byte(itemSchema), Admit: func(_ context.Context, o Object, old *Object) error {
		sawOld = append(sawOld, old != nil)
		if o.Spec["name"] == "root" {
			return apierr.New(apierr.Forbidden, "no escalation")
		}
		return nil
	}}))
	apply(t, s, item("230100", "a", map[string]any{"name": "x"}))
	_, err := s.Apply(context.Background(), "u", []Object{item("230100", "a", map[string]any{"name": "root"})}, ApplyOptions{})
	wantCode(t, err, apierr.Forbidden)
	if !slices.Equal(sawOld, []bool{false, true}) {
		t.Fatalf("Admit saw old = %v", sawOld)
	}
}

func TestApplyDryRun(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		apply(t, s, item("230100", "a", map[string]any{"name": "x"}))
		objs := []Object{
			item("230100", "a", map[string]any{"name": "y"}),
			item("230100", "b", map[string]any{"name": "z"}),
		}
		res, err := s.Apply(ctx, "tester", objs, ApplyOptions{DryRun: true})
		must(t, err)
		if res[0].Op != Updated || res[0].Object.Metadata.Version != 2 || len(res[0].Diff) != 1 || res[1].Op != Created {
			t.Fatalf("dry run = %+v", res)
		}
		got, err := s.Get(ctx, "Item", "230100", "a")
		must(t, err)
		if got.Spec["name"] != "x" || got.Metadata.Version != 1 {
			t.Fatalf("dry run wrote: %+v", got)
		}
		_, err = s.Get(ctx, "Item", "230100", "b")
		wantCode(t, err, apierr.NotFound)
		if n := st.Client.ResourceVersion.Query().CountX(ctx); n != 1 {
			t.Fatalf("%d versions after dry run", n)
		}
		_, err = s.Apply(ctx, "tester", []Object{item("230100", "c", map[string]any{})}, ApplyOptions{DryRun: true})
		wantCode(t, err, apierr.ValidationFailed)
	})
}

func TestList(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		for _, tn := range []string{"230000", "230100", "230102", "230103", "230200"} {
			apply(t, s, item(tn, "a", map[string]any{"name": tn}), item(tn, "b", map[string]any{"name": tn}))
		}
		must(t, s.Delete(ctx, "x", "Item", "230103", "b"))
		var got []string
		after := ""
		for {
			p, err := s.List(ctx, ListOptions{Kind: "Item", Tenant: "230100", Subtree: true, First: 2, After: after})
			must(t, err)
			if p.Total != 5 {
				t.Fatalf("Total = %d", p.Total)
			}
			for _, o := range p.Items {
				got = append(got, o.Metadata.Tenant+"/"+o.Metadata.Name)
			}
			if !p.HasNext {
				break
			}
			after = p.EndCursor
		}
		want := []string{"230100/a", "230100/b", "230102/a", "230102/b", "230103/a"}
		if !slices.Equal(got, want) {
			t.Fatalf("List = %v, want %v", got, want)
		}
		p, err := s.List(ctx, ListOptions{Tenant: "230200", Name: "b"})
		must(t, err)
		if len(p.Items) != 1 || p.Total != 1 || p.HasNext {
			t.Fatalf("List one = %+v", p)
		}
		_, err = s.List(ctx, ListOptions{After: "!!"})
		wantCode(t, err, apierr.ValidationFailed)
	})
}
