package entity

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// Relation kinds.
const (
	// ManyToOne stores the related record's id in a column of this entity's table.
	ManyToOne = "manyToOne"
	// OneToMany is the inverse view of another entity's manyToOne; it stores nothing.
	OneToMany = "oneToMany"
	// ManyToMany stores pairs of ids in a join table.
	ManyToMany = "manyToMany"
)

var relationKinds = []string{ManyToOne, OneToMany, ManyToMany}

// RelationSpec is one relation of an entity, as an EntitySchema declares it.
// manyToOne and manyToMany own their data; Inverse, when given, names the field
// the related entity gets for the other direction (derived, not declared there).
// A oneToMany names, in Inverse, the manyToOne of Entity that it is the inverse of.
type RelationSpec struct {
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Kind        string `json:"kind"`
	Entity      string `json:"entity"`
	Inverse     string `json:"inverse,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// Relation is a relation as seen from one entity: declared by it, or derived from
// the owning side declared by the related entity.
type Relation struct {
	RelationSpec
	// Tenant and Path are where the relation is declared: it is seen at and below.
	Tenant, Path string
	// Column holds the related id: for manyToOne on this entity's table, for
	// oneToMany on Entity's table.
	Column string
	// JoinTable is a manyToMany's table; Self holds this side's id, Other the
	// related record's.
	JoinTable, Self, Other string
	// Derived is true for an inverse this entity did not declare.
	Derived bool
}

// Referrer is a manyToOne of some entity that points at another: deleting a record
// that live records point at is refused.
type Referrer struct {
	Entity, Table, Column, Relation string
}

// checkRelations checks what one layer's relations say on their own; fields holds
// the layer's field names, which relations may not reuse.
func (s Spec) checkRelations(l *apierr.FieldList, fields map[string]bool) {
	seen := map[string]bool{}
	for i, r := range s.Relations {
		p := fmt.Sprintf("/spec/relations/%d", i)
		checkMemberName(l, p, r.Name, fields[r.Name] || seen[r.Name])
		seen[r.Name] = true
		if !slices.Contains(relationKinds, r.Kind) {
			l.Add(p+"/kind", "must be one of %v", relationKinds)
		}
		if !entityName.MatchString(r.Entity) {
			l.Add(p+"/entity", "must name an entity")
		}
		if r.Inverse != "" && !fieldName.MatchString(r.Inverse) {
			l.Add(p+"/inverse", "must start with a lowercase letter, then letters and digits, at most 40")
		}
		switch {
		case r.Kind == OneToMany && r.Inverse == "":
			l.Add(p+"/inverse", "a oneToMany names the manyToOne of %s it is the inverse of", r.Entity)
		case r.Kind != ManyToOne && r.Required:
			l.Add(p+"/required", "only a manyToOne may be required")
		}
	}
}

// relationsOf lays out one layer's relations: storage names follow the field
// rule (r_NAME for the defining layer, lTENANT_r_NAME for a descendant's).
func relationsOf(entity string, ly Layer, base bool) []Relation {
	var out []Relation
	for _, rs := range ly.Spec.Relations {
		r := Relation{RelationSpec: rs, Tenant: ly.Tenant, Path: ly.Path}
		local := ""
		if !base {
			local = "l" + ly.Tenant + "_"
		}
		switch rs.Kind {
		case ManyToOne:
			r.Column = local + "r_" + rs.Name
		case ManyToMany:
			r.JoinTable, r.Self, r.Other = TableName(entity)+"_"+local+rs.Name, "src_id", "dst_id"
		}
		out = append(out, r)
	}
	return out
}

// Link resolves every layout's relations against the others: it fills in the
// oneToMany declared as inverses, derives the inverses named by owning relations
// and the referrers of each entity. What does not resolve (an entity dropped since)
// is left out and reported, so that the rest still serves.
func Link(layouts []Layout) ([]Layout, error) {
	idx := map[string]int{}
	out := make([]Layout, len(layouts))
	for i, lo := range layouts {
		lo.Relations = slices.DeleteFunc(slices.Clone(lo.Relations), func(r Relation) bool { return r.Derived })
		lo.Referrers = nil
		out[i], idx[lo.Name] = lo, i
	}
	var problems []string
	for i := range out {
		kept := out[i].Relations[:0]
		for _, r := range out[i].Relations {
			j, ok := idx[r.Entity]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s.%s: no entity %s", out[i].Name, r.Name, r.Entity))
				continue
			}
			if r.Kind == OneToMany {
				owner, ok := owning(out[j], r.Inverse, out[i].Name)
				if !ok {
					problems = append(problems, fmt.Sprintf("%s.%s: %s has no manyToOne %s to %s", out[i].Name, r.Name, r.Entity, r.Inverse, out[i].Name))
					continue
				}
				r.Column = owner.Column
				r.Path = deeper(r.Path, owner.Path)
			}
			kept = append(kept, r)
		}
		out[i].Relations = kept
	}
	for i := range out {
		for _, r := range out[i].Relations {
			if r.Derived || r.Kind == OneToMany {
				continue
			}
			j := idx[r.Entity]
			if r.Kind == ManyToOne {
				out[j].Referrers = append(out[j].Referrers, Referrer{Entity: out[i].Name, Table: out[i].Table, Column: r.Column, Relation: r.Name})
			}
			if r.Inverse == "" {
				continue
			}
			inv := Relation{RelationSpec: RelationSpec{Name: r.Inverse, Kind: OneToMany, Entity: out[i].Name, Inverse: r.Name, Title: r.Title},
				Tenant: r.Tenant, Path: r.Path, Column: r.Column, Derived: true}
			if r.Kind == ManyToMany {
				inv.Kind, inv.JoinTable, inv.Self, inv.Other, inv.Column = ManyToMany, r.JoinTable, r.Other, r.Self, ""
			}
			if k := slices.IndexFunc(out[j].Relations, func(x Relation) bool { return x.Name == r.Inverse }); k >= 0 {
				x := out[j].Relations[k]
				if x.Kind != OneToMany || x.Entity != out[i].Name || x.Inverse != r.Name {
					problems = append(problems, fmt.Sprintf("%s.%s: the inverse %s.%s is taken", out[i].Name, r.Name, r.Entity, r.Inverse))
				}
				continue // declared on both sides, alike: one relation
			}
			if slices.ContainsFunc(out[j].Fields, func(f Field) bool { return f.Name == r.Inverse }) {
				problems = append(problems, fmt.Sprintf("%s.%s: the inverse %s.%s is a field", out[i].Name, r.Name, r.Entity, r.Inverse))
				continue
			}
			out[j].Relations = append(out[j].Relations, inv)
		}
	}
	if len(problems) > 0 {
		return out, fmt.Errorf("entity: relations that do not resolve: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

func owning(lo Layout, name, target string) (Relation, bool) {
	for _, r := range lo.Relations {
		if r.Name == name && r.Kind == ManyToOne && r.Entity == target && !r.Derived {
			return r, true
		}
	}
	return Relation{}, false
}

// deeper is the longer of two nested paths: where both are seen.
func deeper(a, b string) string {
	if len(b) > len(a) {
		return b
	}
	return a
}

// CheckRelations checks the relations of a layer of entity name, declared at the
// tenant with path, against the other entities' layouts (others; name's own layout
// when it exists already, for relations to itself): each related entity must be seen
// at the layer's tenant, a oneToMany's manyToOne must exist, and inverses must not
// take a name the related entity has. Every problem comes with its path.
func CheckRelations(name, path string, spec Spec, others map[string]Layout) error {
	var l apierr.FieldList
	for i, r := range spec.Relations {
		p := fmt.Sprintf("/spec/relations/%d", i)
		target, ok := others[r.Entity]
		if r.Entity == name && !ok {
			target, ok = Layout{Name: name, Path: path}, true
		}
		switch {
		case !ok:
			l.Add(p+"/entity", "no entity %q is published", r.Entity)
			continue
		case !strings.HasPrefix(path, target.Path):
			l.Add(p+"/entity", "entity %q is defined at %s, which does not include this tenant", r.Entity, target.Tenant)
			continue
		}
		if r.Kind == OneToMany {
			owner, ok := owning(target, r.Inverse, name)
			switch {
			case !ok:
				l.Add(p+"/inverse", "%s has no manyToOne %q to %s", r.Entity, r.Inverse, name)
			case owner.Inverse != "" && owner.Inverse != r.Name:
				l.Add(p+"/name", "%s.%s already names its inverse %q", r.Entity, r.Inverse, owner.Inverse)
			case !strings.HasPrefix(path, owner.Path) && !strings.HasPrefix(owner.Path, path):
				l.Add(p+"/inverse", "%s.%s is declared at %s, outside this tenant's lineage", r.Entity, r.Inverse, owner.Tenant)
			}
			continue
		}
		if r.Inverse == "" || r.Entity == name && r.Inverse == r.Name {
			continue
		}
		if slices.ContainsFunc(target.Fields, func(f Field) bool { return f.Name == r.Inverse }) {
			l.Add(p+"/inverse", "%s already has a field %q", r.Entity, r.Inverse)
		}
		for _, x := range target.Relations {
			if x.Name == r.Inverse && !(x.Derived && x.Entity == name && x.Inverse == r.Name) &&
				!(x.Kind == OneToMany && x.Entity == name && x.Inverse == r.Name) {
				l.Add(p+"/inverse", "%s already has a relation %q", r.Entity, r.Inverse)
			}
		}
		if r.Entity == name && slices.ContainsFunc(spec.Fields, func(f FieldSpec) bool { return f.Name == r.Inverse }) {
			l.Add(p+"/inverse", "%s already has a field %q", r.Entity, r.Inverse)
		}
	}
	return l.Err("invalid entity schema")
}

// RelationsAt are the relations seen at a tenant path.
func (lo Layout) RelationsAt(path string) []Relation {
	var out []Relation
	for _, r := range lo.Relations {
		if strings.HasPrefix(path, r.Path) {
			out = append(out, r)
		}
	}
	return out
}

// relation finds a relation of the table by name.
func (t Table) relation(name string) (Relation, bool) {
	for _, r := range t.Relations {
		if r.Name == name {
			return r, true
		}
	}
	return Relation{}, false
}
