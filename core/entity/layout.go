package entity

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// Layer is one EntitySchema resource: the spec published at a tenant.
type Layer struct {
	Tenant string
	// Path is the tenant's materialised path ("/230000/230100/").
	Path string
	Spec Spec
}

// Field is a field as stored: its spec, resolved type, column and defining tenant.
type Field struct {
	FieldSpec
	// Column is the table column: f_NAME for the defining layer's fields,
	// lTENANT_NAME for a descendant's local fields.
	Column string
	// Tenant is the tenant whose layer defines the field; Path its path.
	Tenant string
	Path   string
	// StorageName, for a field of an older version, names the storage version's
	// field on the same column ("" when none): masks and history go by it.
	StorageName string
}

// expr is the field's column in SQL: a typed NULL for an older version's field
// that has no column (its type changed since).
func (f Field) expr() string {
	if f.Column == "" {
		return "CAST(NULL AS " + sqlType("", f.Type) + ")"
	}
	return q(f.Column)
}

// Layout is an entity's table: the fields of every layer, at every tenant.
type Layout struct {
	Name  string
	Table string
	// Tenant and Path are where the entity is defined (its first layer).
	Tenant, Path string
	Fields       []Field
	// Indexes are column lists; unique single-column indexes are in Fields.
	Indexes [][]string
	// Relations are the entity's relations: declared by its layers and, once Link
	// has run, the inverses other entities derive onto it.
	Relations []Relation
	// Referrers are the manyToOne relations (of any entity) that point at this one.
	Referrers []Referrer
	// Versions are the defining layer's versions, the storage version first;
	// Mapping is the storage version's mapping from the version before it.
	Versions []SchemaVersion
	Mapping  *Mapping
}

// TableName is the table of entity name.
func TableName(name string) string { return "ent_" + name }

// ElementType resolves a data element's field type; ok is false when the element
// is unknown.
type ElementType func(code string) (typ string, ok bool)

// Build lays out an entity from its layers, sorted so that ancestors come first.
// The first layer defines the entity; every other must lie below it and may only add
// fields.
func Build(name string, layers []Layer, elem ElementType) (Layout, error) {
	slices.SortFunc(layers, func(a, b Layer) int {
		return cmpInts(strings.Count(a.Path, "/"), strings.Count(b.Path, "/"), strings.Compare(a.Path, b.Path))
	})
	out := Layout{Name: name, Table: TableName(name)}
	if len(layers) == 0 {
		return out, nil
	}
	base := layers[0]
	out.Tenant, out.Path = base.Tenant, base.Path
	var l apierr.FieldList
	for _, ly := range layers[1:] {
		if !strings.HasPrefix(ly.Path, base.Path) {
			l.Add("/metadata/tenant", "entity %s is defined at %s; %s is outside its subtree (names are shared by the whole tree)", name, base.Tenant, ly.Tenant)
		}
		if len(ly.Spec.Versions) > 0 {
			l.Add("/spec/versions", "only the layer that defines entity %s (at %s) lists versions; local fields are the same in every version", name, base.Tenant)
		}
	}
	for _, ly := range layers {
		for i, f := range ly.Spec.Fields {
			col := "f_" + f.Name
			if ly.Tenant != base.Tenant {
				col = "l" + ly.Tenant + "_" + f.Name
			}
			if f.Type == "" && elem != nil {
				if t, ok := elem(f.Element); ok {
					f.Type = t
				}
			}
			if f.Type == "" {
				f.Type = TypeString
			}
			for _, g := range out.Fields {
				if g.Name == f.Name && strings.HasPrefix(ly.Path, g.Path) {
					l.Add(fmt.Sprintf("/spec/fields/%d/name", i), "%q is inherited from %s; a descendant may add fields, not redefine them", f.Name, g.Tenant)
				}
			}
			for _, g := range out.Relations {
				if g.Name == f.Name && strings.HasPrefix(ly.Path, g.Path) {
					l.Add(fmt.Sprintf("/spec/fields/%d/name", i), "%q is a relation inherited from %s", f.Name, g.Tenant)
				}
			}
			out.Fields = append(out.Fields, Field{FieldSpec: f, Column: col, Tenant: ly.Tenant, Path: ly.Path})
		}
		for i, r := range relationsOf(name, ly, ly.Tenant == base.Tenant) {
			for _, g := range out.Fields {
				if g.Name == r.Name && strings.HasPrefix(ly.Path, g.Path) {
					l.Add(fmt.Sprintf("/spec/relations/%d/name", i), "%q is a field inherited from %s", r.Name, g.Tenant)
				}
			}
			for _, g := range out.Relations {
				if g.Name == r.Name && strings.HasPrefix(ly.Path, g.Path) {
					l.Add(fmt.Sprintf("/spec/relations/%d/name", i), "%q is inherited from %s; a descendant may add relations, not redefine them", r.Name, g.Tenant)
				}
			}
			out.Relations = append(out.Relations, r)
		}
		for _, ix := range ly.Spec.Indexes {
			cols := make([]string, len(ix))
			for j, n := range ix {
				cols[j] = "f_" + n
				if ly.Tenant != base.Tenant {
					cols[j] = "l" + ly.Tenant + "_" + n
				}
			}
			out.Indexes = append(out.Indexes, cols)
		}
	}
	out.Versions = bindVersions(base.Spec, out.View(base.Path), resolver(elem), base.Tenant, base.Path)
	out.Mapping = base.Spec.storageSpec().Mapping
	// An older version shows the local fields and the relations too: none may share
	// a name with one of its own fields.
	for _, v := range out.Versions[1:] {
		for _, f := range out.Fields {
			if f.Tenant != base.Tenant && slices.ContainsFunc(v.Fields, func(g Field) bool { return g.Name == f.Name }) {
				l.Add("/spec/fields", "%q of %s is also a field of version %s of %s; name the local field otherwise", f.Name, f.Tenant, v.Name, name)
			}
		}
		for _, r := range out.Relations {
			if slices.ContainsFunc(v.Fields, func(g Field) bool { return g.Name == r.Name }) {
				l.Add("/spec/relations", "relation %q has the name of a field of version %s, which shows the relations too", r.Name, v.Name)
			}
		}
	}
	return out, l.Err("invalid entity schema")
}

