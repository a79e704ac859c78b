package authz

import (
	"fmt"
	"slices"
	"strings"
)

// Check decides whether sub may perform action on on (a kind or an API area) at
// tenant. It denies by default. A token's limits apply first, to superadmins too;
// then a superadmin is allowed; then the subject's role bindings at tenant or an
// ancestor decide.
func (a *Authorizer) Check(sub Subject, tenant, on, action string) Decision {
	if d, done := a.precheck(sub, tenant, on, action); done {
		return d
	}
	lineage, ok := a.tree.LineageCodes(tenant)
	if !ok {
		return deny("denied: unknown tenant %s", tenant)
	}
	st := a.state.Load()
	h, ok := st.idx.find(sub.User, lineage, on, action)
	if !ok {
		return deny("denied: no role binding grants %s:%s at %s", on, action, tenant)
	}
	return Decision{Allowed: true, Reason: st.allowedBy(sub.User, h)}
}

// Allowed is Check's answer without the reason.
func (a *Authorizer) Allowed(sub Subject, tenant, on, action string) bool {
	return a.Check(sub, tenant, on, action).Allowed
}

// Explain decides like Check but asks casbin itself and says which rule matched; it
// also reports a disagreement with Check's index, which would be a bug.
func (a *Authorizer) Explain(sub Subject, tenant, on, action string) Decision {
	if d, done := a.precheck(sub, tenant, on, action); done {
		return d
	}
	st := a.state.Load()
	ok, rule, err := st.enforce(sub.User, tenant, on, action)
	if err != nil {
		return deny("denied: %v", err)
	}
	fast := a.Check(sub, tenant, on, action)
	d := deny("denied: no role binding grants %s:%s at %s", on, action, tenant)
	if ok && len(rule) == 3 {
		d = Decision{Allowed: true, Reason: fmt.Sprintf("allowed by casbin rule %s %s:%s; %s", rule[0], rule[1], rule[2], fast.Reason)}
	}
	if fast.Allowed != d.Allowed {
		d.Reason += fmt.Sprintf(" (index disagrees: %s)", fast.Reason)
	}
	return d
}

// precheck applies what does not depend on role bindings: malformed requests, the
// token's limits and superadmin.
func (a *Authorizer) precheck(sub Subject, tenant, on, action string) (Decision, bool) {
	switch {
	case tenant == "" || on == "" || action == "":
		return deny("denied: tenant, object and action are required"), true
	case sub.ScopeTenant != "" && !a.tree.IsWithin(tenant, sub.ScopeTenant):
		return deny("denied: the token is limited to %s and its descendants; %s is outside", sub.ScopeTenant, tenant), true
	case !scopesAllow(sub.Scopes, on, action):
		return deny("denied: the token's scopes (%s) do not include %s:%s", strings.Join(sub.Scopes, ", "), on, action), true
	case sub.Superadmin:
		return Decision{Allowed: true, Reason: "superadmin"}, true
	case sub.User == "":
		return deny("denied: no user"), true
	}
	return Decision{}, false
}

func scopesAllow(scopes []string, on, action string) bool {
	if len(scopes) == 0 {
		return true
	}
	for _, s := range scopes {
		if s == Wildcard || s == "*:*" || s == on+":"+action || s == on+":*" || s == "*:"+action {
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
// these subtrees. A superadmin holds it at the tree's roots (or the token's tenant).
func (a *Authorizer) TenantsWithPermission(sub Subject, on, action string) []string {
	if on == "" || action == "" || !scopesAllow(sub.Scopes, on, action) {
		return nil
	}
	var held []string
	switch {
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
	var out []string
	for tenant, grants := range a.state.Load().idx[userKey(user)] {
		for _, g := range grants {
			if _, ok := g.match(on, action); ok {
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
