package authz

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// fakeTree is a tenant tree from a child → parent map.
type fakeTree struct {
	parent  map[string]string
	lineage map[string][]string
}

func newFakeTree(parent map[string]string) *fakeTree {
	t := &fakeTree{parent: parent, lineage: map[string][]string{}}
	for code := range parent {
		var l []string
		for c := code; c != ""; c = parent[c] {
			l = append(l, c)
		}
		slices.Reverse(l)
		t.lineage[code] = l
	}
	return t
}

func (t *fakeTree) LineageCodes(code string) ([]string, bool) {
	l, ok := t.lineage[code]
	return l, ok
}

func (t *fakeTree) IsWithin(code, ancestor string) bool {
	return slices.Contains(t.lineage[code], ancestor)
}

func (t *fakeTree) RootCodes() []string {
	var out []string
	for c, p := range t.parent {
		if p == "" {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func (t *fakeTree) codes() []string {
	out := make([]string, 0, len(t.parent))
	for c := range t.parent {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// demoTree is a slice of Heilongjiang: a province, two cities, their counties, a street.
func demoTree() *fakeTree {
	return newFakeTree(map[string]string{
		"230000": "", "230100": "230000", "230200": "230000",
		"230102": "230100", "230103": "230100", "230202": "230200",
		"230102001": "230102",
	})
}

// genTree builds a province with cities × counties × townships below it.
func genTree(cities, counties, townships int) *fakeTree {
	parent := map[string]string{"230000": ""}
	for c := 1; c <= cities; c++ {
		city := fmt.Sprintf("23%02d00", c)
		parent[city] = "230000"
		for k := 1; k <= counties; k++ {
			county := fmt.Sprintf("23%02d%02d", c, k)
			parent[county] = city
			for s := 1; s <= townships; s++ {
				parent[fmt.Sprintf("%s%03d", county, s)] = county
			}
		}
	}
	return newFakeTree(parent)
}

var (
	genKinds   = []string{"Role", "RoleBinding", "Module", "tenants", "users", "orgunits", "tokens", "audit", "Item", "Flow", "Policy", "Case", "Form", "Calendar", "Schema", "Dataset", "Report", "Webhook", "Plugin", "Lock", "*"}
	genActions = []string{"read", "write", "delete", "*"}
)

// genPermissions draws n distinct permissions from genKinds × genActions.
func genPermissions(r *rand.Rand, n int) []Permission {
	all := make([]Permission, 0, len(genKinds)*len(genActions))
	for _, k := range genKinds {
		for _, a := range genActions {
			all = append(all, Permission{On: k, Action: a})
		}
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(n, len(all))]
}

// genPolicy defines roleNames roles of perms distinct permissions at each tenant of
// roleAt, and bindings bindings of usersPer distinct users each at random tenants of
// tree.
func genPolicy(r *rand.Rand, tree *fakeTree, roleAt []string, roleNames, perms, bindings, usersPer, users int) ([]Role, []Binding) {
	var roles []Role
	for _, t := range roleAt {
		for n := range roleNames {
			roles = append(roles, Role{Tenant: t, Name: fmt.Sprintf("role%d", n), Permissions: genPermissions(r, perms)})
		}
	}
	codes := tree.codes()
	bs := make([]Binding, bindings)
	for i := range bs {
		b := Binding{Tenant: codes[r.IntN(len(codes))], Name: fmt.Sprintf("b%d", i), Role: fmt.Sprintf("role%d", r.IntN(roleNames))}
		for len(b.Users) < usersPer {
			if u := fmt.Sprintf("u%d", r.IntN(users)); !slices.Contains(b.Users, u) {
				b.Users = append(b.Users, u)
			}
		}
		bs[i] = b
	}
	return roles, bs
}
