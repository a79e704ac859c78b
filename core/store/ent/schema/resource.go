package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Resource is the current state of one configuration resource: the layer that one
// tenant defines for (kind, name). Every change also writes a ResourceVersion.
type Resource struct{ ent.Schema }

// Fields of Resource.
func (Resource) Fields() []ent.Field {
	return []ent.Field{
		field.String("api_version").NotEmpty(),
		field.String("kind").NotEmpty(),
		field.String("tenant").NotEmpty(),
		field.String("name").NotEmpty(),
		field.JSON("labels", map[string]string{}).Optional(),
		field.JSON("spec", map[string]any{}).Optional(),
		field.JSON("locks", []string{}).Optional(),
		field.Int("version").Positive(),
		field.Bool("deleted").Default(false),
		field.String("updated_by").Default(""),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("updated_at").Default(time.Now),
	}
}

// Indexes of Resource.
func (Resource) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("kind", "tenant", "name").Unique(),
		index.Fields("kind", "name"),
	}
}

// ResourceVersion is one entry of a resource's history.
type ResourceVersion struct{ ent.Schema }

// Fields of ResourceVersion.
func (ResourceVersion) Fields() []ent.Field {
	return []ent.Field{
		field.Int("resource_id"),
		field.String("kind").NotEmpty(),
		field.String("tenant").NotEmpty(),
		field.String("name").NotEmpty(),
		field.Int("version").Positive(),
		field.String("op").NotEmpty(),
		field.String("api_version").NotEmpty(),
		field.JSON("labels", map[string]string{}).Optional(),
		field.JSON("spec", map[string]any{}).Optional(),
		field.JSON("locks", []string{}).Optional(),
		field.Bool("deleted").Default(false),
		field.String("author").Default(""),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

// Indexes of ResourceVersion.
func (ResourceVersion) Indexes() []ent.Index {
	return []ent.Index{index.Fields("resource_id", "version").Unique()}
}
