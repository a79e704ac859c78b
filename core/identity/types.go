package identity

import (
	"time"

	"github.com/gdbos/gdbos/core/store/ent"
)

// User is a person or service account, without its password hash.
type User struct {
	ID          int
	Username    string
	DisplayName string
	HomeTenant  string
	// HomePath is the home tenant's path, "/230000/230100/…/".
	HomePath string
	// Phone and IDNumber are personal data; readers see them masked unless they may
	// unmask users.
	Phone      string
	IDNumber   string
	Superadmin bool
	Disabled   bool
	CreatedAt  time.Time
}

// UserInput is what CreateUser needs.
type UserInput struct {
	Username, DisplayName, Password, HomeTenant string
	// Phone (mainland mobile) and IDNumber (resident ID, GB 11643) are optional.
	Phone, IDNumber string
}

// Principal is who a bearer is: a user through a session or through an API token.
type Principal struct {
	UserID     int
	Username   string
	Superadmin bool
	HomeTenant string
	// SessionID is set when the bearer is a session token.
	SessionID int
	// TokenID, TokenTenant and TokenScopes are set when the bearer is an API token;
	// the kernel limits such a principal to TokenTenant's subtree and TokenScopes.
	// TokenScopes is shared with the authentication cache: read it, never modify it.
	TokenID     int
	TokenTenant string
	TokenScopes []string
	// Service marks a service identity (a plugin calling back), which holds
	// exactly TokenScopes within TokenTenant; it is never a stored user.
	Service bool
}

// Kinds of org unit.
const (
	KindDepartment = "department"
	KindStreet     = "street"
	KindOffice     = "office"
)

// OrgUnit is a department, street or office of a tenant; units form a tree.
type OrgUnit struct {
	ID         int
	Tenant     string
	Code       string
	Name       string
	Kind       string
	ParentCode string
}

// OrgUnitInput is what CreateOrgUnit needs; ParentCode names a unit of the same
// tenant, or is empty for a top-level unit.
type OrgUnitInput struct {
	Tenant, Code, Name, Kind, ParentCode string
}

// Membership places a user in an org unit.
type Membership struct {
	Tenant   string
	UnitCode string
	UnitName string
	Title    string
}

// APIToken describes an API token; its plaintext is shown only once, at creation.
type APIToken struct {
	ID         int
	Name       string
	UserID     int
	Tenant     string
	Scopes     []string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// TokenInput is what CreateToken needs; a zero TTL means the token does not expire.
type TokenInput struct {
	Name   string
	Tenant string
	Scopes []string
	TTL    time.Duration
}

func userOf(u *ent.User) User {
	return User{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, HomeTenant: u.HomeTenant,
		HomePath: u.HomePath, Phone: u.Phone, IDNumber: u.IDNumber,
		Superadmin: u.Superadmin, Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC()}
}

func tokenOf(t *ent.APIToken) APIToken {
	return APIToken{ID: t.ID, Name: t.Name, UserID: t.UserID, Tenant: t.Tenant, Scopes: t.Scopes,
		CreatedAt: t.CreatedAt.UTC(), ExpiresAt: utcPtr(t.ExpiresAt), RevokedAt: utcPtr(t.RevokedAt),
		LastUsedAt: utcPtr(t.LastUsedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
