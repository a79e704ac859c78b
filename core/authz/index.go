package authz

import (
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
)

// index answers Check without scanning rules: per user name, per binding tenant, the
// roles granted there with their permission sets. A check walks the request tenant's
// lineage (a handful of levels) with map lookups.
type index struct {
	users map[string]map[string][]grant
	// ons numbers the kinds and areas that roles name, Wildcard first; a role's
	// permission set is a bit set over (on number × len(actions) + action number).
	ons map[string]int
}

// actions numbers the actions of a permission, Wildcard first.
var actions = [...]string{Wildcard, ActionRead, ActionWrite, ActionDelete, ActionUnmask}

func actionNumber(a string) int {
	for i, x := range actions {
		if x == a {
			return i
		}
	}
	return -1
}

type grant struct {
	role  string
	perms bitSet
}

type bitSet []uint64

func (s bitSet) has(i int) bool { return i >= 0 && i/64 < len(s) && s[i/64]&(1<<(i%64)) != 0 }

func (s *bitSet) add(i int) {
	for len(*s) <= i/64 {
		*s = append(*s, 0)
	}
	(*s)[i/64] |= 1 << (i % 64)
}

// buildIndex reads the rules from the enforcer's model so that the index and casbin
// answer from the same policy.
func buildIndex(enf *casbin.Enforcer) (index, error) {
	ps, err := rules(enf, "p")
	if err != nil {
		return index{}, err
	}
	gs, err := rules(enf, "g")
	if err != nil {
		return index{}, err
	}
	idx := index{users: make(map[string]map[string][]grant, len(gs)/4+1), ons: map[string]int{Wildcard: 0}}
	perms := map[string]bitSet{}
	for _, p := range ps {
		on, ok := idx.ons[p[1]]
		if !ok {
			on = len(idx.ons)
			idx.ons[p[1]] = on
		}
		set := perms[p[0]]
		set.add(on*len(actions) + actionNumber(p[2]))
		perms[p[0]] = set
	}
	for _, g := range gs {
		user, role, tenant := strings.TrimPrefix(g[0], "user:"), g[1], g[2]
		byTenant := idx.users[user]
		if byTenant == nil {
			byTenant = make(map[string][]grant, 1)
			idx.users[user] = byTenant
		}
		byTenant[tenant] = append(byTenant[tenant], grant{role: role, perms: perms[role]})
	}
	return idx, nil
}

// rules returns the enforcer's rules of section sec without copying them; the caller
// does not modify them.
func rules(enf *casbin.Enforcer, sec string) ([][]string, error) {
	ast, err := enf.GetModel().GetAssertion(sec, sec)
	if err != nil {
		return nil, fmt.Errorf("authz: read %s rules: %w", sec, err)
	}
	return ast.Policy, nil
}

// query is on:action as the bits that cover it, most specific first: on:action,
// on:*, *:action, *:*. A bit is -1 when no role names that permission, and for the
// wildcards when on is the audit area.
type query struct {
	bits  [4]int
	perms [4]Permission
}

func (idx index) query(on, action string) query {
	q := query{
		bits:  [4]int{-1, -1, -1, 0},
		perms: [4]Permission{{on, action}, {on, Wildcard}, {Wildcard, action}, {Wildcard, Wildcard}},
	}
	a := actionNumber(action)
	if n, ok := idx.ons[on]; ok {
		q.bits[1] = n * len(actions)
		if a >= 0 {
			q.bits[0] = n*len(actions) + a
		}
	}
	if a >= 0 {
		q.bits[2] = a
	}
	if on == AreaAudit {
		q.bits[2], q.bits[3] = -1, -1 // no wildcard covers the audit trail
	}
	return q
}

// match returns the permission of g that covers q, most specific first.
func (g grant) match(q *query) (Permission, bool) {
	for i, b := range q.bits {
		if g.perms.has(b) {
			return q.perms[i], true
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
	byTenant := idx.users[user]
	if byTenant == nil {
		return hit{}, false
	}
	q := idx.query(on, action)
	for i := len(lineage) - 1; i >= 0; i-- {
		for _, g := range byTenant[lineage[i]] {
			if p, ok := g.match(&q); ok {
				return hit{tenant: lineage[i], role: g.role, perm: p}, true
			}
		}
	}
	return hit{}, false
}
