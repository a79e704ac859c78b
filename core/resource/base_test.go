package resource

import (
	"context"
	"slices"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// TestBaseKind: a kind built on a base merges the base's layers first and obeys
// its locks, at the base's own tenant and below.
func TestBaseKind(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		var changes []string
		must(t, s.RegisterKind(Kind{Name: "Impl", Base: "Item", Inheritable: true, Schema: []byte(itemSchema),
			OnChanges: func(ctx context.Context, tx *ent.Tx, cs []Change) error {
				if tx == nil {
					t.Error("OnChanges without a transaction")
				}
				for _, c := range cs {
					// Inside the hook, Effective sees the batch not yet committed.
					if _, err := s.Effective(ctx, c.Object.Kind, c.Object.Metadata.Tenant, c.Object.Metadata.Name); err != nil {
						t.Errorf("Effective inside OnChanges: %v", err)
					}
					changes = append(changes, c.Op+" "+c.Object.Metadata.Tenant)
				}
				return nil
			}}))
		impl := func(tenant string, spec map[string]any) Object {
			o := item(tenant, "x", spec)
			o.Kind = "Impl"
			return o
		}
		apply(t, s, item("230000", "x", map[string]any{"name": "Licence", "code": "1"}, "/name", "/code"))

		if _, err := s.Effective(ctx, "Impl", "230102", "x"); apierr.CodeOf(err) != apierr.NotFound {
			t.Fatalf("an item alone is not an implementation: %v", err)
		}
		cases := []struct {
			name, tenant string
			spec         map[string]any
			locked       []string
		}{
			{"locked at the base's own tenant", "230000", map[string]any{"name": "Other"}, []string{"/spec/name"}},
			{"locked below", "230102", map[string]any{"name": "Other", "code": "9"}, []string{"/spec/code", "/spec/name"}},
			{"the locked value itself", "230102", map[string]any{"name": "Licence"}, nil},
			{"unlocked field", "230102", map[string]any{"type": "permit"}, nil},
		}
		for _, tc := range cases {
			_, err := s.Apply(ctx, "d", []Object{impl(tc.tenant, tc.spec)}, ApplyOptions{DryRun: true})
			if tc.locked == nil {
				must(t, err)
				continue
			}
			e := wantCode(t, err, apierr.Locked)
			if !slices.Equal(paths(e), tc.locked) || e.Details["lockedBy"] != "230000" {
				t.Fatalf("%s: %v %v", tc.name, paths(e), e.Details)
			}
		}
		changes = nil // dry runs call OnChange too, inside the transaction they roll back
		apply(t, s, impl("230100", map[string]any{"type": "licence"}), impl("230102", map[string]any{"type": "permit"}))
		if !slices.Equal(changes, []string{"create 230100", "create 230102"}) {
			t.Fatalf("OnChange saw %v", changes)
		}
		all, err := s.EffectiveEverywhere(ctx, "Impl", []string{"x", "x", "none"})
		must(t, err)
		if len(all["x"]) != 2 || all["x"][0].Tenant != "230100" || all["x"][1].Spec["type"] != "permit" || all["x"][1].Spec["name"] != "Licence" || len(all["none"]) != 0 {
			t.Fatalf("EffectiveEverywhere = %+v", all)
		}
		eff, err := s.Effective(ctx, "Impl", "230102", "x")
		must(t, err)
		want := map[string]any{"name": "Licence", "code": "1", "type": "permit"}
		if !equalValue(eff.Spec, want) || eff.Locks["/name"] != "230000" {
			t.Fatalf("Effective = %+v", eff)
		}
		// A change of the base reaches the cached effective spec of the derived kind.
		apply(t, s, item("230000", "x", map[string]any{"name": "Renamed", "code": "1"}, "/name", "/code"))
		eff, err = s.Effective(ctx, "Impl", "230102", "x")
		must(t, err)
		if eff.Spec["name"] != "Renamed" {
			t.Fatalf("after renaming the item: %v", eff.Spec)
		}
		origins, err := s.Explain(ctx, "Impl", "230102", "x")
		must(t, err)
		for _, o := range origins {
			if o.Path == "/spec/name" && (o.Status != LockedBy || o.LockedBy != "230000") {
				t.Fatalf("explain name: %+v", o)
			}
		}
		// The base's lock added later binds existing layers' validation on the next write.
		if _, err := s.Apply(ctx, "d", []Object{impl("230103", map[string]any{"type": "nope"})}, ApplyOptions{}); apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Fatalf("the merged spec is validated: %v", err)
		}
		if err := s.RegisterKind(Kind{Name: "Orphan", Base: "Missing", Inheritable: true}); err == nil {
			t.Fatal("a kind on an unknown base registered")
		}
		if err := s.RegisterKind(Kind{Name: "Flat", Base: "Item"}); err == nil {
			t.Fatal("a non-inheritable kind on a base registered")
		}
	})
}
