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
		// home_path is the home tenant's materialised path, so that row policies on
		// users compile to an indexed prefix test in SQL.
		field.String("home_path").Default(""),
		// phone and id_number are personal data: masked unless the reader may unmask.
		field.String("phone").Default(""),
		field.String("id_number").Default(""),
		field.Bool("superadmin").Default(false),
		field.Bool("disabled").Default(false),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// Indexes of User.
func (User) Indexes() []ent.Index {
	// (home_path, disabled) lets subtree filters and the common rows policies on
	// users be answered from the index alone, counts included.
	return []ent.Index{index.Fields("home_path", "disabled")}
}

// ExternalIdentity links a user to an account at an external identity provider
// (OIDC): the provider's resource name and the subject it asserts.
type ExternalIdentity struct{ ent.Schema }

// Fields of ExternalIdentity.
func (ExternalIdentity) Fields() []ent.Field {
	return []ent.Field{
		field.String("provider").NotEmpty(),
		field.String("subject").NotEmpty(),
		field.Int("user_id"),
		field.JSON("claims", map[string]any{}).Optional(),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("last_login_at").Optional().Nillable(),
	}
}

// Indexes of ExternalIdentity.
func (ExternalIdentity) Indexes() []ent.Index {
	return []ent.Index{index.Fields("provider", "subject").Unique(), index.Fields("user_id")}
}

// Approval is one administrator's consent to an action that needs two, such as
// re-enabling the bootstrap superadmin.
type Approval struct{ ent.Schema }

// Fields of Approval.
func (Approval) Fields() []ent.Field {
	return []ent.Field{
		field.String("action").NotEmpty(),
		field.String("approver").NotEmpty(),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("consumed_at").Optional().Nillable(),
	}
}

// Indexes of Approval.
func (Approval) Indexes() []ent.Index {
	return []ent.Index{index.Fields("action", "approver")}
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
