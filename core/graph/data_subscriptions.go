package graph

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/store/ent"
)

// TopicRecordChanged is the event of a record created, updated, deleted or restored
// through a data API; its payload is a RecordChange.
const TopicRecordChanged = "record.changed"

// RecordChange is the payload of TopicRecordChanged. It names the record and how it
// changed, never its fields: a subscriber reads the record under its own scope.
type RecordChange struct {
	Entity string `json:"entity"`
	Tenant string `json:"tenant"`
	// Path is the record's tenant path, so a replica can match it to the APIs
	// watching without looking the tenant up.
	Path string `json:"path"`
	ID   int64  `json:"id"`
	// Op is create, update, delete or restore.
	Op      string `json:"op"`
	Version int64  `json:"version"`
}

// TopicRecordsImported is the event of a bulk import that committed; its payload
// is a RecordsImported. An import is announced once, not per row (ADR 16).
const TopicRecordsImported = "record.imported"

// RecordsImported is the payload of TopicRecordsImported: which entity, where, and
// how many records one import created. Like RecordChange it carries no field values.
type RecordsImported struct {
	Entity   string `json:"entity"`
	Tenant   string `json:"tenant"`
	Path     string `json:"path"`
	Imported int    `json:"imported"`
}

// emitChange writes a write's record.changed event in its transaction and wakes the
// bus once the transaction commits.
func (d dataTable) emitChange(ctx context.Context, tx *ent.Tx, op string, r entity.Record) error {
	bus := d.g.svc.Events
	if bus == nil || r == nil {
		return nil
	}
	code, _ := r["tenant"].(string)
	t, _ := d.g.svc.Tenants.Get(code)
	id, _ := r["id"].(int64)
	version, _ := r["version"].(int64)
	ch := RecordChange{Entity: d.tb.Name, Tenant: code, Path: t.Path, ID: id, Op: op, Version: version}
	return emitKicked(ctx, bus, tx, TopicRecordChanged, code, ch)
}

// emitImport writes an import's record.imported event in its transaction.
func (d dataTable) emitImport(ctx context.Context, tx *ent.Tx, imported int) error {
	bus := d.g.svc.Events
	if bus == nil || imported == 0 {
		return nil
	}
	ev := RecordsImported{Entity: d.tb.Name, Tenant: d.t.Code, Path: d.t.Path, Imported: imported}
	return emitKicked(ctx, bus, tx, TopicRecordsImported, d.t.Code, ev)
}

// emitKicked emits an event in tx and wakes the bus once tx commits.
func emitKicked(ctx context.Context, bus *event.Bus, tx *ent.Tx, topic, tenant string, payload any) error {
	if err := bus.Emit(ctx, tx, topic, tenant, payload); err != nil {
		return err
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				bus.Kick()
			}
			return err
		})
	})
	return nil
}

// delivered is the root value of one subscription result: the change and the
// record as the subscriber may see it.
type delivered struct {
	change RecordChange
	record entity.Record
}

