package authz

import (
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// modelText is RBAC with domains: a request names a subject, a tenant (domain), an
// object and an action; a permission rule names a role, an object and an action,
// valid in every tenant; a grouping links a user to a role in a tenant and, through
// the lineageRoles role manager, in all its descendants. Equality checks come before
// g() because casbin scans every rule on every request.
const modelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (p.obj == r.obj || (p.obj == "*" && r.obj != "audit")) && (p.act == r.act || p.act == "*") && g(r.sub, p.sub, r.dom)
`

// state is one loaded policy: the casbin enforcer, which is the source of truth, and
// the index built from the enforcer's own rules that answers Check.
type state struct {
	enf      *casbin.Enforcer
	idx      index
	names    map[[3]string][]string // binding names by (user key, role key, tenant)
	problems []string
}

func buildState(tree Tree, roles []Role, bindings []Binding) (*state, error) {
	pol := toPolicies(tree, roles, bindings)
	enf, err := newEnforcer(tree, pol)
	if err != nil {
		return nil, err
	}
	// casbin's role links and the index are built from the same rules, each on its
	// own core: together they are most of a Load.
	linked := make(chan error, 1)
	go func() { linked <- enf.BuildRoleLinks() }()
	idx, err := buildIndex(enf)
	if lerr := <-linked; lerr != nil {
		return nil, fmt.Errorf("authz: build role links: %w", lerr)
	}
	if err != nil {
		return nil, err
	}
	return &state{enf: enf, idx: idx, names: pol.names, problems: pol.problems}, nil
}

func newEnforcer(tree Tree, pol policies) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	enf, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	enf.SetRoleManager(newLineageRoles(tree))
	m = enf.GetModel()
	if err := fill(m, "p", pol.p); err != nil {
		return nil, err
	}
	if err := fill(m, "g", pol.g); err != nil {
		return nil, err
	}
	return enf, nil
}

// fill sets the rules of section sec (whose only type is sec) in one step: casbin's
// AddPolicies hashes each rule twice and checks for duplicates, which toPolicies has
// already removed. Role links are then built once for the whole set (BuildRoleLinks).
func fill(m model.Model, sec string, rules [][]string) error {
	ast, err := m.GetAssertion(sec, sec)
	if err != nil {
		return fmt.Errorf("authz: model section %s: %w", sec, err)
	}
	ast.Policy = rules
	ast.PolicyMap = make(map[string]int, len(rules))
	for i, r := range rules {
		ast.PolicyMap[strings.Join(r, model.DefaultSep)] = i
	}
	return nil
}

// enforce asks casbin; it returns the matched rule (role key, on, action) when allowed.
func (st *state) enforce(user, tenant, on, action string) (bool, []string, error) {
	if st.enf == nil {
		return false, nil, nil
	}
	ok, rule, err := st.enf.EnforceEx(userKey(user), tenant, on, action)
	if err != nil {
		return false, nil, fmt.Errorf("authz: enforce: %w", err)
	}
	return ok, rule, nil
}
