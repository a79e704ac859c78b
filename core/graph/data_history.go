package graph

import (
	"context"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/store/ent"
)

// keepVersion stores the record as written, with every field of every tier, as a
// version in its history, in the writing transaction.
func (d dataTable) keepVersion(ctx context.Context, tx *ent.Tx, op string, r entity.Record) error {
	if r == nil {
		return nil
	}
	full, ok := d.g.svc.Entities.Full(d.tb.Name)
	if !ok {
		return nil
	}
	whole, err := full.Get(ctx, tx, r["id"].(int64), nil, true)
	if err != nil {
		return err
	}
	return full.AppendHistory(ctx, tx, op, CallerFrom(ctx).Principal.Username, d.tb.Version, whole)
}

// history adds <entity>History(id): the versions of a record the caller may read,
// newest first, each masked like the record itself.
func (et *entityType) history(query graphql.Fields) {
	d, typ := et.d, et.obj.Name()
	one, _ := rootNames(d.tb)
	version := graphql.NewObject(graphql.ObjectConfig{Name: typ + "Version", Fields: graphql.Fields{
		"version": {Type: graphql.NewNonNull(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(entity.Version).Version, nil }},
		"op":      {Type: graphql.NewNonNull(graphql.String), Description: "create, update, delete or restore", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(entity.Version).Op, nil }},
		"at":      {Type: graphql.NewNonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(entity.Version).At, nil }},
		"by":      {Type: graphql.NewNonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(entity.Version).By, nil }},
		"schemaVersion": {Type: graphql.String, Description: "The entity's schema version the write came through (v1, v2 …).", Resolve: func(p graphql.ResolveParams) (any, error) {
			if v := p.Source.(entity.Version).SchemaVersion; v != "" {
				return v, nil
			}
			return nil, nil
		}},
		"record": {Type: graphql.NewNonNull(et.obj), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(entity.Version).Record, nil }},
	}})
	query[one+"History"] = &graphql.Field{
		Type:        graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(version))),
		Description: "Every version of a " + typ + " the caller may read, newest first (records imported in bulk start at their first change).",
		Args:        graphql.FieldConfigArgument{"id": {Type: graphql.NewNonNull(graphql.ID)}},
		Resolve: d.g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			id, _, err := d.readable(p, true)
			if err != nil {
				return nil, err
			}
			return d.tb.History(p.Context, d.g.svc.Store.DB, id)
		}),
	}
}
