package resource

import (
	"context"
	"slices"
)

// Tenants lists the tenants that hold a current layer of (kind, name), sorted; it
// reads the same cache as Effective.
func (s *Service) Tenants(ctx context.Context, kind, name string) ([]string, error) {
	all, _, err := s.allLayers(ctx, cacheKey{kind, name})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(all))
	for t := range all {
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}
