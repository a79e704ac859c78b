package resource

import (
	"slices"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func TestValidate(t *testing.T) {
	s := newService(t, storetest.SQLite(t))
	long := strings.Repeat("a", 129)
	cases := []struct {
		name  string
		obj   Object
		paths []string
	}{
		{"valid", item("230100", "a1", map[string]any{"name": "x"}), nil},
		{"digit name", item("230100", "230100", map[string]any{"name": "x"}), nil},
		{"upper name", item("230100", "GB_T-2260.v1", map[string]any{"name": "x"}), nil},
		{"every schema error", item("230100", "a", map[string]any{
			"code": 12, "type": "other", "extra": true,
			"limits": map[string]any{"days": 0, "fee": "free", "more": 1},
			"tags":   []any{"ok", 3},
		}), []string{"/spec/code", "/spec/extra", "/spec/limits/days", "/spec/limits/fee", "/spec/limits/more", "/spec/tags/1", "/spec/type"}},
		{"metadata", Object{Kind: "Item", APIVersion: "v0", Metadata: Metadata{Tenant: "999999", Name: "-bad-", Labels: map[string]string{"ok": "1", "bad key!": "x", "A/b": "y"}}, Spec: map[string]any{"name": "x"}, Locks: []string{"name", "/ok", "/a~2"}},
			[]string{"/apiVersion", "/locks/0", "/locks/2", "/metadata/labels/A~1b", "/metadata/labels/bad key!", "/metadata/name", "/metadata/tenant"}},
		{"long name", item("230100", long, map[string]any{"name": "x"}), []string{"/metadata/name"}},
		{"missing", Object{Spec: map[string]any{}}, []string{"/kind", "/metadata/tenant", "/metadata/name"}},
		{"unknown kind", Object{Kind: "Nope", Metadata: Metadata{Tenant: "230100", Name: "a"}}, []string{"/kind"}},
		{"locks on non-inheritable kind", Object{APIVersion: DefaultAPIVersion, Kind: "Role", Metadata: Metadata{Tenant: "230100", Name: "r"},
			Spec: map[string]any{"permissions": []any{}}, Locks: []string{"/permissions"}}, []string{"/locks"}},
		{"role schema", Object{APIVersion: DefaultAPIVersion, Kind: "Role", Metadata: Metadata{Tenant: "230100", Name: "r"},
			Spec: map[string]any{"description": 1, "permissions": []any{map[string]any{"resources": []any{}, "actions": []any{"fly"}}, map[string]any{}}}},
			[]string{"/spec/description", "/spec/permissions/0/actions/0", "/spec/permissions/0/resources", "/spec/permissions/1/actions", "/spec/permissions/1/resources"}},
		{"binding schema", Object{APIVersion: DefaultAPIVersion, Kind: "RoleBinding", Metadata: Metadata{Tenant: "230100", Name: "b"},
			Spec: map[string]any{"subjects": []any{map[string]any{"kind": "Group"}}}},
			[]string{"/spec/role", "/spec/subjects/0/kind", "/spec/subjects/0/name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Validate(tc.obj)
			if tc.paths == nil {
				must(t, err)
				return
			}
			e := wantCode(t, err, apierr.ValidationFailed)
			got := paths(e)
			slices.Sort(got)
			want := slices.Clone(tc.paths)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("paths = %q, want %q\n%v", got, want, e)
			}
			for _, f := range e.Fields {
				if f.Message == "" || strings.Contains(f.Message, "%!") {
					t.Errorf("bad message at %s: %q", f.Path, f.Message)
				}
			}
		})
	}
}

func TestRegisterKind(t *testing.T) {
	s := newService(t, storetest.SQLite(t))
	if err := s.RegisterKind(Kind{Name: "Item"}); err == nil {
		t.Fatal("duplicate kind accepted")
	}
	if err := s.RegisterKind(Kind{Name: "Broken", Schema: []byte(`{"type": 5}`)}); err == nil {
		t.Fatal("broken schema accepted")
	}
	k, ok := s.Kind("Item")
	if !ok || k.APIVersion != DefaultAPIVersion || !k.Inheritable {
		t.Fatalf("Kind(Item) = %+v, %v", k, ok)
	}
	var names []string
	for _, k := range s.Kinds() {
		names = append(names, k.Name)
	}
	if want := []string{"Item", "Module", "Role", "RoleBinding"}; !slices.Equal(names, want) {
		t.Fatalf("Kinds = %v, want %v", names, want)
	}
}