func cmpInts(a, b, then int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return then
}

// View is an entity as seen at one tenant: the fields of the layers on its lineage.
func (lo Layout) View(path string) []Field {
	var out []Field
	for _, f := range lo.Fields {
		if strings.HasPrefix(path, f.Path) {
			out = append(out, f)
		}
	}
	return out
}

// Breaking reports how next would break records written under prev without a
// new storage version: a field dropped, retyped or newly required, a relation
// dropped or changed. Adding fields and indexes is not breaking.
func Breaking(prev, next Spec) error {
	var l apierr.FieldList
	for _, p := range prev.Fields {
		i := slices.IndexFunc(next.Fields, func(f FieldSpec) bool { return f.Name == p.Name })
		if i < 0 {
			l.Add("/spec/fields", "field %q is dropped: a breaking change; publish it as a new storage version with a mapping (/spec/versions)", p.Name)
			continue
		}
		n := next.Fields[i]
		path := fmt.Sprintf("/spec/fields/%d", i)
		if n.Type != p.Type || n.Element != p.Element {
			l.Add(path+"/type", "field %q changes type (%s → %s): a breaking change; publish it as a new storage version with a mapping (/spec/versions)", p.Name, typeOf(p), typeOf(n))
		}
		if n.Required && !p.Required {
			l.Add(path+"/required", "field %q becomes required: records without it exist; publish it as a new storage version, whose records are checked", p.Name)
		}
	}
	breakingRelations(&l, prev, next)
	return l.Err("breaking change to an entity schema")
}

