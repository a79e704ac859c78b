package authz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Load replaces the policy with roles and bindings. It validates the whole set first:
// a malformed role or binding (missing names, an unknown action, a duplicate) fails
// the Load and the previous policy stays in force. Bindings whose role cannot be
// resolved, or that sit at tenants the tree does not know, are skipped and listed by
// Problems.
func (a *Authorizer) Load(roles []Role, bindings []Binding) error {
	if err := validate(roles, bindings); err != nil {
		return err
	}
	st, err := buildState(a.tree, roles, bindings)
	if err != nil {
		return err
	}
	a.state.Store(st)
	a.gen.Add(1)
	return nil
}

func validate(roles []Role, bindings []Binding) error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range roles {
		errs = append(errs, validateRole(i, r)...)
		if k := roleKey(r.Tenant, r.Name); seen[k] {
			errs = append(errs, fmt.Errorf("authz: role %d: %s/%s is defined twice", i, r.Tenant, r.Name))
		} else {
			seen[k] = true
		}
	}
	seen = map[string]bool{}
	for i, b := range bindings {
		errs = append(errs, validateBinding(i, b)...)
		if k := b.Tenant + "/" + b.Name; seen[k] {
			errs = append(errs, fmt.Errorf("authz: binding %d: %s is defined twice", i, k))
		} else {
			seen[k] = true
		}
	}
	return errors.Join(errs...)
}

func validateRole(i int, r Role) []error {
	var errs []error
	if r.Tenant == "" || r.Name == "" {
		errs = append(errs, fmt.Errorf("authz: role %d: tenant and name are required", i))
	}
	for j, p := range r.Permissions {
		if strings.TrimSpace(p.On) == "" || strings.Contains(p.On, ":") {
			errs = append(errs, fmt.Errorf("authz: role %s/%s permission %d: on %q must be a kind, an area or *", r.Tenant, r.Name, j, p.On))
		}
		if !validAction(p.Action) {
			errs = append(errs, fmt.Errorf("authz: role %s/%s permission %d: action %q must be read, write, delete, unmask or *", r.Tenant, r.Name, j, p.Action))
		}
	}
	return errs
}

func validAction(a string) bool {
	return a == ActionRead || a == ActionWrite || a == ActionDelete || a == ActionUnmask || a == Wildcard
}

func validateBinding(i int, b Binding) []error {
	var errs []error
	if b.Tenant == "" || b.Name == "" || b.Role == "" {
		errs = append(errs, fmt.Errorf("authz: binding %d: tenant, name and role are required", i))
	}
	if slices.Contains(b.Users, "") {
		errs = append(errs, fmt.Errorf("authz: binding %s/%s: a user name is empty", b.Tenant, b.Name))
	}
	return errs
}

// policies is the casbin form of a role and binding set.
type policies struct {
	p        [][]string // role key, on, action
	g        [][]string // user key, role key, binding tenant
	names    map[[3]string][]string
	problems []string
}

func toPolicies(tree Tree, roles []Role, bindings []Binding) policies {
	users := 0
	for _, b := range bindings {
		users += len(b.Users)
	}
	out := policies{g: make([][]string, 0, users), names: make(map[[3]string][]string, users)}
	defined := make(map[string]bool, len(roles))
	for _, r := range roles {
		defined[roleKey(r.Tenant, r.Name)] = true
		for _, p := range dedupe(r.Permissions) {
			out.p = append(out.p, []string{roleKey(r.Tenant, r.Name), p.On, p.Action})
		}
	}
	for _, b := range bindings {
		rk, problem := resolveRole(tree, defined, b)
		if problem != "" {
			out.problems = append(out.problems, problem)
			continue
		}
		for _, u := range b.Users {
			k := [3]string{userKey(u), rk, b.Tenant}
			names, seen := out.names[k]
			if !seen {
				out.g = append(out.g, k[:])
			}
			if !slices.Contains(names, b.Name) {
				out.names[k] = append(names, b.Name)
			}
		}
	}
	return out
}

func dedupe(ps []Permission) []Permission {
	out := slices.Clone(ps)
	slices.SortFunc(out, func(a, b Permission) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out)
}

// resolveRole returns the role key a binding refers to, or a problem saying why
// there is none.
func resolveRole(tree Tree, defined map[string]bool, b Binding) (string, string) {
	lineage, ok := tree.LineageCodes(b.Tenant)
	if !ok {
		return "", fmt.Sprintf("binding %s at %s: unknown tenant %s; skipped", b.Name, b.Tenant, b.Tenant)
	}
	if b.RoleTenant != "" {
		if !defined[roleKey(b.RoleTenant, b.Role)] || !slices.Contains(lineage, b.RoleTenant) {
			return "", fmt.Sprintf("binding %s at %s: no role %s at %s or it is not an ancestor-or-self; skipped", b.Name, b.Tenant, b.Role, b.RoleTenant)
		}
		return roleKey(b.RoleTenant, b.Role), ""
	}
	for i := len(lineage) - 1; i >= 0; i-- {
		if k := roleKey(lineage[i], b.Role); defined[k] {
			return k, ""
		}
	}
	return "", fmt.Sprintf("binding %s at %s: no role %s at %s or any ancestor; skipped", b.Name, b.Tenant, b.Role, b.Tenant)
}
