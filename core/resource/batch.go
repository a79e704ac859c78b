package resource

import (
	"context"
	"fmt"
	"slices"

	"github.com/gdbos/gdbos/core/store/ent"
	entresource "github.com/gdbos/gdbos/core/store/ent/resource"
)

// prefetchMin is the batch size from which Apply reads the stored rows of the whole
// batch up front (a few queries) rather than per object (two or three each).
const prefetchMin = 32

// batchRows holds, per (kind, name), every stored row (deleted ones included) read
// for a batch, kept up to date with what the batch writes.
type batchRows struct {
	rows map[cacheKey][]*ent.Resource
	// vb holds the history rows of a prefetched batch until its end.
	vb *versionBuffer
}

// versionBuffer collects a batch's history rows for multi-row inserts: no one reads
// history inside the batch.
type versionBuffer struct {
	rows []*ent.ResourceVersionCreate
	objs []Object
}

func (vb *versionBuffer) add(v *ent.ResourceVersionCreate, o Object) {
	vb.rows = append(vb.rows, v)
	vb.objs = append(vb.objs, o)
}

// versions is the batch's history buffer; nil (insert at once) for small batches.
func (b *batchRows) versions() *versionBuffer {
	if b == nil {
		return nil
	}
	return b.vb
}

// flushVersions inserts the buffered history rows, bulkChunk at a time.
func (b *batchRows) flushVersions(ctx context.Context, tx *ent.Tx) error {
	if b == nil || b.vb == nil {
		return nil
	}
	vb := b.vb
	for i := 0; i < len(vb.rows); i += bulkChunk {
		end := min(i+bulkChunk, len(vb.rows))
		if err := tx.ResourceVersion.CreateBulk(vb.rows[i:end]...).Exec(ctx); err != nil {
			return writeErr(vb.objs[i], err)
		}
	}
	vb.rows, vb.objs = nil, nil
	return nil
}

// prefetch reads the rows of every (kind, name) of objs and of their base kinds.
func (s *Service) prefetch(ctx context.Context, tx *ent.Tx, objs []Object) (*batchRows, error) {
	b := &batchRows{rows: map[cacheKey][]*ent.Resource{}}
	if len(objs) < prefetchMin {
		return b, nil
	}
	b.vb = &versionBuffer{}
	names := map[string][]string{}
	for _, o := range objs {
		names[o.Kind] = append(names[o.Kind], o.Metadata.Name)
		if k, ok := s.kind(o.Kind); ok && k.Base != "" {
			names[k.Base] = append(names[k.Base], o.Metadata.Name)
		}
	}
	for kind, ns := range names {
		ns = slices.Compact(slices.Sorted(slices.Values(ns)))
		for i := 0; i < len(ns); i += bulkChunk {
			chunk := ns[i:min(i+bulkChunk, len(ns))]
			rows, err := tx.Resource.Query().Where(entresource.KindEQ(kind), entresource.NameIn(chunk...)).All(ctx)
			if err != nil {
				return nil, fmt.Errorf("resource: read %s: %w", kind, err)
			}
			for _, name := range chunk {
				b.rows[cacheKey{kind, name}] = []*ent.Resource{}
			}
			for _, r := range rows {
				key := cacheKey{kind, r.Name}
				b.rows[key] = append(b.rows[key], r)
			}
		}
	}
	return b, nil
}

// lineageRows returns the stored rows of (kind, name) at the lineage's tenants,
// deleted ones included when withDeleted: from the batch's prefetch when it holds
// them, else read through tx.
func (b *batchRows) lineageRows(ctx context.Context, tx *ent.Tx, kind, name string, lineage []string, withDeleted bool) ([]*ent.Resource, error) {
	if b != nil {
		if rows, ok := b.rows[cacheKey{kind, name}]; ok {
			out := make([]*ent.Resource, 0, len(lineage))
			for _, r := range rows {
				if slices.Contains(lineage, r.Tenant) && (withDeleted || !r.Deleted) {
					out = append(out, r)
				}
			}
			return out, nil
		}
	}
	q := tx.Resource.Query().Where(entresource.KindEQ(kind), entresource.NameEQ(name), entresource.TenantIn(lineage...))
	if !withDeleted {
		q = q.Where(entresource.DeletedEQ(false))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("resource: read %s %s: %w", kind, name, err)
	}
	return rows, nil
}

// wrote records in the batch's rows the object the batch just stored (row id), so
// later objects of the same name see it without reading it back.
func (b *batchRows) wrote(o Object, id int) {
	if b == nil {
		return
	}
	key := cacheKey{o.Kind, o.Metadata.Name}
	rows, ok := b.rows[key]
	if !ok {
		return
	}
	r := &ent.Resource{ID: id, APIVersion: o.APIVersion, Kind: o.Kind, Tenant: o.Metadata.Tenant, Name: o.Metadata.Name,
		Labels: o.Metadata.Labels, Spec: o.Spec, Locks: o.Locks, Version: o.Metadata.Version, UpdatedBy: o.Metadata.UpdatedBy,
		CreatedAt: o.Metadata.UpdatedAt, UpdatedAt: o.Metadata.UpdatedAt}
	rows = slices.DeleteFunc(slices.Clone(rows), func(x *ent.Resource) bool { return x.Tenant == r.Tenant })
	b.rows[key] = append(rows, r)
}
