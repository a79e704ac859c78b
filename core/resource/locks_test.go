package resource

import (
	"context"
	"slices"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func TestLocks(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		apply(t, s,
			item("230000", "x", map[string]any{"name": "Licence", "code": "1", "limits": map[string]any{"days": 20, "fee": 0}}),
			item("230100", "x", map[string]any{"name": "City licence", "limits": map[string]any{"days": 15}, "tags": []any{"c"}}, "/name", "/limits/days", "/tags/0"),
		)
		cases := []struct {
			name   string
			spec   map[string]any
			fields []string
		}{
			{"override locked field", map[string]any{"name": "Mine"}, []string{"/spec/name"}},
			{"override locked nested field", map[string]any{"name": "City licence", "limits": map[string]any{"days": 3}}, []string{"/spec/limits/days"}},
			{"replace array holding locked field", map[string]any{"tags": []any{"z"}}, []string{"/spec/tags"}},
			{"two locked fields", map[string]any{"name": "Mine", "limits": map[string]any{"days": 3, "fee": 1}}, []string{"/spec/limits/days", "/spec/name"}},
			{"equal values are allowed", map[string]any{"name": "City licence", "limits": map[string]any{"days": 15, "fee": 2}}, nil},
			{"unlocked field", map[string]any{"name": "City licence", "code": "2"}, nil},
			{"partial layer, name inherited", map[string]any{"code": "3"}, nil},
		}
		for _, tc := range cases {
			_, err := s.Apply(ctx, "d", []Object{item("230102", "x", tc.spec)}, ApplyOptions{DryRun: true})
			if tc.fields == nil {
				must(t, err)
				continue
			}
			e := wantCode(t, err, apierr.Locked)
			if !slices.Equal(paths(e), tc.fields) || e.Details["lockedBy"] != "230100" {
				t.Fatalf("%s: %v details %v", tc.name, e, e.Details)
			}
			if want := "field " + tc.fields[0] + " is locked by tenant 230100"; e.Message != want {
				t.Fatalf("%s: message %q, want %q", tc.name, e.Message, want)
			}
		}
		// The city may change its own locked values; the province is not constrained.
		apply(t, s, item("230102", "x", map[string]any{"name": "City licence", "code": "2"}))
		apply(t, s, item("230000", "x", map[string]any{"name": "Province", "code": "1", "limits": map[string]any{"days": 20, "fee": 0}}))

		eff, err := s.Effective(ctx, "Item", "230102001", "x")
		must(t, err)
		wantSpec := map[string]any{"name": "City licence", "code": "2", "limits": map[string]any{"days": 15.0, "fee": 0.0}, "tags": []any{"c"}}
		if !equalValue(eff.Spec, wantSpec) || !slices.Equal(eff.Layers, []string{"230000", "230100", "230102"}) {
			t.Fatalf("Effective = %+v", eff)
		}
		if eff.Locks["/name"] != "230100" || eff.Locks["/limits/days"] != "230100" {
			t.Fatalf("Locks = %v", eff.Locks)
		}
		wantExplain(t, s, "230102", []string{
			"/spec/code=2 overridden at 230102",
			"/spec/limits/days=15 from 230100, locked",
			"/spec/limits/fee=0 from 230000",
			"/spec/name=City licence from 230100, locked",
			"/spec/tags=[c] from 230100, locked",
		})
		wantExplain(t, s, "230100", []string{
			"/spec/code=1 from 230000",
			"/spec/limits/days=15 overridden at 230100",
			"/spec/limits/fee=0 from 230000",
			"/spec/name=City licence overridden at 230100",
			"/spec/tags=[c] defined at 230100",
		})
	})
}

