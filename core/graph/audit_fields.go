package graph

import (
	"strconv"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
)

func (g *Graph) auditTypes() (entry, report *graphql.Object) {
	nn := graphql.NewNonNull
	str := graphql.String
	entry = graphql.NewObject(graphql.ObjectConfig{
		Name: "AuditEntry", Description: "One entry of the hash-chained audit log.", Fields: graphql.Fields{
			"id":       {Type: nn(graphql.String), Description: "Position in the chain.", Resolve: auditField(func(e audit.Entry) any { return strconv.FormatInt(e.ID, 10) })},
			"time":     {Type: nn(graphql.DateTime), Resolve: auditField(func(e audit.Entry) any { return e.Time })},
			"actor":    {Type: nn(str), Resolve: auditField(func(e audit.Entry) any { return e.Actor })},
			"action":   {Type: nn(str), Resolve: auditField(func(e audit.Entry) any { return e.Action })},
			"tenant":   {Type: str, Resolve: auditField(func(e audit.Entry) any { return nullable(e.Tenant) })},
			"target":   {Type: str, Resolve: auditField(func(e audit.Entry) any { return nullable(e.Target) })},
			"outcome":  {Type: nn(str), Resolve: auditField(func(e audit.Entry) any { return e.Outcome })},
			"detail":   {Type: jsonScalar, Resolve: auditField(func(e audit.Entry) any { return e.Detail })},
			"hash":     {Type: nn(str), Resolve: auditField(func(e audit.Entry) any { return e.Hash })},
			"prevHash": {Type: nn(str), Resolve: auditField(func(e audit.Entry) any { return e.PrevHash })},
		},
	})
	problem := graphql.NewObject(graphql.ObjectConfig{
		Name: "AuditProblem", Fields: graphql.Fields{
			"id": {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) {
				return strconv.FormatInt(p.Source.(audit.Problem).ID, 10), nil
			}},
			"kind":    {Type: nn(str), Description: "changed, removed or reordered.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(audit.Problem).Kind, nil }},
			"message": {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(audit.Problem).Message, nil }},
		},
	})
	report = graphql.NewObject(graphql.ObjectConfig{
		Name: "AuditReport", Fields: graphql.Fields{
			"ok":      {Type: nn(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(audit.Report).OK, nil }},
			"checked": {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(audit.Report).Checked, nil }},
			"problems": {Type: nn(graphql.NewList(nn(problem))), Resolve: func(p graphql.ResolveParams) (any, error) {
				pr := p.Source.(audit.Report).Problems
				if pr == nil {
					pr = []audit.Problem{}
				}
				return pr, nil
			}},
		},
	})
	return
}

func auditField(fn func(audit.Entry) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(audit.Entry)), nil }
}

func (g *Graph) auditFields(q, _ graphql.Fields) {
	str := graphql.String
	q["auditEntries"] = &graphql.Field{
		Type:        g.connectionOf(g.types.auditEntry),
		Description: "Audit entries, newest first. Without tenant: the whole log, for those who may read audit at every root.",
		Args:        pageArgs(graphql.FieldConfigArgument{"tenant": {Type: str}, "actor": {Type: str}, "action": {Type: str}, "outcome": {Type: str}}),
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			tc := strArg(p.Args, "tenant")
			if err := g.authorizeAudit(p, tc); err != nil {
				return nil, err
			}
			first, err := firstArg(p.Args)
			if err != nil {
				return nil, err
			}
			var after int64
			if a := strArg(p.Args, "after"); a != "" {
				if after, err = strconv.ParseInt(a, 10, 64); err != nil {
					return nil, apierr.Invalid("invalid cursor", []apierr.FieldError{{Path: "after", Message: "not a cursor from this list"}})
				}
			}
			entries, more, total, err := g.svc.Audit.List(p.Context, audit.Filter{
				Tenant: tc, Actor: strArg(p.Args, "actor"), Action: strArg(p.Args, "action"), Outcome: strArg(p.Args, "outcome"),
			}, first, after)
			if err != nil {
				return nil, err
			}
			c := &conn{hasNext: more, total: total}
			for _, e := range entries {
				cur := strconv.FormatInt(e.ID, 10)
				c.nodes, c.cursors, c.endCursor = append(c.nodes, e), append(c.cursors, cur), cur
			}
			return c, nil
		}),
	}
	q["auditVerify"] = &graphql.Field{
		Type: graphql.NewNonNull(g.types.auditReport), Description: "Check the whole hash chain; names any changed, removed or reordered entry.",
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			if err := g.authorizeAudit(p, ""); err != nil {
				return nil, err
			}
			return g.svc.Audit.Verify(p.Context)
		}),
	}
}

// authorizeAudit allows the log of one tenant to those who may read audit there, and
// the whole log to those who may read it at every root.
func (g *Graph) authorizeAudit(p graphql.ResolveParams, tenantCode string) error {
	if tenantCode != "" {
		return g.Authorize(p.Context, tenantCode, "audit", "read")
	}
	roots := g.svc.Tenants.Roots()
	if len(roots) == 0 {
		return g.Authorize(p.Context, "*", "audit", "read")
	}
	for _, r := range roots {
		if err := g.Authorize(p.Context, r.Code, "audit", "read"); err != nil {
			return err
		}
	}
	return nil
}
