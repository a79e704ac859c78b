package graph

import (
	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/authz"
)

// explainFields let security administrators ask why someone may or may not do
// something.
func (g *Graph) explainFields(q, _ graphql.Fields) {
	nn := graphql.NewNonNull
	decision := graphql.NewObject(graphql.ObjectConfig{
		Name: "AccessDecision", Description: "Whether a user may do an action, and which binding, role and rule decided it, in words.",
		Fields: graphql.Fields{
			"allowed": {Type: nn(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(authz.Decision).Allowed, nil }},
			"reason":  {Type: nn(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(authz.Decision).Reason, nil }},
		},
	})
	q["explainAccess"] = &graphql.Field{
		Type:        nn(decision),
		Description: "Why user may or may not do action on kind (a resource kind or an API area) at tenant. Needs RoleBinding:read there.",
		Args: graphql.FieldConfigArgument{
			"user": {Type: nn(graphql.String)}, "action": {Type: nn(graphql.String)},
			"kind": {Type: nn(graphql.String)}, "tenant": {Type: nn(graphql.String)},
		},
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			tc := strArg(p.Args, "tenant")
			if err := g.Authorize(p.Context, tc, "RoleBinding", "read"); err != nil {
				return nil, err
			}
			u, err := g.svc.Identity.GetUser(p.Context, strArg(p.Args, "user"))
			if err != nil {
				return nil, err
			}
			sub := authz.Subject{User: u.Username, Superadmin: u.Superadmin}
			return g.svc.Authz.Explain(sub, tc, strArg(p.Args, "kind"), strArg(p.Args, "action")), nil
		}),
	}
}
