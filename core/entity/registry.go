package entity

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds the layout of every published entity. Set swaps them all at once;
// Generation changes with every Set, so that what is built from the registry (the
// data API's schemas) knows when to rebuild.
type Registry struct {
	dialect string
	check   ElementCheck
	mu      sync.RWMutex
	layouts map[string]Layout
	gen     atomic.Uint64
}

// NewRegistry returns an empty registry for a database dialect; check validates
// fields that reference data elements (nil: none).
func NewRegistry(dialect string, check ElementCheck) *Registry {
	return &Registry{dialect: dialect, check: check, layouts: map[string]Layout{}}
}

// Set replaces the layouts.
func (r *Registry) Set(layouts []Layout) {
	m := make(map[string]Layout, len(layouts))
	for _, lo := range layouts {
		m[lo.Name] = lo
	}
	r.mu.Lock()
	r.layouts = m
	r.mu.Unlock()
	r.gen.Add(1)
}

// Generation counts the Sets.
func (r *Registry) Generation() uint64 { return r.gen.Load() }

// Layout returns an entity's layout.
func (r *Registry) Layout(name string) (Layout, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	lo, ok := r.layouts[name]
	return lo, ok
}

// Tables returns the entities seen at the tenant code with path, sorted by name: those
// defined at it or above it, each with the fields of the layers on its lineage.
func (r *Registry) Tables(code, path string) []Table {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Table
	for name, lo := range r.layouts {
		if lo.Path == "" || !strings.HasPrefix(path, lo.Path) {
			continue
		}
		out = append(out, Table{Dialect: r.dialect, Name: name, Table: lo.Table, Fields: lo.View(path), At: code, Check: r.check})
	}
	slices.SortFunc(out, func(a, b Table) int { return strings.Compare(a.Name, b.Name) })
	return out
}
