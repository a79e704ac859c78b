package graph

import (
	"strconv"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/identity"
)

func (g *Graph) orgUnitFields(q, m graphql.Fields) {
	nn := graphql.NewNonNull
	str := graphql.String
	q["orgUnits"] = &graphql.Field{
		Type: g.connectionOf(g.types.orgUnit), Description: "Departments and streets of a tenant.",
		Args: pageArgs(graphql.FieldConfigArgument{"tenant": {Type: nn(str)}}),
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			tc := strArg(p.Args, "tenant")
			if err := g.Authorize(p.Context, tc, "orgunits", "read"); err != nil {
				return nil, err
			}
			first, err := firstArg(p.Args)
			if err != nil {
				return nil, err
			}
			after, err := intCursor(p.Args)
			if err != nil {
				return nil, err
			}
			units, err := g.svc.Identity.ListOrgUnits(p.Context, tc)
			if err != nil {
				return nil, err
			}
			c := &conn{total: len(units)}
			for _, u := range units {
				if u.ID <= after {
					continue
				}
				if len(c.nodes) == first {
					c.hasNext = true
					break
				}
				c.nodes = append(c.nodes, u)
				c.cursors = append(c.cursors, itoa(u.ID))
				c.endCursor = itoa(u.ID)
			}
			return c, nil
		}),
	}
	unitInput := graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "OrgUnitInput", Fields: graphql.InputObjectConfigFieldMap{
			"tenant": {Type: nn(str)}, "code": {Type: nn(str)}, "name": {Type: nn(str)},
			"kind": {Type: str, Description: "department (default), street or office."}, "parent": {Type: str, Description: "Code of the parent unit in the same tenant."},
		},
	})
	m["createOrgUnit"] = &graphql.Field{
		Type: nn(g.types.orgUnit), Args: graphql.FieldConfigArgument{"input": {Type: nn(unitInput)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			in := p.Args["input"].(map[string]any)
			tc := strArg(in, "tenant")
			if err := g.Authorize(p.Context, tc, "orgunits", "write"); err != nil {
				return nil, err
			}
			kind := strArg(in, "kind")
			if kind == "" {
				kind = "department"
			}
			return g.svc.Identity.CreateOrgUnit(p.Context, c.Principal.Username, identity.OrgUnitInput{
				Tenant: tc, Code: strArg(in, "code"), Name: strArg(in, "name"), Kind: kind, ParentCode: strArg(in, "parent"),
			})
		}),
	}
	m["addMembership"] = &graphql.Field{
		Type: nn(graphql.Boolean), Description: "Place a user in an org unit.",
		Args: graphql.FieldConfigArgument{"username": {Type: nn(str)}, "tenant": {Type: nn(str)}, "unit": {Type: nn(str)}, "title": {Type: str}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			tc := strArg(p.Args, "tenant")
			if err := g.Authorize(p.Context, tc, "orgunits", "write"); err != nil {
				return nil, err
			}
			return true, g.svc.Identity.AddMembership(p.Context, c.Principal.Username, strArg(p.Args, "username"), tc, strArg(p.Args, "unit"), strArg(p.Args, "title"))
		}),
	}
}

func (g *Graph) tokenFields(q, m graphql.Fields) {
	nn := graphql.NewNonNull
	str := graphql.String
	q["tokens"] = &graphql.Field{
		Type: nn(graphql.NewList(nn(g.types.token))), Description: "The caller's API tokens.",
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			return g.svc.Identity.ListTokens(p.Context, c.Principal.UserID)
		}),
	}
	created := graphql.NewObject(graphql.ObjectConfig{
		Name: "CreatedToken", Fields: graphql.Fields{
			"secret":   {Type: nn(str), Description: "Shown once: store it now."},
			"apiToken": {Type: nn(g.types.token)},
		},
	})
	m["createToken"] = &graphql.Field{
		Type:        nn(created),
		Description: "A token for programs: it can do at most what its holder can, limited to a tenant subtree and scopes (On:action).",
		Args: graphql.FieldConfigArgument{
			"name": {Type: nn(str)}, "tenant": {Type: str}, "scopes": {Type: graphql.NewList(nn(str))},
			"expiresInHours": {Type: graphql.Int, Description: "Default 720 (30 days); 0 never expires."},
		},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			if c.Principal.TokenID != 0 {
				return nil, apierr.New(apierr.Forbidden, "an API token cannot create tokens; sign in with a password")
			}
			tc := strArg(p.Args, "tenant")
			if tc != "" {
				if _, ok := g.svc.Tenants.Get(tc); !ok {
					return nil, apierr.Invalid("invalid token", []apierr.FieldError{{Path: "tenant", Message: "no tenant with this code"}})
				}
			}
			hours := 720
			if h, ok := p.Args["expiresInHours"].(int); ok {
				hours = h
			}
			if hours < 0 {
				return nil, apierr.Invalid("invalid token", []apierr.FieldError{{Path: "expiresInHours", Message: "must not be negative"}})
			}
			scopes := listArg(p.Args, "scopes")
			secret, tok, err := g.svc.Identity.CreateToken(p.Context, c.Principal.Username, c.Principal.UserID, identity.TokenInput{
				Name: strArg(p.Args, "name"), Tenant: tc, Scopes: scopes, TTL: time.Duration(hours) * time.Hour,
			})
			if err != nil {
				return nil, err
			}
			return map[string]any{"secret": secret, "apiToken": tok}, nil
		}),
	}
	m["revokeToken"] = &graphql.Field{
		Type: nn(graphql.Boolean), Args: graphql.FieldConfigArgument{"id": {Type: nn(graphql.Int)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			others := func(tenant string) bool { return g.allowed(p.Context, tenant, "tokens", "delete") }
			return true, g.svc.Identity.RevokeToken(p.Context, c.Principal.Username, c.Principal.UserID, p.Args["id"].(int), others)
		}),
	}
}

func listArg(args map[string]any, name string) []string {
	raw, _ := args[name].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// intCursor reads an after cursor that is a row ID.
func intCursor(args map[string]any) (int, error) {
	a := strArg(args, "after")
	if a == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(a)
	if err != nil || n < 0 {
		return 0, apierr.Invalid("invalid cursor", []apierr.FieldError{{Path: "after", Message: "not a cursor from this list"}})
	}
	return n, nil
}
