package resource

import (
	"bytes"
	"context"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func TestExportApplyRoundTrip(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s1 := newService(t, st)
		role := Object{APIVersion: DefaultAPIVersion, Kind: "Role", Metadata: Metadata{Tenant: "230100", Name: "editor", Labels: map[string]string{"team": "审批"}},
			Spec: map[string]any{"description": "edits", "permissions": []any{map[string]any{"resources": []any{"Item"}, "actions": []any{"read", "write"}}}}}
		apply(t, s1,
			item("230102", "b", map[string]any{"code": "2"}),
			item("230100", "b", map[string]any{"name": "B", "limits": map[string]any{"days": 3, "fee": 1.25}}, "/name"),
			item("230000", "a", map[string]any{"name": "A", "tags": []any{"x", "y"}}),
			item("230102001", "a", map[string]any{"enabled": true}),
			item("230200", "a", map[string]any{"name": "other city"}),
			role,
		)
		apply(t, s1, item("230102", "gone", map[string]any{"name": "g"}))
		must(t, s1.Delete(ctx, "x", "Item", "230102", "gone"))

		first := exportYAML(t, s1, "230000")
		s2 := newService(t, storetest.SQLite(t))
		objs, err := Decode(first)
		must(t, err)
		res := apply(t, s2, objs...)
		for _, r := range res {
			if r.Op != Created {
				t.Fatalf("re-import: %+v", r)
			}
		}
		if second := exportYAML(t, s2, "230000"); !bytes.Equal(first, second) {
			t.Fatalf("round trip differs:\n%s\n---- vs ----\n%s", first, second)
		}
		var order []string
		for _, o := range objs {
			order = append(order, o.Metadata.Tenant+"/"+o.Kind+"/"+o.Metadata.Name)
		}
		want := "230000/Item/a 230100/Item/b 230100/Role/editor 230102/Item/b 230102001/Item/a 230200/Item/a"
		if got := join(order); got != want {
			t.Fatalf("order = %s\nwant    %s", got, want)
		}
		only, err := s1.Export(ctx, "230100", false)
		must(t, err)
		if len(only) != 2 || only[0].Metadata.Version != 0 || !only[0].Metadata.UpdatedAt.IsZero() {
			t.Fatalf("Export(230100) = %+v", only)
		}
		_, err = s1.Export(ctx, "999", true)
		wantCode(t, err, apierr.NotFound)
	})
}

func exportYAML(t *testing.T, s *Service, tenant string) []byte {
	t.Helper()
	objs, err := s.Export(context.Background(), tenant, true)
	must(t, err)
	b, err := EncodeYAML(objs)
	must(t, err)
	return b
}

func join(s []string) string {
	var b bytes.Buffer
	for i, e := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e)
	}
	return b.String()
}
