package tenant

import (
	"context"
	"fmt"
)

// Reload replaces the in-memory tree with the tenant table's content.
func (s *Service) Reload(ctx context.Context) error {
	rows, err := s.st.Client.Tenant.Query().All(ctx)
	if err != nil {
		return fmt.Errorf("tenant: reload: %w", err)
	}
	ts := make([]Tenant, len(rows))
	for i, r := range rows {
		ts[i] = fromEnt(r)
	}
	tr := buildTree(ts)
	s.mu.Lock()
	s.tree = tr
	s.gen.Add(1)
	s.mu.Unlock()
	return nil
}

// Get returns the tenant with code.
func (s *Service) Get(code string) (Tenant, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.tree.nodes[code]
	if n == nil {
		return Tenant{}, false
	}
	return n.t, true
}

// Children returns the direct children of code, sorted by code.
func (s *Service) Children(code string) []Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.tree.nodes[code]
	if n == nil {
		return nil
	}
	return tenantsOf(n.children)
}

// LineageCodes returns the codes from the root down to code, code included; false
// when code is unknown. The slice is shared with the tree: do not modify it.
func (s *Service) LineageCodes(code string) ([]string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.tree.nodes[code]
	if n == nil {
		return nil, false
	}
	return n.lineage, true
}

// Lineage returns the tenants from the root down to code, code included.
func (s *Service) Lineage(code string) []Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.tree.nodes[code]
	if n == nil {
		return nil
	}
	out := make([]Tenant, 0, len(n.lineage))
	for _, c := range n.lineage {
		out = append(out, s.tree.nodes[c].t)
	}
	return out
}

// Ancestors returns the tenants above code, root first, code excluded.
func (s *Service) Ancestors(code string) []Tenant {
	l := s.Lineage(code)
	if len(l) == 0 {
		return nil
	}
	return l[:len(l)-1]
}

// IsWithin reports whether code is ancestor or one of its descendants.
func (s *Service) IsWithin(code, ancestor string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tree.within(code, ancestor)
}

// Roots returns the tenants at the top of the tree, sorted by code.
func (s *Service) Roots() []Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Tenant
	for _, n := range s.tree.all {
		if len(n.lineage) == 1 {
			out = append(out, n.t)
		}
	}
	return out
}

// RootCodes returns the codes of Roots.
func (s *Service) RootCodes() []string {
	roots := s.Roots()
	out := make([]string, len(roots))
	for i, t := range roots {
		out[i] = t.Code
	}
	return out
}

// List returns the tenants that pass every filter in o, sorted by code.
func (s *Service) List(o ListOptions) []Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Tenant
	for _, n := range s.tree.all {
		if n.matches(s.tree, o) {
			out = append(out, n.t)
		}
	}
	return out
}

// Count returns how many tenants the tree holds, retired ones included.
func (s *Service) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.tree.nodes)
}
