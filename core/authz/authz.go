// Package authz decides who may do what where: RBAC with domains on casbin, where a
// domain is a tenant code and a role binding at a tenant holds for all its
// descendants. Roles and bindings arrive as plain values (the kernel converts Role
// and RoleBinding resources); Load swaps a complete new policy in atomically.
package authz

import (
	"sync/atomic"
)

// Wildcard matches every kind or area in Permission.On, except AreaAudit, and every
// action in Permission.Action.
const Wildcard = "*"

// AreaAudit is the audit trail. A role reaches it only by naming it: a wildcard
// never covers it, so that whoever is given "everything" to manage permissions is
// not also given the record of how they used it (separation of duties).
const AreaAudit = "audit"

// The actions a permission may name besides Wildcard.
const (
	ActionRead   = "read"
	ActionWrite  = "write"
	ActionDelete = "delete"
	// ActionUnmask lets a reader see personal data in the clear.
	ActionUnmask = "unmask"
)

// Permission allows one action on one resource kind ("Role", "Module") or API area
// ("tenants", "users", "orgunits", "tokens", "audit"); either may be Wildcard.
type Permission struct {
	On     string
	Action string
}

// String returns "On:Action", the form used in reasons and token scopes.
func (p Permission) String() string { return p.On + ":" + p.Action }

// Role is a named set of permissions defined at a tenant; bindings at that tenant
// and at its descendants can use it.
type Role struct {
	Tenant      string
	Name        string
	Permissions []Permission
}

// Binding grants Role to Users at Tenant and all its descendants. RoleTenant names
// where the role is defined; empty means the nearest ancestor-or-self of Tenant that
// defines a role named Role.
type Binding struct {
	Tenant     string
	Name       string
	Role       string
	RoleTenant string
	Users      []string
}

// Subject is who asks: a user, possibly the bootstrap superadmin, possibly through
// an API token whose limits narrow what the user holds.
type Subject struct {
	User string
	// Superadmin marks the bootstrap account: it holds Bootstrap and nothing else.
	Superadmin bool
	// ScopeTenant, when set, limits the subject to that tenant's subtree.
	ScopeTenant string
	// Scopes, when set, limits the subject to these permissions: "On:Action", with
	// Wildcard for either part, or "*" alone for all.
	Scopes []string
	// Service marks a service identity (a plugin calling back): it holds exactly
	// its Scopes within ScopeTenant, and no role bindings.
	Service bool
}

// Decision is the answer to a check, with a reason in words for logs, audit entries
// and the console's "why" view.
type Decision struct {
	Allowed bool
	Reason  string
}

// Tree is what the authorizer needs of the tenant tree; *tenant.Service satisfies it.
type Tree interface {
	// IsWithin reports whether code is ancestor or one of its descendants.
	IsWithin(code, ancestor string) bool
	// LineageCodes returns the codes from the root down to code, code included; the
	// caller does not modify the slice.
	LineageCodes(code string) ([]string, bool)
}

// rootLister is implemented by trees that can name their roots (*tenant.Service);
// TenantsWithPermission uses it for superadmins.
type rootLister interface {
	RootCodes() []string
}

// Authorizer answers authorization questions against the last loaded policy. It is
// safe for concurrent use; Load may run while checks are answered.
type Authorizer struct {
	tree  Tree
	state atomic.Pointer[state]
	gen   atomic.Uint64
}

// Generation changes whenever a Load takes effect, so that answers computed from
// decisions can be cached.
func (a *Authorizer) Generation() uint64 { return a.gen.Load() }

// New returns an authorizer over tree that denies everything until Load.
func New(tree Tree) *Authorizer {
	a := &Authorizer{tree: tree}
	a.state.Store(&state{})
	return a
}

// Problems lists what the last successful Load skipped, such as bindings whose role
// cannot be resolved.
func (a *Authorizer) Problems() []string {
	return append([]string(nil), a.state.Load().problems...)
}

func userKey(user string) string { return "user:" + user }

func roleKey(tenant, name string) string { return "role:" + tenant + "/" + name }
