package resource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	entresource "github.com/gdbos/gdbos/core/store/ent/resource"
)

var errDryRun = errors.New("resource: dry run")

// Apply creates or updates objects in one transaction: either every object is
// stored or none is. An object whose labels, spec and locks equal the stored ones is
// left alone (Unchanged). Validation problems of all objects come back together;
// in a batch of several objects each path starts with the object's index ("/2/spec/…").
func (s *Service) Apply(ctx context.Context, actor string, objs []Object, opts ApplyOptions) ([]ApplyResult, error) {
	prepared, err := s.prepare(objs)
	if err != nil {
		return nil, err
	}
	results := make([]ApplyResult, 0, len(prepared))
	err = s.st.Tx(ctx, func(tx *ent.Tx) error {
		results = results[:0]
		var changes []Change
		pf, err := s.prefetch(ctx, tx, prepared)
		if err != nil {
			return err
		}
		for i, o := range prepared {
			res, err := s.applyOne(ctx, tx, pf, actor, o, OpUpdate, &changes)
			if err != nil {
				return err
			}
			results = append(results, res)
			if opts.Progress != nil {
				opts.Progress(i+1, len(prepared))
			}
		}
		if err := pf.flushVersions(ctx, tx); err != nil {
			return err
		}
		// The layers of every changed name, read once for the kinds' hooks and the
		// effective check.
		bl, err := s.readBatchLayers(ctx, tx, results)
		if err != nil {
			return err
		}
		if err := s.notifyKinds(context.WithValue(ctx, batchLayersKey{}, bl), tx, changes); err != nil {
			return err
		}
		if err := s.checkEffective(ctx, tx, results, bl); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	if !opts.DryRun {
		s.invalidateResults(results)
	}
	return results, nil
}

func (s *Service) invalidateResults(results []ApplyResult) {
	for _, r := range results {
		if r.Op != Unchanged {
			s.Invalidate(r.Object.Kind, r.Object.Metadata.Name)
		}
	}
}

// prepare validates every object and returns normalized copies.
func (s *Service) prepare(objs []Object) ([]Object, error) {
	var errs apierr.FieldList
	out := make([]Object, len(objs))
	for i, o := range objs {
		o.Metadata.Labels = normalizeLabels(o.Metadata.Labels)
		problems := s.check(&o)
		o.Locks = normalizeLocks(o.Locks)
		if len(objs) > 1 {
			for j := range problems {
				problems[j].Path = fmt.Sprintf("/%d%s", i, problems[j].Path)
			}
		}
		errs = append(errs, problems...)
		out[i] = o
	}
	if len(objs) == 1 {
		return out, errs.Err(fmt.Sprintf("invalid %s %q", objs[0].Kind, objs[0].Metadata.Name))
	}
	return out, errs.Err("invalid resources")
}

// applyOne stores obj unless it is unchanged. op is OpUpdate for Apply (it becomes
// OpCreate when nothing is stored) or OpRevert.
func (s *Service) applyOne(ctx context.Context, tx *ent.Tx, pf *batchRows, actor string, obj Object, op string, changes *[]Change) (ApplyResult, error) {
	k, lineage, err := s.resolve(obj.Kind, obj.Metadata.Tenant)
	if err != nil {
		return ApplyResult{}, err
	}
	obj.APIVersion = k.APIVersion
	rows, err := pf.lineageRows(ctx, tx, obj.Kind, obj.Metadata.Name, lineage, true)
	if err != nil {
		return ApplyResult{}, err
	}
	cur, ancestors, err := splitRows(rows, lineage)
	if err != nil {
		return ApplyResult{}, err
	}
	old, err := current(cur)
	if err != nil {
		return ApplyResult{}, err
	}
	if old != nil && sameContent(old, &obj) {
		return ApplyResult{Object: *old, Op: Unchanged}, nil
	}
	if k.Inheritable {
		var base []*layer
		if k.Base != "" {
			rows, err := pf.lineageRows(ctx, tx, k.Base, obj.Metadata.Name, lineage, false)
			if err != nil {
				return ApplyResult{}, err
			}
			if base, err = layersOf(rows, lineage); err != nil {
				return ApplyResult{}, err
			}
		}
		if err := checkLocked(&obj, append(base, ancestors...)); err != nil {
			return ApplyResult{}, err
		}
	}
	if k.Admit != nil {
		if err := k.Admit(withTx(ctx, tx), obj, old); err != nil {
			return ApplyResult{}, err
		}
	}
	if old == nil && op == OpUpdate {
		op = OpCreate
	}
	stored, id, err := s.write(ctx, tx, cur, obj, op, false, actor, pf.versions())
	if err != nil {
		return ApplyResult{}, err
	}
	pf.wrote(stored, id)
	res := ApplyResult{Object: stored, Op: Updated, Diff: DiffObjects(old, &stored)}
	if old == nil {
		res.Op = Created
	}
	c := Change{Op: op, Object: stored, Old: old, Actor: actor}
	*changes = append(*changes, c)
	return res, s.notify(ctx, tx, c)
}

// splitRows returns the row at the lineage's last tenant and the other tenants'
// non-deleted layers, root first.
func splitRows(rows []*ent.Resource, lineage []string) (*ent.Resource, []*layer, error) {
	self := lineage[len(lineage)-1]
	var cur *ent.Resource
	for _, r := range rows {
		if r.Tenant == self {
			cur = r
		}
	}
	ancestors, err := layersOf(rows, lineage[:len(lineage)-1])
	return cur, ancestors, err
}

// layersOf returns the non-deleted rows at the lineage's tenants as layers, root first.
func layersOf(rows []*ent.Resource, lineage []string) ([]*layer, error) {
	byTenant := make(map[string]*ent.Resource, len(rows))
	for _, r := range rows {
		byTenant[r.Tenant] = r
	}
	var out []*layer
	for _, t := range lineage {
		r, ok := byTenant[t]
		if !ok || r.Deleted {
			continue
		}
		o, err := objectFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, &layer{tenant: t, spec: o.Spec, locks: o.Locks})
	}
	return out, nil
}

func current(r *ent.Resource) (*Object, error) {
	if r == nil || r.Deleted {
		return nil, nil
	}
	o, err := objectFromRow(r)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// baseLayers reads, through c, the layers of k's base kind (Kind.Base) named name
// along lineage, the last tenant included, root first; none when k has no base.
func (s *Service) baseLayers(ctx context.Context, c *ent.Client, k *kindEntry, name string, lineage []string) ([]*layer, error) {
	if k.Base == "" {
		return nil, nil
	}
	rows, err := c.Resource.Query().
		Where(entresource.KindEQ(k.Base), entresource.NameEQ(name), entresource.TenantIn(lineage...), entresource.DeletedEQ(false)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("resource: read %s %s: %w", k.Base, name, err)
	}
	return layersOf(rows, lineage)
}

// notifyKinds hands each kind with an OnChanges hook its changes of the operation,
// kinds in the order they first changed.
func (s *Service) notifyKinds(ctx context.Context, tx *ent.Tx, changes []Change) error {
	var order []string
	byKind := map[string][]Change{}
	for _, c := range changes {
		k := c.Object.Kind
		if _, seen := byKind[k]; !seen {
			order = append(order, k)
		}
		byKind[k] = append(byKind[k], c)
	}
	for _, name := range order {
		if k, ok := s.kind(name); ok && k.OnChanges != nil {
			if err := k.OnChanges(withTx(ctx, tx), tx, byKind[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) notify(ctx context.Context, tx *ent.Tx, c Change) error {
	fn := s.hook()
	if fn == nil {
		return nil
	}
	return fn(ctx, tx, c)
}

// write stores obj as the next version of cur (nil when the row does not exist yet)
// and returns it with its row's ID. With vb, the history row waits in vb for one
// multi-row insert at the end of the batch.
func (s *Service) write(ctx context.Context, tx *ent.Tx, cur *ent.Resource, obj Object, op string, deleted bool, actor string, vb *versionBuffer) (Object, int, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	obj.Metadata.Version, obj.Metadata.UpdatedAt, obj.Metadata.UpdatedBy = 1, now, actor
	var id int
	if cur == nil {
		r, err := tx.Resource.Create().
			SetAPIVersion(obj.APIVersion).SetKind(obj.Kind).SetTenant(obj.Metadata.Tenant).SetName(obj.Metadata.Name).
			SetLabels(obj.Metadata.Labels).SetSpec(obj.Spec).SetLocks(obj.Locks).
			SetVersion(1).SetDeleted(deleted).SetUpdatedBy(actor).SetCreatedAt(now).SetUpdatedAt(now).
			Save(ctx)
		if err != nil {
			return Object{}, 0, writeErr(obj, err)
		}
		id = r.ID
	} else {
		obj.Metadata.Version = cur.Version + 1
		err := tx.Resource.UpdateOneID(cur.ID).
			SetAPIVersion(obj.APIVersion).SetLabels(obj.Metadata.Labels).SetSpec(obj.Spec).SetLocks(obj.Locks).
			SetVersion(obj.Metadata.Version).SetDeleted(deleted).SetUpdatedBy(actor).SetUpdatedAt(now).
			Exec(ctx)
		if err != nil {
			return Object{}, 0, writeErr(obj, err)
		}
		id = cur.ID
	}
	v := tx.ResourceVersion.Create().
		SetResourceID(id).SetKind(obj.Kind).SetTenant(obj.Metadata.Tenant).SetName(obj.Metadata.Name).
		SetVersion(obj.Metadata.Version).SetOp(op).SetAPIVersion(obj.APIVersion).
		SetLabels(obj.Metadata.Labels).SetSpec(obj.Spec).SetLocks(obj.Locks).
		SetDeleted(deleted).SetAuthor(actor).SetCreatedAt(now)
	if vb != nil {
		vb.add(v, obj)
	} else if err := v.Exec(ctx); err != nil {
		return Object{}, 0, writeErr(obj, err)
	}
	return obj, id, nil
}

func writeErr(obj Object, err error) error {
	if ent.IsConstraintError(err) {
		return apierr.Wrap(apierr.Conflict, err, "%s %q at tenant %s was changed concurrently; retry", obj.Kind, obj.Metadata.Name, obj.Metadata.Tenant)
	}
	return fmt.Errorf("resource: write %s %s/%s: %w", obj.Kind, obj.Metadata.Tenant, obj.Metadata.Name, err)
}

// checkEffective validates, once the whole batch is written, the spec in effect
// where each changed layer of an inheritable kind lives: layers may be partial (and
// a batch may hold a child before its parent), the merged result must satisfy the
// whole schema. bl holds the layers of the changed names (readBatchLayers).
func (s *Service) checkEffective(ctx context.Context, tx *ent.Tx, results []ApplyResult, bl batchLayers) error {
	if bl == nil {
		var err error
		if bl, err = s.readBatchLayers(ctx, tx, results); err != nil {
			return err
		}
	}
	for _, r := range results {
		k, lineage, err := s.resolve(r.Object.Kind, r.Object.Metadata.Tenant)
		if err != nil {
			return err
		}
		if r.Op == Unchanged || !k.Inheritable {
			continue
		}
		name := r.Object.Metadata.Name
		ls := pickLayers(bl[k.Name][name], k, lineage)
		if k.Base != "" {
			ls = append(pickLayers(bl[k.Base][name], k, lineage), ls...)
		}
		m := mergeLayers(ls, false)
		err = apierr.FieldList(schemaErrors(k.schema, m.spec, false)).
			Err(fmt.Sprintf("%s %q would not be valid at tenant %s", k.Name, name, r.Object.Metadata.Tenant))
		if err != nil {
			return err
		}
	}
	return nil
}

// batchLayers are the current layers of the names a batch changed, per kind (base
// kinds included): kind → name → tenant → layer.
type batchLayers map[string]map[string]map[string]*layer

type batchLayersKey struct{}

// readBatchLayers reads, after a batch's writes, the layers of every name it changed
// of an inheritable kind, and of the same names of their base kinds, per kind in a
// few queries.
func (s *Service) readBatchLayers(ctx context.Context, tx *ent.Tx, results []ApplyResult) (batchLayers, error) {
	names := map[string][]string{}
	for _, r := range results {
		k, ok := s.kind(r.Object.Kind)
		if r.Op == Unchanged || !ok || !k.Inheritable {
			continue
		}
		names[k.Name] = append(names[k.Name], r.Object.Metadata.Name)
		if k.Base != "" {
			names[k.Base] = append(names[k.Base], r.Object.Metadata.Name)
		}
	}
	bl := batchLayers{}
	for kind, ns := range names {
		ns = slices.Compact(slices.Sorted(slices.Values(ns)))
		bl[kind] = map[string]map[string]*layer{}
		for i := 0; i < len(ns); i += bulkChunk {
			chunk := ns[i:min(i+bulkChunk, len(ns))]
			got, err := s.layersByName(ctx, tx.Client(), kind, chunk)
			if err != nil {
				return nil, err
			}
			for _, n := range chunk {
				bl[kind][n] = got[n] // nil when no layer is left: known to be empty
			}
		}
	}
	return bl, nil
}

// layersOfBatch returns the batch's layers of (kind, names) when ctx carries them
// for every name, else nil.
func layersOfBatch(ctx context.Context, kind string, names []string) (map[string]map[string]*layer, bool) {
	bl, _ := ctx.Value(batchLayersKey{}).(batchLayers)
	byName, ok := bl[kind]
	if !ok {
		return nil, false
	}
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			return nil, false
		}
	}
	return byName, true
}
