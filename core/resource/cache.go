package resource

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/gdbos/gdbos/core/store/ent"
	entresource "github.com/gdbos/gdbos/core/store/ent/resource"
)

// cache holds, per (kind, name), every tenant's layer and the effective results
// computed from them. Writers invalidate after commit; other replicas' writes arrive
// through Invalidate. A load that raced an invalidation is not stored (gen).
type cache struct {
	mu      sync.RWMutex
	gen     uint64
	entries map[cacheKey]*cacheEntry
}

type cacheKey struct{ kind, name string }

type cacheEntry struct {
	layers map[string]*layer
	eff    map[string]*merged
}

func newCache() *cache { return &cache{entries: map[cacheKey]*cacheEntry{}} }

func (c *cache) effective(key cacheKey, tenant string) (*merged, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	m, ok := e.eff[tenant]
	return m, ok
}

// layers returns the cached layers of key (nil if not loaded) and the generation
// a load must quote to store its result.
func (c *cache) layers(key cacheKey) (map[string]*layer, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e, ok := c.entries[key]; ok {
		return e.layers, c.gen
	}
	return nil, c.gen
}

func (c *cache) store(key cacheKey, gen uint64, fill func(e *cacheEntry)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry{eff: map[string]*merged{}}
		c.entries[key] = e
	}
	fill(e)
}

func (c *cache) invalidate(key cacheKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, key)
}

func (c *cache) invalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// Invalidate drops what the service cached about (kind, name); the kernel calls it
// when another replica changes that resource.
// The kinds built on kind (Kind.Base) are dropped too.
func (s *Service) Invalidate(kind, name string) {
	s.cache.invalidate(cacheKey{kind, name})
	for _, d := range s.derived(kind) {
		s.cache.invalidate(cacheKey{d, name})
	}
}

// InvalidateAll drops the whole cache, e.g. after the tenant tree changed.
func (s *Service) InvalidateAll() { s.cache.invalidateAll() }

// allLayers returns every tenant's current layer of (kind, name), cached.
func (s *Service) allLayers(ctx context.Context, key cacheKey) (map[string]*layer, uint64, error) {
	layers, gen := s.cache.layers(key)
	if layers != nil {
		return layers, gen, nil
	}
	rows, err := s.st.Client.Resource.Query().
		Where(entresource.KindEQ(key.kind), entresource.NameEQ(key.name), entresource.DeletedEQ(false)).
		All(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("resource: load layers of %s/%s: %w", key.kind, key.name, err)
	}
	layers = make(map[string]*layer, len(rows))
	for _, r := range rows {
		o, err := objectFromRow(r)
		if err != nil {
			return nil, 0, err
		}
		layers[r.Tenant] = &layer{tenant: r.Tenant, spec: o.Spec, locks: o.Locks}
	}
	s.cache.store(key, gen, func(e *cacheEntry) { e.layers = layers })
	return layers, gen, nil
}

// layersIn reads what layersFor returns through c, uncached: inside a writing
// transaction (an admission or change hook) the batch's own writes count.
func (s *Service) layersIn(ctx context.Context, c *ent.Client, k *kindEntry, name string, lineage []string) ([]*layer, error) {
	if !k.Inheritable {
		lineage = lineage[len(lineage)-1:]
	}
	rows, err := c.Resource.Query().
		Where(entresource.KindEQ(k.Name), entresource.NameEQ(name), entresource.TenantIn(lineage...), entresource.DeletedEQ(false)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("resource: read %s %s: %w", k.Name, name, err)
	}
	own, err := layersOf(rows, lineage)
	if err != nil || len(own) == 0 {
		return own, err
	}
	base, err := s.baseLayers(ctx, c, k, name, lineage)
	if err != nil {
		return nil, err
	}
	return append(base, own...), nil
}

// layersFor returns the layers that apply at the last tenant of lineage, root first:
// the base kind's, then the kind's own. It returns no layer when the kind has none
// of its own there, so a base alone is not found as its derived kind.
func (s *Service) layersFor(ctx context.Context, k *kindEntry, name string, lineage []string) ([]*layer, error) {
	all, _, err := s.allLayers(ctx, cacheKey{k.Name, name})
	if err != nil {
		return nil, err
	}
	own := pickLayers(all, k, lineage)
	if k.Base == "" || len(own) == 0 {
		return own, nil
	}
	b, ok := s.kind(k.Base)
	if !ok {
		return nil, fmt.Errorf("resource: base kind %s of %s is not registered", k.Base, k.Name)
	}
	base, _, err := s.allLayers(ctx, cacheKey{b.Name, name})
	if err != nil {
		return nil, err
	}
	return append(pickLayers(base, b, lineage), own...), nil
}

func pickLayers(all map[string]*layer, k *kindEntry, lineage []string) []*layer {
	if !k.Inheritable {
		lineage = lineage[len(lineage)-1:]
	}
	var out []*layer
	for _, t := range lineage {
		if l, ok := all[t]; ok {
			out = append(out, l)
		}
	}
	return out
}

// Effective returns the configuration in effect at tenant for (kind, name). The
// result is the caller's to keep and change. Called from an admission or change
// hook (Kind.Admit, Kind.OnChange), it reads through the writing transaction.
func (s *Service) Effective(ctx context.Context, kind, tenant, name string) (Effective, error) {
	k, lineage, err := s.resolve(kind, tenant)
	if err != nil {
		return Effective{}, err
	}
	key := cacheKey{kind, name}
	if tx, ok := ctx.Value(txKey{}).(*ent.Tx); ok && tx != nil {
		ls, err := s.layersIn(ctx, tx.Client(), k, name, lineage)
		if err != nil {
			return Effective{}, err
		}
		return effectiveOf(mergeLayers(ls, false), kind, tenant, name)
	}
	m, ok := s.cache.effective(key, tenant)
	if !ok {
		_, gen := s.cache.layers(key)
		ls, err := s.layersFor(ctx, k, name, lineage)
		if err != nil {
			return Effective{}, err
		}
		m = mergeLayers(ls, false)
		s.cache.store(key, gen, func(e *cacheEntry) { e.eff[tenant] = m })
	}
	return effectiveOf(m, kind, tenant, name)
}

func effectiveOf(m *merged, kind, tenant, name string) (Effective, error) {
	if len(m.layers) == 0 {
		return Effective{}, notFound(kind, tenant, name)
	}
	return Effective{
		Kind: kind, Tenant: tenant, Name: name,
		Spec:   copyMap(m.spec),
		Layers: slices.Clone(m.layers),
		Locks:  maps.Clone(m.locks),
	}, nil
}