// subscriptionType is a data API's Subscription root: <entity>Changed for each
// entity, and <entity>V1Changed … for its older served versions. It is nil for an
// API without entities.
func (g *Graph) subscriptionType(types map[string]*entityType, older []*entityType) *graphql.Object {
	if len(types) == 0 {
		return nil
	}
	ops := graphql.NewEnum(graphql.EnumConfig{Name: "ChangeOp", Values: graphql.EnumValueConfigMap{
		"CREATE":  {Value: "create"},
		"UPDATE":  {Value: "update"},
		"DELETE":  {Value: "delete"},
		"RESTORE": {Value: "restore"},
	}})
	fields := graphql.Fields{}
	for _, et := range append(slices.Collect(maps.Values(types)), older...) {
		one, _ := rootNames(et.d.tb)
		change := graphql.NewObject(graphql.ObjectConfig{Name: et.obj.Name() + "Change", Fields: graphql.Fields{
			"op": {Type: graphql.NewNonNull(ops), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(delivered).change.Op, nil }},
			"id": {Type: graphql.NewNonNull(graphql.ID), Resolve: func(p graphql.ResolveParams) (any, error) {
				return strconv.FormatInt(p.Source.(delivered).change.ID, 10), nil
			}},
			"version": {Type: graphql.NewNonNull(graphql.Int), Description: "The record's version the change made.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(delivered).change.Version, nil }},
			"record": {Type: graphql.NewNonNull(et.obj), Description: "The record as it is when the change is delivered, masked as you may see it.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(delivered).record, nil }},
		}})
		fields[one+"Changed"] = &graphql.Field{Type: graphql.NewNonNull(change), DeprecationReason: et.d.tb.Deprecated,
			Description: "Every change to a " + et.d.typ + " record you may read that passes filter (on the record after the change), over WebSocket (graphql-transport-ws).",
			Args: graphql.FieldConfigArgument{
				"filter": {Type: et.filterType},
				"ops":    {Type: graphql.NewList(graphql.NewNonNull(ops)), Description: "Only these operations; default all."},
			},
			Subscribe: et.d.subscribe,
			Resolve:   func(p graphql.ResolveParams) (any, error) { return p.Source, nil },
		}
	}
	return graphql.NewObject(graphql.ObjectConfig{Name: "Subscription", Fields: fields})
}

// subscribe starts one <entity>Changed subscription: it checks the caller and the
// filter now, then watches the API's subtree for changes and yields each one the
// caller may read. graphql-go formats its errors without extensions unless they
// are already formatted, hence subscribeErr.
func (d dataTable) subscribe(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	s := subscriberFrom(ctx)
	if s == nil {
		return nil, d.subscribeErr(ctx, apierr.New(apierr.BadRequest, "subscriptions are served over WebSocket (subprotocol graphql-transport-ws) at /data/%s/graphql", d.t.Code))
	}
	if err := requireCaller(ctx); err != nil {
		return nil, d.subscribeErr(ctx, err)
	}
	filter, _ := p.Args["filter"].(map[string]any)
	ops := map[string]bool{}
	if list, ok := p.Args["ops"].([]any); ok && len(list) > 0 {
		for _, o := range list {
			ops[o.(string)] = true
		}
	} else {
		ops = map[string]bool{"create": true, "update": true, "delete": true, "restore": true}
	}
	scope, none, err := d.scope(ctx, "read")
	if err == nil && none {
		err = d.g.Authorize(ctx, d.t.Code, d.typ, "read")
	}
	if err == nil {
		// One bounded read now, so a filter that cannot run is refused at once.
		_, err = d.tb.List(ctx, d.g.svc.Store.DB, entity.ListOptions{Scope: scope, Filter: filter, First: 1, RelatedScope: d.relatedScope(ctx), Hidden: d.hidden(ctx)})
	}
	if err != nil {
		return nil, d.subscribeErr(ctx, err)
	}
	w := s.watch(d.tb.Name, d.t.Path)
	out := make(chan any)
	go func() {
		defer w.stop()
		for {
			var ch RecordChange
			select {
			case <-ctx.Done():
				return
			case ch = <-w.queue:
			}
			if !ops[ch.Op] {
				continue
			}
			if !s.stillSignedIn(ctx) {
				return
			}
			r, ok, err := d.visible(ctx, ch, filter)
			if err != nil {
				if ctx.Err() == nil {
					d.g.log.WarnContext(ctx, "subscription: reading a changed record failed", "entity", ch.Entity, "id", ch.ID, "err", err)
				}
				continue
			}
			if !ok {
				continue
			}
			select {
			case out <- delivered{change: ch, record: r}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// visible reads the changed record, as it is now, under the caller's read scope
// and the subscription's filter; a record outside either is not delivered at all.
func (d dataTable) visible(ctx context.Context, ch RecordChange, filter map[string]any) (entity.Record, bool, error) {
	scope, none, err := d.scope(ctx, "read")
	if err != nil || none {
		return nil, false, err
	}
	scope = append(scope, entity.Cond{SQL: "id = ?", Args: []any{ch.ID}})
	// First in the state the change left it, then in the other: a record deleted
	// and restored before delivery is still announced twice.
	deleted := ch.Op == "delete"
	for _, del := range []bool{deleted, !deleted} {
		page, err := d.tb.List(ctx, d.g.svc.Store.DB, entity.ListOptions{Scope: scope, Filter: filter, First: 1,
			Deleted: del, RelatedScope: d.relatedScope(ctx), Hidden: d.hidden(ctx)})
		if err != nil {
			return nil, false, err
		}
		if len(page.Records) > 0 {
			return page.Records[0], true, nil
		}
	}
	return nil, false, nil
}

// subscribeErr is err as graphql-go's subscription executor keeps it: formatted,
// with its code.
func (d dataTable) subscribeErr(ctx context.Context, err error) error {
	e, ok := apierr.As(err)
	if !ok {
		d.g.log.ErrorContext(ctx, "subscription failed", "err", err)
		e = apierr.New(apierr.Internal, "internal error")
	}
	return formatted(e)
}
