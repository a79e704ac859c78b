package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// User is a person or service account that signs in.
type User struct{ ent.Schema }

// Fields of User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("username").NotEmpty().Unique(),
		field.String("display_name").Default(""),
		field.String("password_hash").Sensitive().Default(""),
		field.String("home_tenant").Default(""),
		field.Bool("superadmin").Default(false),
		field.Bool("disabled").Default(false),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// OrgUnit is a department or street under a tenant; org units form a tree.
type OrgUnit struct{ ent.Schema }

// Fields of OrgUnit.
func (OrgUnit) Fields() []ent.Field {
	return []ent.Field{
		field.String("tenant").NotEmpty(),
		field.String("code").NotEmpty(),
		field.String("name").NotEmpty(),
		field.String("kind").Default("department"),
		field.Int("parent_id").Optional().Nillable(),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

// Indexes of OrgUnit.
func (OrgUnit) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant", "code").Unique()}
}

// Membership places a user in an org unit.
type Membership struct{ ent.Schema }

// Fields of Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.Int("org_unit_id"),
		field.String("title").Default(""),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

// Indexes of Membership.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "org_unit_id").Unique(), index.Fields("org_unit_id")}
}

// Session is a signed-in browser or CLI session; only the token's hash is stored.
type Session struct{ ent.Schema }

// Fields of Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").NotEmpty().Unique().Sensitive(),
		field.Int("user_id"),
		field.String("ip").Default(""),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("expires_at"),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Indexes of Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

// APIToken is a long-lived credential for programs, limited to a tenant subtree and
// a subset of its holder's permissions; only its hash is stored.
type APIToken struct{ ent.Schema }

// Fields of APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty(),
		field.String("token_hash").NotEmpty().Unique().Sensitive(),
		field.Int("user_id"),
		field.String("tenant").Default(""),
		field.JSON("scopes", []string{}).Optional(),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
	}
}

// Indexes of APIToken.
func (APIToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}
