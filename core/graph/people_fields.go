package graph

import (
	"cmp"
	"slices"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/identity"
)

// identityProviderKind is the resource kind of the OIDC providers (core/oidc.Kind;
// the graph does not import the federation).
const identityProviderKind = "IdentityProvider"

// signInProvider is what anyone may know of an identity provider: enough to offer
// a sign-in button, nothing of its configuration.
type signInProvider struct {
	Tenant, Name, Title string
}

// peopleFields serve the console's people pages: the providers one may sign in
// with (before signing in), a user's display name, org units and API tokens, and
// renaming or moving an org unit.
func (g *Graph) peopleFields(q, m graphql.Fields) {
	nn := graphql.NewNonNull
	str := graphql.String
	provider := graphql.NewObject(graphql.ObjectConfig{
		Name: "SignInProvider", Description: "An identity provider one may sign in through: names and title only.",
		Fields: graphql.Fields{
			"tenant": {Type: nn(str), Resolve: providerField(func(p signInProvider) string { return p.Tenant })},
			"name":   {Type: nn(str), Resolve: providerField(func(p signInProvider) string { return p.Name })},
			"title":  {Type: nn(str), Description: "The spec's title, or the name.", Resolve: providerField(func(p signInProvider) string { return p.Title })},
			"loginPath": {Type: nn(str), Description: "Where a browser starts the sign-in; add ?redirect=/path to come back there with #token=….",
				Resolve: providerField(func(p signInProvider) string { return "/auth/oidc/" + p.Tenant + "/" + p.Name + "/login" })},
		},
	})
	q["identityProviders"] = &graphql.Field{
		Type:        nn(graphql.NewList(nn(provider))),
		Description: "The OIDC providers configured at any tenant, for a sign-in page. Needs no sign-in: it tells names and titles, never issuers, clients or secrets.",
		Resolve: g.resolver(func(p graphql.ResolveParams) (any, error) {
			objs, err := g.svc.Resources.All(p.Context, identityProviderKind)
			if err != nil {
				return nil, err
			}
			out := make([]signInProvider, 0, len(objs))
			for _, o := range objs {
				title, _ := o.Spec["title"].(string)
				if strings.TrimSpace(title) == "" {
					title = o.Metadata.Name
				}
				out = append(out, signInProvider{Tenant: o.Metadata.Tenant, Name: o.Metadata.Name, Title: title})
			}
			slices.SortFunc(out, func(a, b signInProvider) int {
				return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Name, b.Name))
			})
			return out, nil
		}),
	}

	membership := graphql.NewObject(graphql.ObjectConfig{
		Name: "Membership", Description: "A user's place in an org unit.",
		Fields: graphql.Fields{
			"tenant":   {Type: nn(str), Resolve: memberField(func(m identity.Membership) string { return m.Tenant })},
			"unit":     {Type: nn(str), Description: "The unit's code.", Resolve: memberField(func(m identity.Membership) string { return m.UnitCode })},
			"unitName": {Type: nn(str), Resolve: memberField(func(m identity.Membership) string { return m.UnitName })},
			"title":    {Type: nn(str), Resolve: memberField(func(m identity.Membership) string { return m.Title })},
		},
	})
	g.types.user.AddFieldConfig("memberships", &graphql.Field{
		Type:        nn(graphql.NewList(nn(membership))),
		Description: "The org units the user belongs to, at tenants where the caller may read org units.",
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			ms, err := g.svc.Identity.Memberships(p.Context, p.Source.(identity.User).Username)
			if err != nil {
				return nil, err
			}
			out := make([]identity.Membership, 0, len(ms))
			for _, x := range ms {
				if g.allowed(p.Context, x.Tenant, "orgunits", "read") {
					out = append(out, x)
				}
			}
			return out, nil
		}),
	})

	g.types.user.AddFieldConfig("tokens", &graphql.Field{
		Type:        graphql.NewList(nn(g.types.token)),
		Description: "The user's API tokens, revoked and expired ones included: for the user themself, or whoever may read tokens at the user's home tenant.",
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			u := p.Source.(identity.User)
			if u.ID != c.Principal.UserID {
				if err := g.Authorize(p.Context, homeOf(u), "tokens", "read"); err != nil {
					return nil, err
				}
			}
			return g.svc.Identity.ListTokens(p.Context, u.ID)
		}),
	})

	m["updateUser"] = &graphql.Field{
		Type: nn(g.types.user), Description: "Change a user's display name.",
		Args: graphql.FieldConfigArgument{"username": {Type: nn(str)}, "displayName": {Type: nn(str)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			u, err := g.userFor(p.Context, strArg(p.Args, "username"), "write")
			if err != nil {
				return nil, err
			}
			return g.svc.Identity.SetDisplayName(p.Context, c.Principal.Username, u.Username, strings.TrimSpace(strArg(p.Args, "displayName")))
		}),
	}
	m["removeMembership"] = &graphql.Field{
		Type: nn(graphql.Boolean), Description: "Take a user out of an org unit.",
		Args: graphql.FieldConfigArgument{"username": {Type: nn(str)}, "tenant": {Type: nn(str)}, "unit": {Type: nn(str)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			tc := strArg(p.Args, "tenant")
			if err := g.Authorize(p.Context, tc, "orgunits", "write"); err != nil {
				return nil, err
			}
			return true, g.svc.Identity.RemoveMembership(p.Context, c.Principal.Username, strArg(p.Args, "username"), tc, strArg(p.Args, "unit"))
		}),
	}
	m["updateOrgUnit"] = &graphql.Field{
		Type:        nn(g.types.orgUnit),
		Description: "Rename an org unit, or move it under another unit of its tenant (parent \"\" makes it top-level); an argument left out stays as it is.",
		Args:        graphql.FieldConfigArgument{"tenant": {Type: nn(str)}, "code": {Type: nn(str)}, "name": {Type: str}, "parent": {Type: str}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			tc := strArg(p.Args, "tenant")
			if _, ok := g.svc.Tenants.Get(tc); !ok {
				return nil, apierr.Invalid("invalid org unit", []apierr.FieldError{{Path: "tenant", Message: "no tenant with this code"}})
			}
			if err := g.Authorize(p.Context, tc, "orgunits", "write"); err != nil {
				return nil, err
			}
			var in identity.OrgUnitUpdate
			if v, ok := p.Args["name"].(string); ok {
				v = strings.TrimSpace(v)
				in.Name = &v
			}
			if v, ok := p.Args["parent"].(string); ok {
				in.ParentCode = &v
			}
			return g.svc.Identity.UpdateOrgUnit(p.Context, c.Principal.Username, tc, strArg(p.Args, "code"), in)
		}),
	}
}

func providerField(fn func(signInProvider) string) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(signInProvider)), nil }
}

func memberField(fn func(identity.Membership) string) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(identity.Membership)), nil }
}
