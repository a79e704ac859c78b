package entity

import (
	"context"
	"database/sql"
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
	stmts   atomic.Uint64
	// cache holds prepared reads by SQL text (SQLite only: modernc prepares every
	// statement anew, pgx keeps its own cache per connection).
	cacheMu sync.RWMutex
	cacheDB *sql.DB
	cache   map[string]*sql.Stmt
}

// maxPrepared bounds the prepared reads a registry keeps; texts beyond it run
// unprepared. Read texts depend on the entity, the caller's conditions, the
// filter's shape and, for nested reads, the number of parents, not on values.
const maxPrepared = 1024

// prepared is the registry's prepared statement of query on pool, or nil when it
// keeps none.
func (r *Registry) prepared(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	if r.dialect == Postgres {
		return nil
	}
	r.cacheMu.RLock()
	st, ok := r.cache[query]
	same := r.cacheDB == pool
	r.cacheMu.RUnlock()
	if ok && same {
		return st
	}
	r.cacheMu.Lock()
	defer r.cacheMu.Unlock()
	if r.cacheDB != pool {
		for _, st := range r.cache {
			st.Close()
		}
		r.cacheDB, r.cache = pool, map[string]*sql.Stmt{}
	}
	if st, ok := r.cache[query]; ok {
		return st
	}
	if len(r.cache) >= maxPrepared {
		return nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	r.cache[query] = st
	return st
}

// NewRegistry returns an empty registry for a database dialect; check validates
// fields that reference data elements (nil: none).
func NewRegistry(dialect string, check ElementCheck) *Registry {
	return &Registry{dialect: dialect, check: check, layouts: map[string]Layout{}}
}

// Set replaces the layouts, linking their relations (Link); relations that do not
// resolve are left out and reported in the error, the rest are set.
func (r *Registry) Set(layouts []Layout) error {
	layouts, err := Link(layouts)
	m := make(map[string]Layout, len(layouts))
	for _, lo := range layouts {
		m[lo.Name] = lo
	}
	r.mu.Lock()
	r.layouts = m
	r.mu.Unlock()
	r.gen.Add(1)
	return err
}

// Statements counts the SQL statements that tables handed out by the registry have
// run: a test's measure that nested reads batch rather than query per record.
func (r *Registry) Statements() uint64 { return r.stmts.Load() }

// Generation counts the Sets.
func (r *Registry) Generation() uint64 { return r.gen.Load() }

// Layout returns an entity's layout.
func (r *Registry) Layout(name string) (Layout, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	lo, ok := r.layouts[name]
	return lo, ok
}

// Full returns an entity with every field of every layer, and those only older
// served versions keep, for what must hold the whole record (its history).
func (r *Registry) Full(name string) (Table, bool) {
	lo, ok := r.Layout(name)
	if !ok {
		return Table{}, false
	}
	// Fields the storage version dropped but an older served version still shows
	// are part of the record too.
	fields := append(slices.Clone(lo.Fields), keptFields(lo)...)
	return Table{Dialect: r.dialect, Name: name, Table: lo.Table, Fields: fields}, true
}

// Tables returns the entities seen at the tenant code with path, sorted by name: those
// defined at it or above it, each with the fields of the layers on its lineage.
func (r *Registry) Tables(code, path string) []Table {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Table
	for _, lo := range r.layouts {
		if lo.Path == "" || !strings.HasPrefix(path, lo.Path) {
			continue
		}
		out = append(out, r.table(lo, code, path))
	}
	slices.SortFunc(out, func(a, b Table) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (r *Registry) table(lo Layout, code, path string) Table {
	var rels []Relation
	for _, rel := range lo.RelationsAt(path) {
		if to, ok := r.layouts[rel.Entity]; ok && strings.HasPrefix(path, to.Path) {
			rels = append(rels, rel)
		}
	}
	t := Table{Dialect: r.dialect, Name: lo.Name, Table: lo.Table, Fields: lo.View(path), Relations: rels,
		Referrers: lo.Referrers, At: code, Check: r.check, reg: r, path: path}
	if len(lo.Versions) > 0 {
		t.Version = lo.Versions[0].Name
		if lo.Versions[0].Deprecated {
			t.Deprecated = lo.Versions[0].Warning(lo.Name, t.Version)
		}
	}
	return t
}

// Versions returns the older served versions of the entities seen at the tenant
// code with path, sorted by entity and version: each the storage version's table
// seen through the version's fields, with the local fields of the layers on the
// tenant's lineage and the storage version's relations.
func (r *Registry) Versions(code, path string) []Table {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Table
	for _, lo := range r.layouts {
		if lo.Path == "" || !strings.HasPrefix(path, lo.Path) || len(lo.Versions) < 2 {
			continue
		}
		st := r.table(lo, code, path)
		names := map[string]string{}
		for _, f := range st.Fields {
			names[f.Column] = f.Name
		}
		for _, v := range lo.Versions[1:] {
			if !v.Served {
				continue
			}
			t := st
			t.Version, t.Older, t.Deprecated = v.Name, true, ""
			if v.Deprecated {
				t.Deprecated = v.Warning(lo.Name, st.Version)
			}
			t.stored, t.implied, t.Fields = st.Fields, v.Implied, nil
			for _, f := range v.Fields {
				f.StorageName = names[f.Column]
				t.Fields = append(t.Fields, f)
			}
			for _, f := range st.Fields {
				if f.Tenant != lo.Tenant {
					t.Fields = append(t.Fields, f)
				}
			}
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Table) int { return strings.Compare(a.Name+" "+a.Version, b.Name+" "+b.Version) })
	return out
}

// peer is the entity name as seen where t is seen.
func (t Table) peer(name string) (Table, bool) {
	if t.reg == nil {
		return Table{}, false
	}
	t.reg.mu.RLock()
	defer t.reg.mu.RUnlock()
	lo, ok := t.reg.layouts[name]
	if !ok || !strings.HasPrefix(t.path, lo.Path) {
		return Table{}, false
	}
	return t.reg.table(lo, t.At, t.path), true
}
