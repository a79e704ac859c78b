package authz

import (
	"fmt"
	"slices"
	"strings"
)

// Check decides whether sub may perform action on on (a kind or an API area) at
// tenant. It denies by default. A token's limits apply first, to superadmins too;
// then the bootstrap superadmin holds Bootstrap and nothing else; then the subject's
// role bindings at tenant or an ancestor decide.
func (a *Authorizer) Check(sub Subject, tenant, on, action string) Decision {
	o, h, st := a.decide(sub, tenant, on, action)
	return Decision{Allowed: o.allowed(), Reason: o.reason(st, sub, tenant, on, action, h)}
}

// Allowed is Check's answer without the reason; it does not allocate.
func (a *Authorizer) Allowed(sub Subject, tenant, on, action string) bool {
	o, _, _ := a.decide(sub, tenant, on, action)
	return o.allowed()
}

// Explain decides like Check but asks casbin itself and says which rule matched; it
// also reports a disagreement with Check's index, which would be a bug.
func (a *Authorizer) Explain(sub Subject, tenant, on, action string) Decision {
	o, h, st := a.decide(sub, tenant, on, action)
	fast := Decision{Allowed: o.allowed(), Reason: o.reason(st, sub, tenant, on, action, h)}
	if o != byBinding && o != noBinding {
		return fast
	}
	ok, rule, err := st.enforce(sub.User, tenant, on, action)
	if err != nil {
		return deny("denied: %v", err)
	}
	d := deny("denied: casbin finds no rule granting %s:%s at %s", on, action, tenant)
	if ok && len(rule) == 3 {
		d = Decision{Allowed: true, Reason: fmt.Sprintf("allowed by casbin rule %s %s:%s; %s", rule[0], rule[1], rule[2], fast.Reason)}
	}
	if fast.Allowed != d.Allowed {
		d.Reason += fmt.Sprintf(" (index disagrees: %s)", fast.Reason)
	}
	return d
}

// outcome is how a check ended; reason words it only when a caller wants words.
type outcome int

const (
	byBinding outcome = iota
	bySuperadmin
	byService
	beyondBootstrap
	incomplete
	outsideToken
	outsideScopes
	noUser
	unknownTenant
	noBinding
)

func (o outcome) allowed() bool { return o == byBinding || o == bySuperadmin || o == byService }

func (a *Authorizer) decide(sub Subject, tenant, on, action string) (outcome, hit, *state) {
	st := a.state.Load()
	switch {
	case tenant == "" || on == "" || action == "":
		return incomplete, hit{}, st
	case sub.ScopeTenant != "" && !a.tree.IsWithin(tenant, sub.ScopeTenant):
		return outsideToken, hit{}, st
	case !scopesAllow(sub.Scopes, on, action):
		return outsideScopes, hit{}, st
	case sub.Service && len(sub.Scopes) == 0:
		return noBinding, hit{}, st
	case sub.Service:
		if _, ok := a.tree.LineageCodes(tenant); !ok {
			return unknownTenant, hit{}, st
		}
		return byService, hit{}, st
	case sub.Superadmin && !InBootstrap(on, action):
		return beyondBootstrap, hit{}, st
	case sub.Superadmin:
		if _, ok := a.tree.LineageCodes(tenant); !ok {
			return unknownTenant, hit{}, st
		}
		return bySuperadmin, hit{}, st
	case sub.User == "":
		return noUser, hit{}, st
	}
	lineage, ok := a.tree.LineageCodes(tenant)
	if !ok {
		return unknownTenant, hit{}, st
	}
	if h, ok := st.idx.find(sub.User, lineage, on, action); ok {
		return byBinding, h, st
	}
	return noBinding, hit{}, st
}

func (o outcome) reason(st *state, sub Subject, tenant, on, action string, h hit) string {
	switch o {
	case byBinding:
		return st.allowedBy(sub.User, h)
	case bySuperadmin:
		return "allowed: the bootstrap superadmin holds " + on + ":" + action + " to appoint the three administrators"
	case byService:
		return fmt.Sprintf("allowed: service identity %s holds %s:%s at %s by its grant", sub.User, on, action, sub.ScopeTenant)
	case beyondBootstrap:
		return fmt.Sprintf("denied: the bootstrap superadmin may only read tenants and users, create users and bind the system, security and audit administrators; %s:%s is beyond that", on, action)
	case incomplete:
		return "denied: tenant, object and action are required"
	case outsideToken:
		return fmt.Sprintf("denied: the token is limited to %s and its descendants; %s is outside", sub.ScopeTenant, tenant)
	case outsideScopes:
		return fmt.Sprintf("denied: the token's scopes (%s) do not include %s:%s", strings.Join(sub.Scopes, ", "), on, action)
	case noUser:
		return "denied: no user"
	case unknownTenant:
		return fmt.Sprintf("denied: unknown tenant %s", tenant)
	}
	return fmt.Sprintf("denied: no role binding grants %s:%s at %s", on, action, tenant)
}

