package resource

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/gdbos/gdbos/core/store/ent"
	entresource "github.com/gdbos/gdbos/core/store/ent/resource"
)

// bulkChunk bounds the names one query of EffectiveEverywhere asks for.
const bulkChunk = 500

// EffectiveEverywhere returns, for each name, the effective spec at every tenant
// that stores a current layer of (kind, name), in tenant order: what a module needs
// to rebuild the tables it derives from a kind after a batch changed those names.
// It reads every layer in a few queries (through the writing transaction when ctx
// comes from a hook), where Effective per tenant would read twice per tenant.
func (s *Service) EffectiveEverywhere(ctx context.Context, kind string, names []string) (map[string][]Effective, error) {
	k, ok := s.kind(kind)
	if !ok {
		return nil, fmt.Errorf("resource: unknown kind %q", kind)
	}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	c := s.clientFor(ctx)
	out := make(map[string][]Effective, len(names))
	for i := 0; i < len(names); i += bulkChunk {
		chunk := names[i:min(i+bulkChunk, len(names))]
		own, err := s.layersOfNames(ctx, c, k.Name, chunk)
		if err != nil {
			return nil, err
		}
		var base map[string]map[string]*layer
		if k.Base != "" {
			if base, err = s.layersOfNames(ctx, c, k.Base, chunk); err != nil {
				return nil, err
			}
		}
		for _, name := range chunk {
			layers := own[name]
			for _, t := range slices.Sorted(maps.Keys(layers)) {
				lineage, ok := s.tenants.LineageCodes(t)
				if !ok {
					continue
				}
				ls := pickLayers(layers, k, lineage)
				if b, ok := base[name]; ok {
					ls = append(pickLayers(b, k, lineage), ls...)
				}
				e, err := effectiveOf(mergeLayers(ls, false), kind, t, name)
				if err != nil {
					return nil, err
				}
				out[name] = append(out[name], e)
			}
		}
	}
	return out, nil
}

// layersOfNames returns the layers of names: those an apply batch already read
// when ctx comes from its hook and they cover names, else read through c.
func (s *Service) layersOfNames(ctx context.Context, c *ent.Client, kind string, names []string) (map[string]map[string]*layer, error) {
	if got, ok := layersOfBatch(ctx, kind, names); ok {
		return got, nil
	}
	return s.layersByName(ctx, c, kind, names)
}

// layersByName reads the current layers of kind for names: name → tenant → layer.
func (s *Service) layersByName(ctx context.Context, c *ent.Client, kind string, names []string) (map[string]map[string]*layer, error) {
	rows, err := c.Resource.Query().
		Where(entresource.KindEQ(kind), entresource.NameIn(names...), entresource.DeletedEQ(false)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("resource: read %s layers: %w", kind, err)
	}
	out := map[string]map[string]*layer{}
	for _, r := range rows {
		o, err := objectFromRow(r)
		if err != nil {
			return nil, err
		}
		if out[r.Name] == nil {
			out[r.Name] = map[string]*layer{}
		}
		out[r.Name][r.Tenant] = &layer{tenant: r.Tenant, spec: o.Spec, locks: o.Locks}
	}
	return out, nil
}
