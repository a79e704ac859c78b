package authz_test

import (
	"fmt"
	"slices"

	"github.com/gdbos/gdbos/core/authz"
)

// lineages is a tiny tenant tree; in the kernel, *tenant.Service plays this part.
type lineages map[string][]string

func (l lineages) LineageCodes(code string) ([]string, bool) { v, ok := l[code]; return v, ok }
func (l lineages) IsWithin(code, ancestor string) bool       { return slices.Contains(l[code], ancestor) }

func ExampleAuthorizer_Check() {
	tree := lineages{
		"230000":    {"230000"},
		"230100":    {"230000", "230100"},
		"230102":    {"230000", "230100", "230102"},
		"230102001": {"230000", "230100", "230102", "230102001"},
		"230200":    {"230000", "230200"},
	}
	a := authz.New(tree)
	err := a.Load(
		[]authz.Role{{Tenant: "230000", Name: "viewer", Permissions: []authz.Permission{{On: "tenants", Action: "read"}}}},
		[]authz.Binding{{Tenant: "230100", Name: "harbin-viewers", Role: "viewer", Users: []string{"li"}}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	li := authz.Subject{User: "li"}
	fmt.Println(a.Check(li, "230102001", "tenants", "read").Reason)
	fmt.Println(a.Check(li, "230200", "tenants", "read").Reason)
	fmt.Println(a.TenantsWithPermission(li, "tenants", "read"))
	fmt.Println(a.CanGrant(li, "230102", []authz.Permission{{On: "tenants", Action: "write"}}))
	// Output:
	// allowed by binding harbin-viewers at 230100 (role 230000/viewer: tenants:read)
	// denied: no role binding grants tenants:read at 230200
	// [230100]
	// you cannot grant permissions you do not hold yourself at 230102: /permissions: tenants:write is not held at 230102: denied: no role binding grants tenants:write at 230102
}