// Evolve reports what keeps next from replacing prev as the defining layer of an
// entity. With the same storage version only additive changes are allowed
// (Breaking). A new storage version must follow the old one (mapping.from), which
// stays listed with the fields it stored, so that the publish can migrate the
// records and the old version can still be served; relations may only grow.
func Evolve(prev, next Spec) error {
	was, is := prev.StorageVersion(), next.StorageVersion()
	if was == is {
		var l apierr.FieldList
		for _, err := range []error{Breaking(prev, next), olderVersions(prev, next)} {
			if e, ok := apierr.As(err); ok {
				l = append(l, e.Fields...)
			}
		}
		return l.Err("breaking change to an entity schema")
	}
	var l apierr.FieldList
	vi := slices.IndexFunc(next.Versions, func(v VersionSpec) bool { return v.Storage })
	if vi < 0 {
		l.Add("/spec/versions", "the storage version is %s; a spec without versions is v1: list the versions", was)
		return l.Err("invalid change of storage version")
	}
	p := fmt.Sprintf("/spec/versions/%d/mapping", vi)
	if m := next.Versions[vi].Mapping; m == nil || m.From != was {
		l.Add(p+"/from", "the new storage version %s must follow %s, the storage version now", is, was)
	}
	oi := slices.IndexFunc(next.Versions, func(v VersionSpec) bool { return v.Name == was })
	if oi < 0 {
		l.Add("/spec/versions", "list %s, the storage version now, with the fields it stores (served: false to stop serving it)", was)
	} else {
		old := next.Versions[oi].Fields
		op := fmt.Sprintf("/spec/versions/%d/fields", oi)
		for _, f := range prev.Fields {
			g, ok := findField(old, f.Name)
			switch {
			case !ok:
				l.Add(op, "lacks %q: version %s lists the fields it stored", f.Name, was)
			case g.Type != f.Type || g.Element != f.Element:
				l.Add(op, "field %q is %s in version %s, not %s", f.Name, typeOf(f), was, typeOf(g))
			}
		}
		for j, g := range old {
			if _, ok := findField(prev.Fields, g.Name); !ok {
				l.Add(fmt.Sprintf("%s/%d/name", op, j), "version %s stored no field %q", was, g.Name)
			}
		}
	}
	breakingRelations(&l, prev, next)
	return l.Err("invalid change of storage version")
}

// olderVersions reports versions whose fields or mapping next changes, or older
// ones that next adds, while the storage version stays: they say how a stored
// version's records reach the table, which only a new storage version changes.
func olderVersions(prev, next Spec) error {
	var l apierr.FieldList
	for i, v := range next.Versions {
		if v.Storage {
			if !reflect.DeepEqual(v.Mapping, prev.storageSpec().Mapping) {
				l.Add(fmt.Sprintf("/spec/versions/%d/mapping", i), "the storage version's mapping is fixed once published: older versions reach the table through it")
			}
			continue
		}
		p := fmt.Sprintf("/spec/versions/%d", i)
		j := slices.IndexFunc(prev.Versions, func(o VersionSpec) bool { return o.Name == v.Name && !o.Storage })
		if j < 0 {
			l.Add(p+"/name", "version %s was never stored; only a new storage version adds an older one (keep a retired version listed, served: false, to serve it again)", v.Name)
			continue
		}
		o := prev.Versions[j]
		if !slices.EqualFunc(o.Fields, v.Fields, func(a, b FieldSpec) bool { return a.Name == b.Name && typeOf(a) == typeOf(b) }) {
			l.Add(p+"/fields", "version %s's fields are fixed once published: same names and types, in the same order", v.Name)
		}
		if !reflect.DeepEqual(o.Mapping, v.Mapping) {
			l.Add(p+"/mapping", "version %s's mapping is fixed once published", v.Name)
		}
	}
	return l.Err("breaking change to an entity schema")
}

func breakingRelations(l *apierr.FieldList, prev, next Spec) {
	for _, p := range prev.Relations {
		i := slices.IndexFunc(next.Relations, func(r RelationSpec) bool { return r.Name == p.Name })
		if i < 0 {
			l.Add("/spec/relations", "relation %q is dropped: a breaking change", p.Name)
			continue
		}
		n := next.Relations[i]
		path := fmt.Sprintf("/spec/relations/%d", i)
		if n.Kind != p.Kind || n.Entity != p.Entity {
			l.Add(path+"/kind", "relation %q changes (%s %s → %s %s): a breaking change", p.Name, p.Kind, p.Entity, n.Kind, n.Entity)
		}
		if n.Inverse != p.Inverse && p.Inverse != "" {
			l.Add(path+"/inverse", "relation %q renames its inverse %q: queries using it would break", p.Name, p.Inverse)
		}
		if n.Required && !p.Required {
			l.Add(path+"/required", "relation %q becomes required: records without it exist", p.Name)
		}
	}
}

func typeOf(f FieldSpec) string {
	if f.Element != "" {
		return "element " + f.Element
	}
	return f.Type
}