func scopesAllow(scopes []string, on, action string) bool {
	if len(scopes) == 0 {
		return true
	}
	for _, s := range scopes {
		if s == Wildcard {
			return true
		}
		o, a, ok := strings.Cut(s, ":")
		if ok && (o == Wildcard || o == on) && (a == Wildcard || a == action) {
			return true
		}
	}
	return false
}

func deny(format string, args ...any) Decision {
	return Decision{Reason: fmt.Sprintf(format, args...)}
}

// allowedBy words a hit as "allowed by binding X at T (role R: On:Action)".
func (st *state) allowedBy(user string, h hit) string {
	names := st.names[[3]string{userKey(user), h.role, h.tenant}]
	role := strings.TrimPrefix(h.role, "role:")
	return fmt.Sprintf("allowed by binding %s at %s (role %s: %s)", strings.Join(names, ", "), h.tenant, role, h.perm)
}

// TenantsWithPermission returns the tenants at whose subtrees sub holds on:action,
// each subtree named once by its root, sorted: the graph layer lists only rows in
// these subtrees. The superadmin holds what Bootstrap names at the tree's roots (or
// the token's tenant).
func (a *Authorizer) TenantsWithPermission(sub Subject, on, action string) []string {
	if on == "" || action == "" || !scopesAllow(sub.Scopes, on, action) {
		return nil
	}
	var held []string
	switch {
	case sub.Superadmin && !InBootstrap(on, action):
		return nil
	case sub.Service && (len(sub.Scopes) == 0 || sub.ScopeTenant == ""):
		return nil
	case sub.Service:
		return []string{sub.ScopeTenant}
	case sub.Superadmin && sub.ScopeTenant != "":
		return []string{sub.ScopeTenant}
	case sub.Superadmin:
		if rl, ok := a.tree.(rootLister); ok {
			held = rl.RootCodes()
		}
	default:
		held = a.bindingTenants(sub.User, on, action)
	}
	return a.narrow(held, sub.ScopeTenant)
}

func (a *Authorizer) bindingTenants(user, on, action string) []string {
	idx := a.state.Load().idx
	q := idx.query(on, action)
	var out []string
	for tenant, grants := range idx.users[user] {
		for _, g := range grants {
			if _, ok := g.match(&q); ok {
				out = append(out, tenant)
				break
			}
		}
	}
	return out
}

// narrow intersects subtrees with the token's subtree and keeps only their roots.
func (a *Authorizer) narrow(tenants []string, scope string) []string {
	set := map[string]bool{}
	for _, t := range tenants {
		switch {
		case scope == "" || a.tree.IsWithin(t, scope):
			set[t] = true
		case a.tree.IsWithin(scope, t):
			set[scope] = true
		}
	}
	var out []string
	for t := range set {
		if !a.coveredByOther(t, set) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func (a *Authorizer) coveredByOther(t string, set map[string]bool) bool {
	lineage, _ := a.tree.LineageCodes(t)
	for _, anc := range lineage {
		if anc != t && set[anc] {
			return true
		}
	}
	return false
}

// Bootstrap is everything the bootstrap superadmin holds, at every tenant: enough to
// find people and appoint the three administrators (the kernel admits only bindings
// of the built-in administrator roles from it), and nothing else.
var Bootstrap = []Permission{
	{"tenants", ActionRead}, {"orgunits", ActionRead},
	{"users", ActionRead}, {"users", ActionWrite},
	{"Role", ActionRead}, {"RoleBinding", ActionRead}, {"RoleBinding", ActionWrite},
}

// InBootstrap reports whether Bootstrap names on:action.
func InBootstrap(on, action string) bool {
	return slices.Contains(Bootstrap, Permission{on, action})
}
