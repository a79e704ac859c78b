package kernel

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/standard"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/schemas"
)

// kernelAreas are the API areas an entity may not be named after (its type name is
// also its permission resource).
var kernelAreas = []string{"tenants", "users", "orgunits", "tokens", "audit"}

// admitEntitySchema checks a layer of an entity schema: names, types, data elements,
// that it only adds to what it replaces, and that the whole entity still lays out
// (a descendant adds fields, never redefines an inherited one).
func (k *Kernel) admitEntitySchema(ctx context.Context, obj resource.Object, old *resource.Object) error {
	name := obj.Metadata.Name
	if err := entity.CheckName(name); err != nil {
		return err
	}
	if _, taken := k.resources.Kind(graph.TypeName(name)); taken || slices.Contains(kernelAreas, name) {
		return apierr.Invalid("invalid entity schema", []apierr.FieldError{{Path: "/metadata/name", Message: fmt.Sprintf("%q is taken by the kernel", name)}})
	}
	var spec entity.Spec
	decodeSpec(obj.Spec, &spec)
	elem := func(code string) (string, bool) {
		e, err := k.Element(ctx, obj.Metadata.Tenant, code)
		if err != nil {
			return "", false
		}
		return fieldType(e), true
	}
	if err := spec.Check(elem); err != nil {
		return err
	}
	if old != nil {
		var prev entity.Spec
		decodeSpec(old.Spec, &prev)
		if err := entity.Evolve(prev, spec); err != nil {
			return err
		}
	}
	layers, err := k.entityLayers(ctx, name, &obj)
	if err != nil {
		return err
	}
	if _, err = entity.Build(name, layers, nil); err != nil {
		return err
	}
	return k.admitRelations(ctx, obj, spec)
}

// admitRelations checks a layer's relations against every other entity as it
// would be with the layer published: related entities seen at the layer's tenant,
// inverses that exist and take no name in use. A change that breaks another
// entity's relations (a field named like an inverse derived onto this entity) is
// refused too.
func (k *Kernel) admitRelations(ctx context.Context, obj resource.Object, spec entity.Spec) error {
	t, ok := k.tenants.Get(obj.Metadata.Tenant)
	if !ok {
		return nil
	}
	before, err := k.entityLayouts(ctx, nil)
	if err != nil {
		return err
	}
	after, err := k.entityLayouts(ctx, &obj)
	if err != nil {
		return err
	}
	linked, errAfter := entity.Link(after)
	others := map[string]entity.Layout{}
	for _, lo := range linked {
		others[lo.Name] = lo
	}
	if err := entity.CheckRelations(obj.Metadata.Name, t.Path, spec, others); err != nil {
		return err
	}
	if _, errBefore := entity.Link(before); errAfter != nil && (errBefore == nil || errBefore.Error() != errAfter.Error()) {
		return apierr.Invalid("invalid entity schema", []apierr.FieldError{{Path: "/spec", Message: errAfter.Error()}})
	}
	return nil
}

// entityLayouts lays out every entity (with obj in place of its stored version
// when given); entities that do not lay out are left out.
func (k *Kernel) entityLayouts(ctx context.Context, obj *resource.Object) ([]entity.Layout, error) {
	objs, err := k.resources.All(ctx, "EntitySchema")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, o := range objs {
		if !slices.Contains(names, o.Metadata.Name) {
			names = append(names, o.Metadata.Name)
		}
	}
	if obj != nil && !slices.Contains(names, obj.Metadata.Name) {
		names = append(names, obj.Metadata.Name)
	}
	var out []entity.Layout
	for _, n := range names {
		var with *resource.Object
		if obj != nil && obj.Metadata.Name == n {
			with = obj
		}
		layers, err := k.entityLayers(ctx, n, with)
		if err != nil {
			return nil, err
		}
		if lo, err := entity.Build(n, layers, nil); err == nil && len(layers) > 0 {
			out = append(out, lo)
		}
	}
	return out, nil
}

func fieldType(e *standard.Element) string {
	if e.Spec.Type == standard.TypeCode || e.Spec.Type == "" {
		return entity.TypeString
	}
	return e.Spec.Type
}

// entityLayers reads the layers of one entity (through the writing transaction when
// ctx carries one), with obj in place of its stored version when given, and resolves
// the types of fields that name data elements at their layer's tenant.
func (k *Kernel) entityLayers(ctx context.Context, name string, obj *resource.Object) ([]entity.Layer, error) {
	objs, err := k.resources.All(ctx, "EntitySchema")
	if err != nil {
		return nil, err
	}
	var layers []entity.Layer
	add := func(o resource.Object) {
		t, ok := k.tenants.Get(o.Metadata.Tenant)
		if !ok {
			return
		}
		var spec entity.Spec
		decodeSpec(o.Spec, &spec)
		resolve := func(fields []entity.FieldSpec) {
			for i, f := range fields {
				if f.Type == "" && f.Element != "" {
					if e, err := k.Element(ctx, o.Metadata.Tenant, f.Element); err == nil {
						fields[i].Type = fieldType(e)
					}
				}
			}
		}
		resolve(spec.Fields)
		for _, v := range spec.Versions {
			resolve(v.Fields)
		}
		layers = append(layers, entity.Layer{Tenant: t.Code, Path: t.Path, Spec: spec})
	}
	for _, o := range objs {
		if o.Metadata.Name != name || (obj != nil && o.Metadata.Tenant == obj.Metadata.Tenant) {
			continue
		}
		add(o)
	}
	if obj != nil {
		add(*obj)
	}
	return layers, nil
}

