package authz

import (
	"slices"
	"strings"
)

// Held lists every permission user holds through any binding, at any tenant, for
// checks that look at a person's duties as a whole (separation of duties).
func (a *Authorizer) Held(user string) []Permission {
	st := a.state.Load()
	var out []Permission
	seen := map[Permission]bool{}
	for _, grants := range st.idx.users[user] {
		for _, g := range grants {
			for on, n := range st.idx.ons {
				for ai, act := range actions {
					p := Permission{On: on, Action: act}
					if g.perms.has(n*len(actions)+ai) && !seen[p] {
						seen[p] = true
						out = append(out, p)
					}
				}
			}
		}
	}
	return out
}

// RolesAt returns the roles ("TENANT/NAME", where the role is defined) that the
// subject's bindings at tenant or above it give, sorted; none for the superadmin.
func (a *Authorizer) RolesAt(sub Subject, tenant string) []string {
	if sub.Superadmin || sub.User == "" {
		return nil
	}
	lineage, ok := a.tree.LineageCodes(tenant)
	if !ok {
		return nil
	}
	byTenant := a.state.Load().idx.users[sub.User]
	var out []string
	for _, t := range lineage {
		for _, g := range byTenant[t] {
			r := strings.TrimPrefix(g.role, "role:")
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return out
}
