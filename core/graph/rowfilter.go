package graph

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/gdbos/gdbos/core/authz"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/policy"
	"github.com/gdbos/gdbos/core/store"
)

// userRowFilter restricts a users list, in SQL, to the subtrees where the caller may
// read users (by the home tenant's path). none is true when nothing is visible.
//
// The subtree test stays even when the caller holds every root: users without a home
// tenant (the bootstrap superadmin, accounts provisioned without one) have an empty
// path and are in no subtree.
func (g *Graph) userRowFilter(ctx context.Context) (where []func(*entsql.Selector), none bool, err error) {
	c := CallerFrom(ctx)
	sub := Subject(c.Principal)
	roots := g.svc.Authz.TenantsWithPermission(sub, "users", "read")
	var scope []string
	if !sub.Superadmin || sub.ScopeTenant != "" || len(sub.Scopes) > 0 {
		for _, code := range roots {
			if t, ok := g.svc.Tenants.Get(code); ok {
				scope = append(scope, t.Path)
			}
		}
		if len(scope) == 0 {
			return nil, true, nil
		}
		frag, args := pathPrefixes("home_path", scope)
		where = append(where, store.Where(frag, args))
	}
	// Rows policies bind everyone, the superadmin included.
	table := policy.Table{Dialect: g.dialect, Columns: identity.UserColumns, NotNull: identity.UserNotNull}
	extra, none, err := g.policyFilters(ctx, "User", "home_path", table, policySubject(sub, roots), scope)
	if err != nil || none {
		return nil, none, err
	}
	return append(where, extra...), false, nil
}

// policyFilters turns the rows policies on target into SQL: a policy defined at
// tenant D governs the rows inside D's subtree, so each adds
// "(row outside D's subtree OR the policy allows it)". pathCol is the column holding
// a row's tenant path. scope lists the subtrees the rows are already limited to (nil
// when they are not): a policy whose subtree holds all of them applies to every row
// as it is, and one whose subtree meets none of them to no row, so neither needs the
// subtree test, which would be evaluated for every row a count visits.
func (g *Graph) policyFilters(ctx context.Context, target, pathCol string, table policy.Table, subj policy.Subject, scope []string) ([]func(*entsql.Selector), bool, error) {
	conds, none, err := g.policyConds(ctx, target, pathCol, table, subj, scope)
	where := make([]func(*entsql.Selector), len(conds))
	for i, c := range conds {
		where[i] = store.Where(c.SQL, c.Args)
	}
	return where, none, err
}

// policyConds is policyFilters as SQL fragments with their arguments, in store.Where's
// parameter style, for queries that are not built with ent.
func (g *Graph) policyConds(ctx context.Context, target, pathCol string, table policy.Table, subj policy.Subject, scope []string) ([]entity.Cond, bool, error) {
	if g.svc.Policies == nil {
		return nil, false, nil
	}
	defining := map[string]bool{}
	for _, p := range g.svc.Policies.Policies() {
		if p.Purpose == policy.PurposeRows && p.Target == target {
			defining[p.Tenant] = true
		}
	}
	var where []entity.Cond
	for _, code := range slices.Sorted(maps.Keys(defining)) {
		t, ok := g.svc.Tenants.Get(code)
		if !ok {
			continue
		}
		cover := covers(t.Path, scope)
		if !cover && disjoint(t.Path, scope) {
			continue
		}
		f, err := g.svc.Policies.RowFilter(ctx, target, []string{code}, subj, table)
		if err != nil {
			return nil, false, err
		}
		switch {
		case f.Always:
			continue
		case f.Never && cover:
			return nil, true, nil
		case f.Never:
			where = append(where, entity.Cond{SQL: "NOT " + within(pathCol), Args: []any{t.Path, upper(t.Path)}})
		case cover:
			where = append(where, entity.Cond{SQL: f.SQL, Args: f.Args})
		default:
			// The filter's own placeholders follow the two path arguments.
			where = append(where, entity.Cond{SQL: "NOT " + within(pathCol) + " OR (" + renumber(f.SQL, 2) + ")", Args: append([]any{t.Path, upper(t.Path)}, f.Args...)})
		}
	}
	return where, false, nil
}

// covers reports whether every subtree in scope lies inside the subtree at path; an
// unlimited (nil) scope is covered by no subtree.
func covers(path string, scope []string) bool {
	for _, p := range scope {
		if !strings.HasPrefix(p, path) {
			return false
		}
	}
	return len(scope) > 0
}

// disjoint reports whether the subtree at path shares no tenant with the subtrees in
// scope; an unlimited (nil) scope meets every subtree.
func disjoint(path string, scope []string) bool {
	for _, p := range scope {
		if strings.HasPrefix(p, path) || strings.HasPrefix(path, p) {
			return false
		}
	}
	return len(scope) > 0
}

// within is the condition "the row's path is inside the subtree", with the subtree's
// path and upper bound as its two arguments; NOT within(...) keeps rows elsewhere.
func within(col string) string { return "(" + col + " >= ? AND " + col + " < ?)" }

// upper is the first path after every path below p.
func upper(p string) string { return p[:len(p)-1] + "0" }

// policySubject is the caller as policies see it.
func policySubject(sub authz.Subject, tenants []string) policy.Subject {
	return policy.Subject{User: sub.User, Superadmin: sub.Superadmin, Tenants: tenants, Attributes: map[string]any{}}
}

// renumber shifts PostgreSQL placeholders ($1 → $2 …) by n so a fragment can follow
// n other arguments; "?" placeholders are positional and stay as they are.
func renumber(frag string, n int) string {
	var b strings.Builder
	for i := 0; i < len(frag); i++ {
		if frag[i] != '$' {
			b.WriteByte(frag[i])
			continue
		}
		j := i + 1
		for j < len(frag) && frag[j] >= '0' && frag[j] <= '9' {
			j++
		}
		if j == i+1 {
			b.WriteByte('$')
			continue
		}
		k, _ := strconv.Atoi(frag[i+1 : j])
		b.WriteString("$" + strconv.Itoa(k+n))
		i = j - 1
	}
	return b.String()
}

// pathPrefixes selects rows whose materialised path starts with one of paths, as
// index-friendly ranges: path >= "/a/b/" AND path < "/a/b0" ('0' follows '/'),
// which both databases answer from an ordinary index, unlike LIKE.
func pathPrefixes(col string, paths []string) (string, []any) {
	parts := make([]string, len(paths))
	args := make([]any, 0, 2*len(paths))
	for i, p := range paths {
		parts[i] = within(col)
		args = append(args, p, upper(p))
	}
	return strings.Join(parts, " OR "), args
}
