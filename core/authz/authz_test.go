package authz

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
)

func demoRoles() []Role {
	return []Role{
		{Tenant: "230000", Name: "viewer", Permissions: []Permission{{"tenants", "read"}, {"Role", "read"}}},
		{Tenant: "230000", Name: "admin", Permissions: []Permission{{"*", "*"}}},
		{Tenant: "230100", Name: "viewer", Permissions: []Permission{{"tenants", "read"}, {"users", "read"}}},
		{Tenant: "230100", Name: "editor", Permissions: []Permission{{"Role", "*"}, {"*", "read"}}},
	}
}

func demoBindings() []Binding {
	return []Binding{
		{Tenant: "230100", Name: "city-viewers", Role: "viewer", Users: []string{"alice"}},
		{Tenant: "230102", Name: "province-viewers", Role: "viewer", RoleTenant: "230000", Users: []string{"bob"}},
		{Tenant: "230200", Name: "qqhr-admins", Role: "admin", Users: []string{"carol"}},
		{Tenant: "230102", Name: "daoli-editors", Role: "editor", Users: []string{"dave"}},
		{Tenant: "230202", Name: "orphan", Role: "editor", Users: []string{"erin"}},
		{Tenant: "230100", Name: "foreign", Role: "admin", RoleTenant: "230200", Users: []string{"erin"}},
		{Tenant: "239999", Name: "nowhere", Role: "admin", Users: []string{"erin"}},
	}
}

