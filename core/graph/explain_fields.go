package graph

import (
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"

	"github.com/gdbos/gdbos/core/authz"
)

// explainFields let security administrators ask why someone may or may not do
// something.
// myAccess lets anyone ask what they themselves may do, so that a client offers
// only that.
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
	check := graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "AccessCheck", Description: "An action on a resource kind or an API area.",
		Fields: graphql.InputObjectConfigFieldMap{
			"kind": {Type: nn(graphql.String)}, "action": {Type: nn(graphql.String)},
		},
	})
	q["myAccess"] = &graphql.Field{
		Type: nn(graphql.NewList(nn(graphql.Boolean))),
		Description: "Whether the caller may do each check at tenant, in the order asked (at most " + fmt.Sprint(maxAccessChecks) + "). " +
			"Needs no permission: it tells callers about themselves only, answers false at a tenant that does not exist, and records nothing in the audit log.",
		Args: graphql.FieldConfigArgument{
			"tenant": {Type: nn(graphql.String)},
			"checks": {Type: nn(graphql.NewList(nn(check)))},
		},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			checks, _ := p.Args["checks"].([]any)
			if len(checks) > maxAccessChecks {
				return nil, apierr.New(apierr.BadRequest, "myAccess: %d checks asked, at most %d", len(checks), maxAccessChecks)
			}
			tc := strArg(p.Args, "tenant")
			out := make([]bool, len(checks))
			for i, raw := range checks {
				m, _ := raw.(map[string]any)
				kind, _ := m["kind"].(string)
				action, _ := m["action"].(string)
				out[i] = g.svc.Authz.Check(Subject(c.Principal), tc, kind, action).Allowed
			}
			return out, nil
		}),
	}
}

// maxAccessChecks bounds one myAccess question.
const maxAccessChecks = 100
