package graph

import "github.com/graphql-go/graphql"

// types are the object types fields share, built once per schema.
type types struct {
	tenant                                                        *graphql.Object
	resource, version, diff, origin, effective, kind, applyResult *graphql.Object
	user, orgUnit, token, login                                   *graphql.Object
	auditEntry, auditReport                                       *graphql.Object
}

func (g *Graph) buildTypes() *types {
	t := &types{tenant: g.tenantType()}
	t.resource, t.version, t.diff, t.origin, t.effective, t.kind, t.applyResult = g.resourceTypes()
	t.user, t.orgUnit, t.token, t.login = g.identityTypes()
	t.auditEntry, t.auditReport = g.auditTypes()
	return t
}
