package graph

import (
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/division"
	"github.com/gdbos/gdbos/core/tenant"
)

func (g *Graph) tenantType() *graphql.Object {
	var t *graphql.Object
	t = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Tenant",
		Description: "A tier of government, keyed by its administrative division code (GB/T 2260).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"code":      {Type: graphql.NewNonNull(graphql.String), Resolve: tenantField(func(t tenant.Tenant) any { return t.Code })},
				"name":      {Type: graphql.NewNonNull(graphql.String), Resolve: tenantField(func(t tenant.Tenant) any { return t.Name })},
				"level":     {Type: graphql.NewNonNull(graphql.String), Description: "nation, province, city, county or township.", Resolve: tenantField(func(t tenant.Tenant) any { return string(t.Level) })},
				"path":      {Type: graphql.NewNonNull(graphql.String), Resolve: tenantField(func(t tenant.Tenant) any { return t.Path })},
				"status":    {Type: graphql.NewNonNull(graphql.String), Resolve: tenantField(func(t tenant.Tenant) any { return t.Status })},
				"successor": {Type: graphql.String, Description: "The code that replaced a retired one.", Resolve: tenantField(func(t tenant.Tenant) any { return nullable(t.Successor) })},
				"parent": {Type: t, Description: "The parent tier, if the caller may see it.", Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
					src := p.Source.(tenant.Tenant)
					parent, ok := g.svc.Tenants.Get(src.Parent)
					if !ok || !g.allowed(p.Context, parent.Code, "tenants", "read") {
						return nil, nil
					}
					return parent, nil
				})},
				"children": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(t))), Description: "The tiers directly below, as far as the caller may see them.", Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
					src := p.Source.(tenant.Tenant)
					kids := g.svc.Tenants.Children(src.Code)
					if g.allowed(p.Context, src.Code, "tenants", "read") {
						return kids, nil // a grant at a tenant covers its whole subtree
					}
					out := make([]tenant.Tenant, 0, len(kids))
					for _, k := range kids {
						if g.allowed(p.Context, k.Code, "tenants", "read") {
							out = append(out, k)
						}
					}
					return out, nil
				})},
				"ancestors": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(t))), Description: "The tiers above, root first, as far as the caller may see them.", Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
					var out []tenant.Tenant
					for _, a := range g.svc.Tenants.Ancestors(p.Source.(tenant.Tenant).Code) {
						if g.allowed(p.Context, a.Code, "tenants", "read") {
							out = append(out, a)
						}
					}
					return out, nil
				})},
			}
		}),
	})
	return t
}

func tenantField(fn func(t tenant.Tenant) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(tenant.Tenant)), nil }
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (g *Graph) tenantFields(q, m graphql.Fields) {
	tt := g.types.tenant
	q["tenant"] = &graphql.Field{
		Type:        tt,
		Description: "One tenant by code.",
		Args:        graphql.FieldConfigArgument{"code": {Type: graphql.NewNonNull(graphql.String)}},
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			code := strArg(p.Args, "code")
			t, ok := g.svc.Tenants.Get(code)
			if !ok {
				return nil, apierr.New(apierr.NotFound, "no tenant with code %q", code)
			}
			if err := g.Authorize(p.Context, code, "tenants", "read"); err != nil {
				return nil, err
			}
			return t, nil
		}),
	}
	q["tenants"] = &graphql.Field{
		Type:        g.connectionOf(tt),
		Description: "Tenants the caller may see, by code; filter by parent, level or a search on code and name.",
		Args: pageArgs(graphql.FieldConfigArgument{
			"parent": {Type: graphql.String}, "level": {Type: graphql.String},
			"search": {Type: graphql.String}, "within": {Type: graphql.String},
		}),
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			first, err := firstArg(p.Args)
			if err != nil {
				return nil, err
			}
			all := g.svc.Tenants.List(tenant.ListOptions{
				Parent: strArg(p.Args, "parent"), Level: strArg(p.Args, "level"),
				Search: strArg(p.Args, "search"), Within: strArg(p.Args, "within"),
			})
			after := strArg(p.Args, "after")
			c := &conn{}
			for _, t := range all {
				if !g.allowed(p.Context, t.Code, "tenants", "read") {
					continue
				}
				c.total++
				if after != "" && strings.Compare(t.Code, after) <= 0 {
					continue
				}
				if len(c.nodes) == first {
					c.hasNext = true
					continue
				}
				c.nodes = append(c.nodes, t)
				c.cursors = append(c.cursors, t.Code)
				c.endCursor = t.Code
			}
			return c, nil
		}),
	}
	tenantInput := graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "TenantInput",
		Fields: graphql.InputObjectConfigFieldMap{
			"code":   {Type: graphql.NewNonNull(graphql.String)},
			"name":   {Type: graphql.NewNonNull(graphql.String)},
			"level":  {Type: graphql.String, Description: "Derived from the code when omitted."},
			"parent": {Type: graphql.String, Description: "Derived from the code when omitted."},
		},
	})
	m["createTenant"] = &graphql.Field{
		Type: tt, Args: graphql.FieldConfigArgument{"input": {Type: graphql.NewNonNull(tenantInput)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			in := p.Args["input"].(map[string]any)
			t := tenant.Tenant{Code: strArg(in, "code"), Name: strArg(in, "name"), Level: division.Level(strArg(in, "level")), Parent: strArg(in, "parent")}
			parent := t.Parent
			if parent == "" {
				parent = division.ImpliedParent(t.Code)
			}
			if err := g.Authorize(p.Context, parent, "tenants", "write"); err != nil {
				return nil, err
			}
			return g.svc.Tenants.Create(p.Context, c.Principal.Username, t)
		}),
	}
	m["retireTenant"] = &graphql.Field{
		Type: tt, Description: "Retire a code after a re-division, naming its successor.",
		Args: graphql.FieldConfigArgument{"code": {Type: graphql.NewNonNull(graphql.String)}, "successor": {Type: graphql.NewNonNull(graphql.String)}},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			code := strArg(p.Args, "code")
			t, ok := g.svc.Tenants.Get(code)
			if !ok {
				return nil, apierr.New(apierr.NotFound, "no tenant with code %q", code)
			}
			at := t.Parent
			if at == "" {
				at = code
			}
			if err := g.Authorize(p.Context, at, "tenants", "write"); err != nil {
				return nil, err
			}
			return g.svc.Tenants.Retire(p.Context, c.Principal.Username, code, strArg(p.Args, "successor"))
		}),
	}
}
