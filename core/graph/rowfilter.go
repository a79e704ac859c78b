package graph

import (
	"context"
	"strings"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/gdbos/gdbos/core/store"
)

// userRowFilter restricts a users list, in SQL, to the subtrees where the caller may
// read users (by the home tenant's path). none is true when nothing is visible.
func (g *Graph) userRowFilter(ctx context.Context) (where []func(*entsql.Selector), none bool, err error) {
	c := CallerFrom(ctx)
	sub := Subject(c.Principal)
	if sub.Superadmin && sub.ScopeTenant == "" && len(sub.Scopes) == 0 {
		return nil, false, nil
	}
	roots := g.svc.Authz.TenantsWithPermission(sub, "users", "read")
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
	return []func(*entsql.Selector){store.Where(frag, args)}, false, nil
}

// pathPrefixes is "(col LIKE ? OR …)" over materialised paths. Paths hold only digits
// and slashes, so they need no LIKE escaping.
func pathPrefixes(col string, paths []string) (string, []any) {
	parts := make([]string, len(paths))
	args := make([]any, len(paths))
	for i, p := range paths {
		parts[i] = col + " LIKE ?"
		args[i] = p + "%"
	}
	return strings.Join(parts, " OR "), args
}
