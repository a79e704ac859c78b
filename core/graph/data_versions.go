package graph

import (
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/tenant"
)

// Older served versions of an entity (ADR 19) answer in the same data API as the
// storage version, under names suffixed with the version: enterpriseV1,
// enterprisesV1, EnterpriseV1, createEnterpriseV1 … They read and write the same
// records through the storage version's table and are authorized, filtered and
// masked as the entity itself (RBAC resource, row policies and classifications go
// by the entity's type name and the storage version's field names).

// versionSuffix is what an older version adds to the entity's names: V1, V2beta1;
// nothing for the storage version.
func versionSuffix(tb entity.Table) string {
	if !tb.Older || tb.Version == "" {
		return ""
	}
	return strings.ToUpper(tb.Version[:1]) + tb.Version[1:]
}

// typeName is the GraphQL type of the entity as the table shows it.
func typeName(tb entity.Table) string { return TypeName(tb.Name) + versionSuffix(tb) }

// rootNames are the query fields of one record and of a page of records.
func rootNames(tb entity.Table) (one, many string) {
	s := versionSuffix(tb)
	return tb.Name + s, plural(tb.Name) + s
}

// rootFields are the query and mutation fields that operations adds for the table.
func rootFields(tb entity.Table) (query, mutation []string) {
	one, many := rootNames(tb)
	typ := typeName(tb)
	return []string{one, many, one + "Aggregate", one + "History"},
		[]string{"create" + typ, "update" + typ, "delete" + typ, "restore" + typ}
}

// versionTypes adds the older served versions of the API's entities, whose
// relations lead to the storage versions in types, marks the root fields of
// deprecated versions (the storage version's too, when it is deprecated) and
// returns the versions' types, for their subscriptions.
func (g *Graph) versionTypes(t tenant.Tenant, pageInfo *graphql.Object, types map[string]*entityType, query, mutation graphql.Fields) []*entityType {
	var ets []*entityType
	older := g.svc.Entities.Versions(t.Code, t.Path)
	for _, tb := range older {
		et := g.entityTypes(t, tb, pageInfo)
		et.relations(types)
		et.operations(query, mutation)
		ets = append(ets, et)
	}
	var deprecated []entity.Table
	for _, et := range types {
		deprecated = append(deprecated, et.d.tb)
	}
	deprecated = append(deprecated, older...)
	for _, tb := range deprecated {
		if tb.Deprecated == "" {
			continue
		}
		qs, ms := rootFields(tb)
		for _, n := range qs {
			if f, ok := query[n]; ok {
				f.DeprecationReason = tb.Deprecated
			}
		}
		for _, n := range ms {
			if f, ok := mutation[n]; ok {
				f.DeprecationReason = tb.Deprecated
			}
		}
	}
	return ets
}

// storedName is the name masks know a field by: the storage version's.
func storedName(f entity.Field) string {
	if f.StorageName != "" {
		return f.StorageName
	}
	return f.Name
}

// storedKey is storedName of the table's field named name (a group key).
func storedKey(tb entity.Table, name string) string {
	for _, f := range tb.Fields {
		if f.Name == name {
			return storedName(f)
		}
	}
	return name
}
