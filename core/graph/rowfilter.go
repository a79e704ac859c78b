package graph

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/gdbos/gdbos/core/authz"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/policy"
	"github.com/gdbos/gdbos/core/store"
)

// userRowFilter restricts a users list, in SQL, to the subtrees where the caller may
// read users (by the home tenant's path). none is true when nothing is visible.
func (g *Graph) userRowFilter(ctx context.Context) (where []func(*entsql.Selector), none bool, err error) {
	c := CallerFrom(ctx)
	sub := Subject(c.Principal)
	roots := g.svc.Authz.TenantsWithPermission(sub, "users", "read")
	if !sub.Superadmin || sub.ScopeTenant != "" || len(sub.Scopes) > 0 {
		var paths []string
		for _, code := range roots {
			if t, ok := g.svc.Tenants.Get(code); ok {
				paths = append(paths, t.Path)
			}
		}
		if len(paths) == 0 {
			return nil, true, nil
		}
		frag, args := pathPrefixes("home_path", paths)
		where = append(where, store.Where(frag, args))
	}
	// Rows policies bind everyone, the superadmin included.
	extra, none, err := g.policyFilters(ctx, "User", "home_path", identity.UserColumns, policySubject(sub, roots))
	if err != nil || none {
		return nil, none, err
	}
	return append(where, extra...), false, nil
}

// policyFilters turns the rows policies on target into SQL: a policy defined at
// tenant D governs the rows inside D's subtree, so each adds
// "(row outside D's subtree OR the policy allows it)". pathCol is the column holding
// a row's tenant path.
func (g *Graph) policyFilters(ctx context.Context, target, pathCol string, cols map[string]string, subj policy.Subject) ([]func(*entsql.Selector), bool, error) {
	if g.svc.Policies == nil {
		return nil, false, nil
	}
	defining := map[string]bool{}
	for _, p := range g.svc.Policies.Policies() {
		if p.Purpose == policy.PurposeRows && p.Target == target {
			defining[p.Tenant] = true
		}
	}
	var where []func(*entsql.Selector)
	for _, code := range slices.Sorted(maps.Keys(defining)) {
		t, ok := g.svc.Tenants.Get(code)
		if !ok {
			continue
		}
		f, err := g.svc.Policies.RowFilter(ctx, target, []string{code}, subj, policy.Table{Dialect: g.dialect, Columns: cols})
		if err != nil {
			return nil, false, err
		}
		switch {
		case f.Always:
			continue
		case f.Never:
			where = append(where, store.Where("NOT "+within(pathCol), []any{t.Path, upper(t.Path)}))
		default:
			// The filter's own placeholders follow the two path arguments.
			where = append(where, store.Where("NOT "+within(pathCol)+" OR ("+renumber(f.SQL, 2)+")", append([]any{t.Path, upper(t.Path)}, f.Args...)))
		}
	}
	return where, false, nil
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