// syncEntity brings an entity's table up to its schema inside the transaction that
// changed the schema: the publish and the table change commit together or not at all.
func (k *Kernel) syncEntity(ctx context.Context, tx *ent.Tx, c resource.Change) error {
	// The change is not necessarily stored yet when OnChange runs: lay the entity out
	// with it in place (or, for a delete, without it).
	layers, err := k.entityLayers(ctx, c.Object.Metadata.Name, &c.Object)
	if err != nil {
		return err
	}
	if c.Op == "delete" {
		layers = slices.DeleteFunc(layers, func(l entity.Layer) bool { return l.Tenant == c.Object.Metadata.Tenant })
	}
	if len(layers) == 0 {
		return nil
	}
	lo, err := entity.Build(c.Object.Metadata.Name, layers, nil)
	if err != nil {
		return err
	}
	// prev is the entity as its table stood before the change: with the old layer,
	// with the deleted one, or without the new one. (Laid out from the old layer
	// only, a new or deleted layer below the defining tenant looked like a first
	// publish, and every inherited field's existing column like a clash.)
	var old []entity.Layer
	switch {
	case c.Op == "delete":
		old, err = k.entityLayers(ctx, c.Object.Metadata.Name, &c.Object)
	case c.Old != nil:
		old, err = k.entityLayers(ctx, c.Object.Metadata.Name, c.Old)
	default:
		old, err = k.entityLayers(ctx, c.Object.Metadata.Name, nil)
		old = slices.DeleteFunc(old, func(l entity.Layer) bool { return l.Tenant == c.Object.Metadata.Tenant })
	}
	if err != nil {
		return err
	}
	var prev entity.Layout
	if len(old) > 0 {
		// A previous layout with problems still says what the table holds.
		prev, _ = entity.Build(c.Object.Metadata.Name, old, nil)
	}
	if err := entity.Migrate(ctx, tx, k.store.Dialect, prev, lo, k.checkElement); err != nil {
		return err
	}
	return entity.Sync(ctx, tx, k.store.Dialect, lo)
}

// ReloadEntities rebuilds the entity registry from every EntitySchema, making sure
// each table exists (Ensure; the publish that changed a schema changed its table),
// and so every tenant's data API.
func (k *Kernel) ReloadEntities(ctx context.Context) error {
	k.entityReload.Lock() // the after-commit reload and the event's may overlap
	defer k.entityReload.Unlock()
	objs, err := k.resources.All(ctx, "EntitySchema")
	if err != nil {
		return err
	}
	var names []string
	for _, o := range objs {
		if !slices.Contains(names, o.Metadata.Name) {
			names = append(names, o.Metadata.Name)
		}
	}
	var layouts []entity.Layout
	for _, n := range names {
		layers, err := k.entityLayers(ctx, n, nil)
		if err != nil {
			return err
		}
		lo, err := entity.Build(n, layers, nil)
		if err != nil {
			k.log.ErrorContext(ctx, "entity schema does not lay out", slog.String("entity", n), slog.Any("err", err))
			continue
		}
		if err := entity.Ensure(ctx, k.store.DB, k.store.Dialect, lo); err != nil {
			k.log.ErrorContext(ctx, "entity table cannot be made", slog.String("entity", n), slog.Any("err", err))
			continue
		}
		layouts = append(layouts, lo)
	}
	if err := k.entities.Set(layouts); err != nil {
		k.log.ErrorContext(ctx, "entity relations left out", slog.Any("err", err))
	}
	return nil
}

// Entities is the registry of published entities, for tests and tools that look at
// it directly (the data API is built from it).
func (k *Kernel) Entities() *entity.Registry { return k.entities }

// checkElement is the entity registry's data-element check.
func (k *Kernel) checkElement(tenantCode, element string, v any) []string {
	e, err := k.Element(context.Background(), tenantCode, element)
	if err != nil {
		return []string{fmt.Sprintf("data element %s cannot be used: %v", element, err)}
	}
	var out []string
	for _, p := range e.Check(v) {
		out = append(out, p.String())
	}
	return out
}

// StandardEntities returns the entity schemas shipped in schemas/entities, in the
// order they must be published (a relation's target first).
func StandardEntities() ([]resource.Object, error) {
	files, err := fs.Glob(schemas.FS, "entities/*.yaml")
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	var out []resource.Object
	for _, f := range files {
		b, err := schemas.FS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objs, err := resource.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("kernel: %s: %w", f, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

// publishStandardEntities publishes the shipped entity schemas when no entity is
// published yet.
func (k *Kernel) publishStandardEntities(ctx context.Context) error {
	have, err := k.resources.All(ctx, "EntitySchema")
	if err != nil || len(have) > 0 {
		return err
	}
	objs, err := StandardEntities()
	if err != nil {
		return err
	}
	if _, ok := k.tenants.Get("230000"); !ok {
		return nil // the shipped schemas are defined at the Heilongjiang root
	}
	_, err = k.resources.Apply(ctx, "system", objs, resource.ApplyOptions{})
	return err
}

// admitDataLimits keeps one DataLimits resource per tenant, named as the data API
// reads it.
func admitDataLimits(_ context.Context, obj resource.Object, _ *resource.Object) error {
	if obj.Metadata.Name != graph.DataLimitsName {
		return apierr.Invalid("invalid data limits", []apierr.FieldError{{Path: "/metadata/name", Message: fmt.Sprintf("must be %q: the data API reads one DataLimits per tenant", graph.DataLimitsName)}})
	}
	return nil
}
