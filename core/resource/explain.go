package resource

import (
	"context"
	"fmt"
	"slices"
)

// Explain returns, for every leaf field of the effective spec at tenant, where its
// value comes from, sorted by path.
func (s *Service) Explain(ctx context.Context, kind, tenant, name string) ([]FieldOrigin, error) {
	k, lineage, err := s.resolve(kind, tenant)
	if err != nil {
		return nil, err
	}
	ls, err := s.layersFor(ctx, k, name, lineage)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, notFound(kind, tenant, name)
	}
	return explain(mergeLayers(ls, true), tenant), nil
}

func explain(m *merged, tenant string) []FieldOrigin {
	var out []FieldOrigin
	leaves(m.spec, "", func(p string, v any) {
		out = append(out, origin(m, p, v, tenant))
	})
	slices.SortFunc(out, func(a, b FieldOrigin) int { return cmpPath(a.Path, b.Path) })
	return out
}

func origin(m *merged, p string, v any, tenant string) FieldOrigin {
	t := m.trace
	fo := FieldOrigin{Path: "/spec" + p, Value: deepCopy(v), Tenant: t.origin[p], Shadowed: t.shadowed[p]}
	if owner, ok := m.lockOwner(p); ok && owner != tenant {
		fo.Status, fo.LockedBy = LockedBy, owner
		return fo
	}
	switch {
	case fo.Tenant != tenant:
		fo.Status = Inherited
	case len(t.setBy[p]) > 1:
		fo.Status = Overridden
	default:
		fo.Status = Defined
	}
	return fo
}

// cmpPath orders pointers token by token, so "/a/b" sorts before "/a-b".
func cmpPath(a, b string) int {
	return slices.Compare(splitPointer(a), splitPointer(b))
}

// Describe says in a few words where the field comes from, e.g. "from 230100, locked".
func (f FieldOrigin) Describe() string {
	var s string
	switch f.Status {
	case Defined:
		s = fmt.Sprintf("defined at %s", f.Tenant)
	case Overridden:
		s = fmt.Sprintf("overridden at %s", f.Tenant)
	case LockedBy:
		s = fmt.Sprintf("from %s, locked", f.Tenant)
		if f.LockedBy != f.Tenant {
			s += " by " + f.LockedBy
		}
	default:
		s = fmt.Sprintf("from %s", f.Tenant)
	}
	if n := len(f.Shadowed); n > 0 {
		s += fmt.Sprintf(" (%d override(s) ignored: %s", n, f.Shadowed[0].Tenant)
		for _, l := range f.Shadowed[1:] {
			s += ", " + l.Tenant
		}
		s += ")"
	}
	return s
}
