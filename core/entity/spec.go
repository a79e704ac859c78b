// Package entity turns published entity schemas (the EntitySchema kind) into real
// tables and reads and writes their records. A schema defined at a tenant applies
// below it; a descendant may add local fields in a layer of the same name but not
// change or drop inherited ones. One table holds an entity's records at every tenant,
// each record carrying its tenant and tenant path.
package entity

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/gdbos/gdbos/core/apierr"
)

// Field types.
const (
	TypeString   = "string"
	TypeText     = "text"
	TypeInteger  = "integer"
	TypeDecimal  = "decimal"
	TypeBoolean  = "boolean"
	TypeDate     = "date"
	TypeDateTime = "datetime"
)

var types = []string{TypeString, TypeText, TypeInteger, TypeDecimal, TypeBoolean, TypeDate, TypeDateTime}

// Spec is the spec of an EntitySchema resource (schemas/kinds/EntitySchema.json).
type Spec struct {
	Title       string      `json:"title,omitempty"`
	Description string      `json:"description,omitempty"`
	Fields      []FieldSpec `json:"fields"`
	Indexes     [][]string  `json:"indexes,omitempty"`
	// Relations link this entity's records to another entity's (or its own).
	Relations []RelationSpec `json:"relations,omitempty"`
	// Versions list the entity's versions, as a CustomResourceDefinition does; none
	// is one storage version, v1, whose fields are Fields.
	Versions []VersionSpec `json:"versions,omitempty"`
}

// FieldSpec is one field of an entity.
type FieldSpec struct {
	Name        string   `json:"name"`
	Title       string   `json:"title,omitempty"`
	Type        string   `json:"type,omitempty"`
	Element     string   `json:"element,omitempty"`
	Length      int      `json:"length,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Unique      bool     `json:"unique,omitempty"`
	Index       bool     `json:"index,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Min         *float64 `json:"min,omitempty"`
	Max         *float64 `json:"max,omitempty"`
	Pattern     string   `json:"pattern,omitempty"`
	Description string   `json:"description,omitempty"`
}

var (
	entityName = regexp.MustCompile(`^[a-z][a-z0-9]{1,39}$`)
	fieldName  = regexp.MustCompile(`^[a-z][A-Za-z0-9]{0,39}$`)
	// reserved are the system columns every record has, and GraphQL's own names.
	reserved = []string{"id", "tenant", "tenantPath", "createdAt", "updatedAt", "createdBy", "updatedBy", "deletedAt", "version"}
)

// CheckName reports whether name may name an entity: 2–40 lowercase letters and
// digits, starting with a letter (it becomes the table ent_NAME and GraphQL types).
func CheckName(name string) error {
	if !entityName.MatchString(name) {
		return apierr.Invalid("invalid entity schema", []apierr.FieldError{{Path: "/metadata/name",
			Message: "must be 2 to 40 lowercase letters and digits, starting with a letter"}})
	}
	return nil
}

// checkMemberName reports what is wrong with the name of the field or relation at
// path; taken says whether the layer already names another member so.
func checkMemberName(l *apierr.FieldList, path, name string, taken bool) {
	switch {
	case !fieldName.MatchString(name):
		l.Add(path+"/name", "must start with a lowercase letter, then letters and digits, at most 40")
	case slices.Contains(reserved, name):
		l.Add(path+"/name", "%q is a system field of every record", name)
	case taken:
		l.Add(path+"/name", "%q is defined twice", name)
	}
}

// Check reports every problem of one layer's spec that its JSON Schema cannot see,
// each with its path; element reports whether a data element exists.
func (s Spec) Check(element func(code string) (string, bool)) error {
	var l apierr.FieldList
	seen := checkFields(&l, "/spec/fields", s.Fields, element)
	for i, ix := range s.Indexes {
		for j, name := range ix {
			if !seen[name] {
				l.Add(fmt.Sprintf("/spec/indexes/%d/%d", i, j), "no field %q in this layer", name)
			}
		}
	}
	s.checkRelations(&l, seen)
	s.checkVersions(&l, element)
	return l.Err("invalid entity schema")
}
