package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Tenant is one node of the tenant tree, keyed by its administrative division code.
type Tenant struct{ ent.Schema }

// Fields of Tenant.
func (Tenant) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").StorageKey("code").NotEmpty().Immutable().MaxLen(12),
		field.String("name").NotEmpty(),
		field.String("level").NotEmpty(),
		field.String("parent_code").Optional(),
		// path is the chain of codes from the root, "/230000/230100/230102/", so that
		// "is X below Y" is a prefix test in Go and in SQL.
		field.String("path").NotEmpty(),
		field.String("status").Default("active"),
		field.String("successor").Optional(),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// Indexes of Tenant.
func (Tenant) Indexes() []ent.Index {
	return []ent.Index{index.Fields("parent_code"), index.Fields("path")}
}
