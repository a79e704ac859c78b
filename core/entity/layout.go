package entity

import (
	"fmt"
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

// Breaking reports how next would break records written under prev: a field
// dropped, retyped or newly required. Adding fields and indexes is not breaking.
func Breaking(prev, next Spec) error {
	var l apierr.FieldList
	for _, p := range prev.Fields {
		i := slices.IndexFunc(next.Fields, func(f FieldSpec) bool { return f.Name == p.Name })
		if i < 0 {
			l.Add("/spec/fields", "field %q is dropped: a breaking change; publish a new entity (versions with mappings are not supported yet)", p.Name)
			continue
		}
		n := next.Fields[i]
		path := fmt.Sprintf("/spec/fields/%d", i)
		if n.Type != p.Type || n.Element != p.Element {
			l.Add(path+"/type", "field %q changes type (%s → %s): a breaking change", p.Name, typeOf(p), typeOf(n))
		}
		if n.Required && !p.Required {
			l.Add(path+"/required", "field %q becomes required: records without it exist", p.Name)
		}
	}
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
	return l.Err("breaking change to an entity schema")
}

func typeOf(f FieldSpec) string {
	if f.Element != "" {
		return "element " + f.Element
	}
	return f.Type
}