func loaded(t testing.TB) *Authorizer {
	t.Helper()
	a := New(demoTree())
	if err := a.Load(demoRoles(), demoBindings()); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCheck(t *testing.T) {
	a := loaded(t)
	alice, bob, carol, dave := Subject{User: "alice"}, Subject{User: "bob"}, Subject{User: "carol"}, Subject{User: "dave"}
	cases := []struct {
		name             string
		sub              Subject
		tenant, on, act  string
		want             bool
		reasonContaining string
	}{
		{"binding tenant", alice, "230100", "tenants", "read", true, "allowed by binding city-viewers at 230100 (role 230100/viewer: tenants:read)"},
		{"child", alice, "230102", "tenants", "read", true, "at 230100"},
		{"grandchild", alice, "230102001", "tenants", "read", true, "at 230100"},
		{"parent", alice, "230000", "tenants", "read", false, "denied: no role binding grants tenants:read at 230000"},
		{"sibling", alice, "230200", "tenants", "read", false, "no role binding"},
		{"nearest role wins", alice, "230102", "users", "read", true, "role 230100/viewer"},
		{"nearest role hides the ancestor's", alice, "230102", "Role", "read", false, "no role binding"},
		{"explicit role tenant", bob, "230102", "Role", "read", true, "role 230000/viewer: Role:read"},
		{"explicit role tenant only", bob, "230102", "users", "read", false, ""},
		{"wildcard everything", carol, "230202", "Module", "delete", true, "role 230000/admin: *:*"},
		{"wildcard not outside", carol, "230100", "Module", "read", false, ""},
		{"wildcard action", dave, "230102001", "Role", "delete", true, "Role:*"},
		{"wildcard object", dave, "230102", "users", "read", true, "*:read"},
		{"wildcard object only read", dave, "230102", "users", "write", false, ""},
		{"no wildcard covers the audit trail", dave, "230102", "audit", "read", false, "no role binding grants audit:read"},
		{"nor does *:*", carol, "230202", "audit", "read", false, "no role binding grants audit:read"},
		{"unresolved binding", Subject{User: "erin"}, "230202", "Role", "read", false, ""},
		{"unknown user", Subject{User: "mallory"}, "230100", "tenants", "read", false, ""},
		{"no user", Subject{}, "230100", "tenants", "read", false, "no user"},
		{"unknown tenant", alice, "239999", "tenants", "read", false, "unknown tenant"},
		{"empty action", alice, "230100", "tenants", "", false, "required"},
		{"superadmin bootstraps", Subject{User: "root", Superadmin: true}, "230202", "RoleBinding", "write", true, "bootstrap superadmin holds RoleBinding:write"},
		{"superadmin reads users", Subject{User: "root", Superadmin: true}, "230000", "users", "read", true, "bootstrap"},
		{"superadmin nothing more", Subject{User: "root", Superadmin: true}, "230202", "audit", "read", false, "may only read tenants and users"},
		{"superadmin no roles", Subject{User: "root", Superadmin: true}, "230000", "Role", "write", false, "Role:write is beyond"},
		{"superadmin no unmask", Subject{User: "root", Superadmin: true}, "230000", "users", "unmask", false, "beyond"},
		{"superadmin unknown tenant", Subject{User: "root", Superadmin: true}, "239999", "users", "read", false, "unknown tenant"},
		{"superadmin token outside", Subject{User: "root", Superadmin: true, ScopeTenant: "230100"}, "230200", "users", "read", false, "limited to 230100"},
		{"token subtree", Subject{User: "alice", ScopeTenant: "230102"}, "230102001", "tenants", "read", true, ""},
		{"token subtree outside", Subject{User: "alice", ScopeTenant: "230102"}, "230103", "tenants", "read", false, "outside"},
		{"token scope", Subject{User: "alice", Scopes: []string{"users:read"}}, "230100", "users", "read", true, ""},
		{"token scope excludes", Subject{User: "alice", Scopes: []string{"users:read"}}, "230100", "tenants", "read", false, "do not include tenants:read"},
		{"token scope on:*", Subject{User: "alice", Scopes: []string{"tenants:*"}}, "230100", "tenants", "read", true, ""},
		{"token scope *:action", Subject{User: "alice", Scopes: []string{"*:read"}}, "230100", "tenants", "read", true, ""},
		{"token scope *", Subject{User: "alice", Scopes: []string{"*"}}, "230100", "tenants", "read", true, ""},
		{"token scope does not add", Subject{User: "alice", Scopes: []string{"*"}}, "230100", "tenants", "write", false, ""},
	}
	for _, tc := range cases {
		d := a.Check(tc.sub, tc.tenant, tc.on, tc.act)
		if d.Allowed != tc.want || !strings.Contains(d.Reason, tc.reasonContaining) {
			t.Errorf("%s: Check = %+v, want allowed=%v with %q", tc.name, d, tc.want, tc.reasonContaining)
		}
		if e := a.Explain(tc.sub, tc.tenant, tc.on, tc.act); e.Allowed != tc.want || strings.Contains(e.Reason, "disagrees") {
			t.Errorf("%s: Explain = %+v", tc.name, e)
		}
		if a.Allowed(tc.sub, tc.tenant, tc.on, tc.act) != tc.want {
			t.Errorf("%s: Allowed differs from Check", tc.name)
		}
	}
}

func TestProblems(t *testing.T) {
	got := loaded(t).Problems()
	if len(got) != 3 || !strings.Contains(got[0], "orphan") || !strings.Contains(got[1], "foreign") || !strings.Contains(got[2], "unknown tenant 239999") {
		t.Fatalf("Problems = %q", got)
	}
}

func TestExplainNamesTheRule(t *testing.T) {
	d := loaded(t).Explain(Subject{User: "alice"}, "230102", "tenants", "read")
	if !d.Allowed || !strings.Contains(d.Reason, "casbin rule role:230100/viewer tenants:read") || !strings.Contains(d.Reason, "binding city-viewers") {
		t.Fatalf("Explain = %+v", d)
	}
}

func TestTenantsWithPermission(t *testing.T) {
	a := loaded(t)
	extra := append(demoBindings(), Binding{Tenant: "230000", Name: "all", Role: "viewer", Users: []string{"dave"}})
	if err := a.Load(demoRoles(), extra); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		sub     Subject
		on, act string
		want    []string
	}{
		{"one binding", Subject{User: "alice"}, "tenants", "read", []string{"230100"}},
		{"token narrows to its subtree", Subject{User: "alice", ScopeTenant: "230102"}, "tenants", "read", []string{"230102"}},
		{"token below keeps binding", Subject{User: "carol", ScopeTenant: "230000"}, "Role", "read", []string{"230200"}},
		{"token elsewhere", Subject{User: "alice", ScopeTenant: "230200"}, "tenants", "read", nil},
		{"token scope", Subject{User: "alice", Scopes: []string{"users:*"}}, "tenants", "read", nil},
		{"wildcard", Subject{User: "carol"}, "Role", "read", []string{"230200"}},
		{"nested bindings collapse", Subject{User: "dave"}, "Role", "read", []string{"230000"}},
		{"none", Subject{User: "bob"}, "users", "write", nil},
		{"superadmin", Subject{User: "root", Superadmin: true}, "users", "read", []string{"230000"}},
		{"superadmin token", Subject{User: "root", Superadmin: true, ScopeTenant: "230100"}, "users", "read", []string{"230100"}},
		{"superadmin beyond bootstrap", Subject{User: "root", Superadmin: true}, "audit", "read", nil},
	}
	for _, tc := range cases {
		if got := a.TenantsWithPermission(tc.sub, tc.on, tc.act); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: TenantsWithPermission = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCanGrant(t *testing.T) {
	a := loaded(t)
	dave := Subject{User: "dave"}
	cases := []struct {
		name    string
		sub     Subject
		tenant  string
		perms   []Permission
		missing int
	}{
		{"holds it", dave, "230102", []Permission{{"Role", "write"}, {"Role", "*"}}, 0},
		{"holds it below", dave, "230102001", []Permission{{"tenants", "read"}}, 0},
		{"lacks some", dave, "230102", []Permission{{"Role", "write"}, {"tenants", "write"}, {"*", "*"}}, 2},
		{"outside subtree", dave, "230103", []Permission{{"Role", "read"}}, 1},
		{"above subtree", dave, "230100", []Permission{{"Role", "read"}}, 1},
		{"wildcard needs wildcard", Subject{User: "alice"}, "230100", []Permission{{"tenants", "*"}}, 1},
		{"superadmin holds only bootstrap", Subject{User: "root", Superadmin: true}, "230000", []Permission{{"users", "write"}, {"*", "*"}, {"audit", "read"}}, 2},
		{"nothing to grant", Subject{User: "mallory"}, "230000", nil, 0},
	}
	for _, tc := range cases {
		err := a.CanGrant(tc.sub, tc.tenant, tc.perms)
		if tc.missing == 0 {
			if err != nil {
				t.Errorf("%s: CanGrant = %v", tc.name, err)
			}
			continue
		}
		e, ok := apierr.As(err)
		if !ok || e.Code != apierr.Forbidden || len(e.Fields) != tc.missing {
			t.Errorf("%s: CanGrant = %v, want FORBIDDEN listing %d", tc.name, err, tc.missing)
		}
	}
}

func TestInvalidLoadKeepsPolicy(t *testing.T) {
	a := loaded(t)
	bad := []struct {
		name     string
		roles    []Role
		bindings []Binding
	}{
		{"role without name", []Role{{Tenant: "230000"}}, nil},
		{"bad action", []Role{{Tenant: "230000", Name: "x", Permissions: []Permission{{"Role", "approve"}}}}, nil},
		{"empty object", []Role{{Tenant: "230000", Name: "x", Permissions: []Permission{{"", "read"}}}}, nil},
		{"duplicate role", []Role{{Tenant: "230000", Name: "x"}, {Tenant: "230000", Name: "x"}}, nil},
		{"binding without role", nil, []Binding{{Tenant: "230000", Name: "b"}}},
		{"empty user", nil, []Binding{{Tenant: "230000", Name: "b", Role: "x", Users: []string{""}}}},
		{"duplicate binding", nil, []Binding{{Tenant: "230000", Name: "b", Role: "x"}, {Tenant: "230000", Name: "b", Role: "y"}}},
	}
	for _, tc := range bad {
		err := a.Load(tc.roles, tc.bindings)
		if err == nil || !strings.HasPrefix(err.Error(), "authz: ") {
			t.Errorf("%s: Load = %v, want an authz error", tc.name, err)
		}
	}
	if !a.Allowed(Subject{User: "alice"}, "230102", "tenants", "read") || len(a.Problems()) != 3 {
		t.Fatal("a failed Load must keep the previous policy")
	}
}

func TestNewDeniesEverything(t *testing.T) {
	a := New(demoTree())
	if d := a.Check(Subject{User: "alice"}, "230100", "tenants", "read"); d.Allowed {
		t.Fatalf("Check before Load = %+v", d)
	}
	if d := a.Explain(Subject{User: "alice"}, "230100", "tenants", "read"); d.Allowed {
		t.Fatalf("Explain before Load = %+v", d)
	}
	if err := a.Load(nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRolesAt(t *testing.T) {
	a := loaded(t)
	cases := []struct {
		sub    Subject
		tenant string
		want   []string
	}{
		{Subject{User: "alice"}, "230102", []string{"230100/viewer"}},
		{Subject{User: "alice"}, "230200", nil},
		{Subject{User: "root", Superadmin: true}, "230102", nil},
	}
	for _, c := range cases {
		if got := a.RolesAt(c.sub, c.tenant); !reflect.DeepEqual(got, c.want) {
			t.Errorf("RolesAt(%v, %s) = %v, want %v", c.sub, c.tenant, got, c.want)
		}
	}
}
