package authz

import (
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
)

// index answers Check without scanning rules: per user name, per binding tenant, the
// roles granted there with their permission sets. A check walks the request tenant's
// lineage (a handful of levels) with map lookups.
type index map[string]map[string][]grant

type grant struct {
	role  string
	perms map[Permission]struct{}
}

// buildIndex reads the rules back from the enforcer so that the index and casbin
// answer from the same policy.
func buildIndex(enf *casbin.Enforcer) (index, error) {
	ps, err := enf.GetPolicy()
	if err != nil {
		return nil, fmt.Errorf("authz: read permission rules: %w", err)
	}
	gs, err := enf.GetGroupingPolicy()
	if err != nil {
		return nil, fmt.Errorf("authz: read role bindings: %w", err)
	}
	perms := map[string]map[Permission]struct{}{}
	for _, p := range ps {
		if perms[p[0]] == nil {
			perms[p[0]] = map[Permission]struct{}{}
		}
		perms[p[0]][Permission{On: p[1], Action: p[2]}] = struct{}{}
	}
	idx := index{}
	for _, g := range gs {
		user, role, tenant := strings.TrimPrefix(g[0], "user:"), g[1], g[2]
		if idx[user] == nil {
			idx[user] = map[string][]grant{}
		}
		idx[user][tenant] = append(idx[user][tenant], grant{role: role, perms: perms[role]})
	}
	return idx, nil
}

// match returns the permission of g that covers on:action, most specific first.
func (g grant) match(on, action string) (Permission, bool) {
	for _, p := range [4]Permission{{on, action}, {on, Wildcard}, {Wildcard, action}, {Wildcard, Wildcard}} {
		if _, ok := g.perms[p]; ok {
			return p, true
		}
	}
	return Permission{}, false
}

// hit is a grant that covers a request: where it is bound and what matched.
type hit struct {
	tenant string
	role   string
	perm   Permission
}

// find walks lineage from the nearest tenant up and returns the first grant of user
// that covers on:action.
func (idx index) find(user string, lineage []string, on, action string) (hit, bool) {
	byTenant := idx[user]
	if byTenant == nil {
		return hit{}, false
	}
	for i := len(lineage) - 1; i >= 0; i-- {
		for _, g := range byTenant[lineage[i]] {
			if p, ok := g.match(on, action); ok {
				return hit{tenant: lineage[i], role: g.role, perm: p}, true
			}
		}
	}
	return hit{}, false
}
