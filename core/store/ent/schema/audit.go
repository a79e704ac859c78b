package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditEntry is one entry of the append-only, hash-chained audit log. Its id is its
// position in the chain.
type AuditEntry struct{ ent.Schema }

// Fields of AuditEntry.
func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").Immutable(),
		field.Time("time").Immutable(),
		field.String("actor").Default("").Immutable(),
		field.String("action").NotEmpty().Immutable(),
		field.String("tenant").Default("").Immutable(),
		field.String("target").Default("").Immutable(),
		field.String("outcome").NotEmpty().Immutable(),
		field.String("detail").Default("").Immutable(),
		field.String("prev_hash").Immutable(),
		field.String("hash").Immutable(),
	}
}

// Indexes of AuditEntry.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant"), index.Fields("actor")}
}

// OutboxEvent is an event written in the same transaction as the change it reports;
// a dispatcher publishes it after commit.
type OutboxEvent struct{ ent.Schema }

// Fields of OutboxEvent.
func (OutboxEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("topic").NotEmpty(),
		field.String("tenant").Default(""),
		field.String("payload").Default(""),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("published_at").Optional().Nillable(),
	}
}

// Indexes of OutboxEvent.
func (OutboxEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("published_at")}
}
