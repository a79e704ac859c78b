package resource

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	entresource "github.com/gdbos/gdbos/core/store/ent/resource"
)

const (
	defaultPage = 100
	maxPage     = 1000
)

// List returns current (non-deleted) objects ordered by tenant, kind and name, one
// page at a time.
func (s *Service) List(ctx context.Context, opts ListOptions) (Page, error) {
	after, err := decodeCursor(opts.After)
	if err != nil {
		return Page{}, err
	}
	rows, err := s.currentRows(ctx, opts)
	if err != nil {
		return Page{}, err
	}
	slices.SortFunc(rows, func(a, b *ent.Resource) int { return compareKey(keyOf(a), keyOf(b)) })
	page := Page{Total: len(rows)}
	start := 0
	if after != nil {
		start, _ = slices.BinarySearchFunc(rows, *after, func(r *ent.Resource, k listKey) int {
			if compareKey(keyOf(r), k) <= 0 {
				return -1
			}
			return 1
		})
	}
	size := opts.First
	if size <= 0 || size > maxPage {
		size = defaultPage
	}
	end := min(start+size, len(rows))
	page.HasNext = end < len(rows)
	for _, r := range rows[start:end] {
		o, err := objectFromRow(r)
		if err != nil {
			return Page{}, err
		}
		page.Items = append(page.Items, o)
	}
	if end > start {
		page.EndCursor = encodeCursor(keyOf(rows[end-1]))
	}
	return page, nil
}

// currentRows reads the non-deleted rows that opts select, through the caller's
// transaction when ctx carries one (admission sees the batch). A subtree is filtered
// with Tenants.IsWithin, so the store needs no tenant paths.
func (s *Service) currentRows(ctx context.Context, opts ListOptions) ([]*ent.Resource, error) {
	q := s.clientFor(ctx).Resource.Query().Where(entresource.DeletedEQ(false))
	if opts.Kind != "" {
		q = q.Where(entresource.KindEQ(opts.Kind))
	}
	if opts.Name != "" {
		q = q.Where(entresource.NameEQ(opts.Name))
	}
	if opts.Tenant != "" && !opts.Subtree {
		q = q.Where(entresource.TenantEQ(opts.Tenant))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("resource: list: %w", err)
	}
	if opts.Tenant == "" || !opts.Subtree {
		return rows, nil
	}
	return slices.DeleteFunc(rows, func(r *ent.Resource) bool {
		return !s.tenants.IsWithin(r.Tenant, opts.Tenant)
	}), nil
}

type listKey struct{ Tenant, Kind, Name string }

func keyOf(r *ent.Resource) listKey { return listKey{r.Tenant, r.Kind, r.Name} }

func compareKey(a, b listKey) int {
	return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
}

func encodeCursor(k listKey) string {
	b, _ := json.Marshal([]string{k.Tenant, k.Kind, k.Name})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string) (*listKey, error) {
	if c == "" {
		return nil, nil
	}
	bad := apierr.Invalid("invalid cursor", []apierr.FieldError{{Path: "after", Message: "is not a cursor from this list"}})
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var parts []string
	if json.Unmarshal(b, &parts) != nil || len(parts) != 3 {
		return nil, bad
	}
	return &listKey{parts[0], parts[1], parts[2]}, nil
}

// Export returns the current layers stored at tenant (and, with subtree, at its
// descendants), parents before children, then by kind and name. Version, UpdatedAt
// and UpdatedBy are cleared so that the output applies cleanly elsewhere.
func (s *Service) Export(ctx context.Context, tenant string, subtree bool) ([]Object, error) {
	if _, ok := s.tenants.LineageCodes(tenant); !ok {
		return nil, apierr.New(apierr.NotFound, "tenant %q does not exist", tenant)
	}
	rows, err := s.currentRows(ctx, ListOptions{Tenant: tenant, Subtree: subtree})
	if err != nil {
		return nil, err
	}
	lineages := map[string][]string{}
	for _, r := range rows {
		if _, ok := lineages[r.Tenant]; !ok {
			lineages[r.Tenant], _ = s.tenants.LineageCodes(r.Tenant)
		}
	}
	slices.SortFunc(rows, func(a, b *ent.Resource) int {
		return cmp.Or(slices.Compare(lineages[a.Tenant], lineages[b.Tenant]),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	out := make([]Object, 0, len(rows))
	for _, r := range rows {
		o, err := objectFromRow(r)
		if err != nil {
			return nil, err
		}
		o.Metadata.Version, o.Metadata.UpdatedAt, o.Metadata.UpdatedBy = 0, time.Time{}, ""
		out = append(out, o)
	}
	return out, nil
}

// All returns every current object of a kind at every tenant in one read, for
// rebuilding what is derived from a whole kind (the authorizer from roles and
// bindings) without paging through List.
func (s *Service) All(ctx context.Context, kind string) ([]Object, error) {
	rows, err := s.currentRows(ctx, ListOptions{Kind: kind})
	if err != nil {
		return nil, err
	}
	out := make([]Object, len(rows))
	for i, r := range rows {
		if out[i], err = objectFromRow(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}
