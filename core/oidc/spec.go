package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

// Spec is an IdentityProvider's spec, as schemas/kinds/IdentityProvider.json
// describes it, with defaults filled in.
type Spec struct {
	// Title is what a sign-in page shows; the federation itself does not use it.
	Title            string         `json:"title"`
	Issuer           string         `json:"issuer"`
	ClientID         string         `json:"clientID"`
	ClientSecretEnv  string         `json:"clientSecretEnv"`
	Scopes           []string       `json:"scopes"`
	RedirectURL      string         `json:"redirectURL"`
	UsernameClaim    string         `json:"usernameClaim"`
	HomeTenantClaim  string         `json:"homeTenantClaim"`
	DisplayNameClaim string         `json:"displayNameClaim"`
	Provision        bool           `json:"provision"`
	GroupsClaim      string         `json:"groupsClaim"`
	GroupBindings    []GroupBinding `json:"groupBindings"`
}

// GroupBinding grants Role at Tenant to the members of Group.
type GroupBinding struct {
	Group  string `json:"group"`
	Role   string `json:"role"`
	Tenant string `json:"tenant"`
}

// DefaultScopes are requested when a provider names none.
var DefaultScopes = []string{"openid", "profile", "email", "groups"}

// provider is one configured provider: where it is defined and its spec.
type provider struct {
	tenant, name string
	spec         Spec
}

// key names the provider in ExternalIdentity rows and the audit log.
func (p provider) key() string { return p.tenant + "/" + p.name }

// DecodeSpec reads a spec and fills in its defaults; tenant is the tenant that
// defines the provider, the default tenant of its group bindings.
func DecodeSpec(raw map[string]any, tenant string) (Spec, error) {
	b, err := json.Marshal(raw)
	if err != nil {
		return Spec{}, fmt.Errorf("oidc: encode spec: %w", err)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return Spec{}, fmt.Errorf("oidc: decode spec: %w", err)
	}
	if len(s.Scopes) == 0 {
		s.Scopes = slices.Clone(DefaultScopes)
	}
	if !slices.Contains(s.Scopes, "openid") {
		s.Scopes = append([]string{"openid"}, s.Scopes...)
	}
	if s.UsernameClaim == "" {
		s.UsernameClaim = "preferred_username"
	}
	if s.DisplayNameClaim == "" {
		s.DisplayNameClaim = "name"
	}
	if s.GroupsClaim == "" {
		s.GroupsClaim = "groups"
	}
	for i := range s.GroupBindings {
		if s.GroupBindings[i].Tenant == "" {
			s.GroupBindings[i].Tenant = tenant
		}
	}
	return s, nil
}

func (f *Federation) provider(ctx context.Context, tenant, name string) (provider, error) {
	eff, err := f.cfg.Providers.Effective(ctx, Kind, tenant, name)
	if apierr.CodeOf(err) == apierr.NotFound {
		return provider{}, apierr.Wrap(apierr.NotFound, err, "no identity provider %q at tenant %s", name, tenant)
	}
	if err != nil {
		return provider{}, fmt.Errorf("oidc: identity provider %s/%s: %w", tenant, name, err)
	}
	spec, err := DecodeSpec(eff.Spec, tenant)
	if err != nil {
		return provider{}, err
	}
	return provider{tenant: tenant, name: name, spec: spec}, nil
}

// GrantCheck reports whether the caller applying an IdentityProvider may grant
// role at tenant (nil when they may), as the kernel checks for RoleBindings.
type GrantCheck func(ctx context.Context, tenant, role string) error

// Admit returns the admission check the kernel registers for the
// IdentityProvider kind: group bindings may grant roles only at the provider's
// tenant or below it, so a provider configured at a county cannot hand out a
// province's roles; and, when canGrant is not nil, only roles the applying
// caller may grant there.
func Admit(t Tenants, canGrant GrantCheck) func(ctx context.Context, obj resource.Object, old *resource.Object) error {
	return func(ctx context.Context, obj resource.Object, _ *resource.Object) error {
		spec, err := DecodeSpec(obj.Spec, obj.Metadata.Tenant)
		if err != nil {
			return err
		}
		var l apierr.FieldList
		for i, gb := range spec.GroupBindings {
			path := fmt.Sprintf("/spec/groupBindings/%d", i)
			if !t.IsWithin(gb.Tenant, obj.Metadata.Tenant) {
				l.Add(path+"/tenant", "must be the provider's tenant %s or one below it", obj.Metadata.Tenant)
				continue
			}
			if canGrant != nil {
				if err := canGrant(ctx, gb.Tenant, gb.Role); err != nil {
					l.Add(path+"/role", "%v", err)
				}
			}
		}
		return l.Err(fmt.Sprintf("invalid %s %q", Kind, obj.Metadata.Name))
	}
}