func TestLockAfterOverride(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		apply(t, s,
			item("230100", "x", map[string]any{"name": "City"}),
			item("230102", "x", map[string]any{"name": "District", "tags": []any{"d"}}),
		)
		if eff, _ := s.Effective(ctx, "Item", "230102", "x"); eff.Spec["name"] != "District" {
			t.Fatalf("before lock: %v", eff.Spec)
		}
		apply(t, s, item("230100", "x", map[string]any{"name": "City"}, "/name"))
		eff, err := s.Effective(ctx, "Item", "230102", "x")
		must(t, err)
		if eff.Spec["name"] != "City" {
			t.Fatalf("after lock: %v", eff.Spec)
		}
		ex, err := s.Explain(ctx, "Item", "230102", "x")
		must(t, err)
		if len(ex) != 2 || ex[0].Status != LockedBy || len(ex[0].Shadowed) != 1 ||
			ex[0].Shadowed[0] != (Layer{Tenant: "230102", Value: "District"}) {
			t.Fatalf("Explain = %+v", ex)
		}
		if got := ex[0].Describe(); got != "from 230100, locked (1 override(s) ignored: 230102)" {
			t.Fatalf("Describe = %q", got)
		}
		// The shadowed override stays stored and may be edited, as long as it does not
		// touch the locked field again with a different value.
		_, err = s.Apply(ctx, "d", []Object{item("230102", "x", map[string]any{"name": "District", "tags": []any{"e"}})}, ApplyOptions{})
		wantCode(t, err, apierr.Locked)
		apply(t, s, item("230102", "x", map[string]any{"name": "City", "tags": []any{"e"}}))
	})
}

func TestEffectiveIsACopy(t *testing.T) {
	s := newService(t, storetest.SQLite(t))
	apply(t, s, item("230100", "x", map[string]any{"name": "a", "limits": map[string]any{"days": 1}}))
	ctx := context.Background()
	eff, err := s.Effective(ctx, "Item", "230102", "x")
	must(t, err)
	eff.Spec["limits"].(map[string]any)["days"] = 99
	eff.Locks["/x"] = "y"
	again, err := s.Effective(ctx, "Item", "230102", "x")
	must(t, err)
	if again.Spec["limits"].(map[string]any)["days"] != 1.0 || len(again.Locks) != 0 {
		t.Fatalf("cache corrupted: %+v", again)
	}
	// Non-inheritable kinds apply only where they are defined.
	role := Object{APIVersion: DefaultAPIVersion, Kind: "Role", Metadata: Metadata{Tenant: "230100", Name: "r"},
		Spec: map[string]any{"permissions": []any{map[string]any{"resources": []any{"*"}, "actions": []any{"read"}}}}}
	apply(t, s, role)
	if _, err := s.Effective(ctx, "Role", "230100", "r"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Effective(ctx, "Role", "230102", "r")
	wantCode(t, err, apierr.NotFound)
	// Invalidate lets a write made elsewhere show.
	_, err = st(s).Client.Resource.Update().SetSpec(map[string]any{"name": "b"}).Save(ctx)
	must(t, err)
	if eff, _ := s.Effective(ctx, "Item", "230102", "x"); eff.Spec["name"] != "a" {
		t.Fatalf("expected cached value, got %v", eff.Spec)
	}
	s.Invalidate("Item", "x")
	if eff, _ := s.Effective(ctx, "Item", "230102", "x"); eff.Spec["name"] != "b" {
		t.Fatalf("after Invalidate: %v", eff.Spec)
	}
}

func st(s *Service) *store.Store { return s.st }

func wantExplain(t *testing.T, s *Service, tenant string, want []string) {
	t.Helper()
	ex, err := s.Explain(context.Background(), "Item", tenant, "x")
	must(t, err)
	var got []string
	for _, f := range ex {
		got = append(got, f.Path+"="+fmtValue(f.Value)+" "+f.Describe())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Explain at %s:\n got %q\nwant %q", tenant, got, want)
	}
}

func TestEffectiveConcurrentWithWrites(t *testing.T) {
	s := newService(t, storetest.SQLite(t))
	ctx := context.Background()
	apply(t, s, item("230100", "x", map[string]any{"name": "v0"}))
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := s.Effective(ctx, "Item", "230102", "x"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 1; i <= 20; i++ {
		apply(t, s, item("230100", "x", map[string]any{"name": fmtValue(i)}))
	}
	close(done)
	for range 4 {
		must(t, <-errs)
	}
	eff, err := s.Effective(ctx, "Item", "230102", "x")
	must(t, err)
	if eff.Spec["name"] != "20" {
		t.Fatalf("stale effective spec after writes: %v", eff.Spec)
	}
}
