package oidc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/oidc"
	"github.com/gdbos/gdbos/core/resource"
)

// prefixTenants treats a code as within another when it starts with the
// ancestor's significant digits, enough for these tests.
type prefixTenants struct{}

func (prefixTenants) IsWithin(code, ancestor string) bool {
	return strings.HasPrefix(code, strings.TrimRight(ancestor, "0"))
}

func TestAdmit(t *testing.T) {
	noAdmin := func(_ context.Context, _, role string) error {
		if role == "admin" {
			return errors.New("you may not grant admin")
		}
		return nil
	}
	admit := oidc.Admit(prefixTenants{}, noAdmin)
	obj := resource.Object{Kind: oidc.Kind, Metadata: resource.Metadata{Tenant: "230100", Name: "harbin"}, Spec: map[string]any{
		"issuer": "https://sso.example", "clientID": "gdbos", "redirectURL": "https://gdbos.example/auth/oidc/callback",
		"groupBindings": []any{
			map[string]any{"group": "a", "role": "reader"},
			map[string]any{"group": "b", "role": "reader", "tenant": "230000"},
			map[string]any{"group": "c", "role": "admin", "tenant": "230102"},
		},
	}}
	e, ok := apierr.As(admit(context.Background(), obj, nil))
	if !ok || e.Code != apierr.ValidationFailed || len(e.Fields) != 2 ||
		e.Fields[0].Path != "/spec/groupBindings/1/tenant" || e.Fields[1].Path != "/spec/groupBindings/2/role" {
		t.Fatalf("admit = %v", e)
	}
}

func TestBindingName(t *testing.T) {
	for _, tc := range []struct{ provider, group, role, want string }{
		{"hlj", "county-officers", "officer", "oidc-hlj-county-officers-officer"},
		{"hlj", "/gov/县级 officers", "officer", "oidc-hlj--gov-officers-officer-"},
		{"hlj", "staff.", "reader", "oidc-hlj-staff.-reader"},
	} {
		got := oidc.BindingName(tc.provider, tc.group, tc.role)
		if !strings.HasPrefix(got, tc.want) || len(got) > 128 {
			t.Errorf("BindingName(%q, %q, %q) = %q, want prefix %q", tc.provider, tc.group, tc.role, got, tc.want)
		}
	}
	if a, b := oidc.BindingName("p", "a/b", "r"), oidc.BindingName("p", "a b", "r"); a == b {
		t.Errorf("different groups share the binding %q", a)
	}
	if long := oidc.BindingName("p", strings.Repeat("g", 200), "r"); len(long) != 128 {
		t.Errorf("long name has %d characters", len(long))
	}
}
