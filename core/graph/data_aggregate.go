package graph

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/entity"
)

// Groups an aggregate returns.
const (
	aggregateDefaultGroups = 100
	aggregateMaxGroups     = 1000
)

// aggregate adds <entity>Aggregate(filter, groupBy, first): the records the caller
// may read, counted, summed, averaged and their least and greatest values, per
// group, in one statement.
func (et *entityType) aggregate(query graphql.Fields) {
	d, typ, tb := et.d, et.obj.Name(), et.d.tb
	one, _ := rootNames(tb)
	keyFields := graphql.Fields{"tenant": {Type: graphql.String}}
	groupEnum := graphql.EnumValueConfigMap{"tenant": {Value: "tenant"}}
	for _, f := range tb.Fields {
		keyFields[f.Name] = &graphql.Field{Type: scalarOf(f.Type)}
		groupEnum[f.Name] = &graphql.EnumValueConfig{Value: f.Name}
	}
	for _, r := range tb.Relations {
		if r.Kind == entity.ManyToOne {
			keyFields[r.Name] = &graphql.Field{Type: graphql.ID, Description: "The id of the related " + TypeName(r.Entity) + "."}
			groupEnum[r.Name] = &graphql.EnumValueConfig{Value: r.Name}
		}
	}
	group := graphql.Fields{
		"key": {Type: graphql.NewNonNull(graphql.NewObject(graphql.ObjectConfig{Name: typ + "GroupKey", Fields: keyFields})),
			Description: "The values of the groupBy fields; the others are null."},
		"count": {Type: graphql.NewNonNull(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return int(p.Source.(entity.Group).Count), nil }},
	}
	for _, fn := range []string{entity.Sum, entity.Avg, entity.Min, entity.Max} {
		fields := graphql.Fields{}
		for _, f := range tb.Fields {
			if !entity.Aggregable(fn, f.Type) {
				continue
			}
			t := graphql.Output(graphql.Float)
			if fn == entity.Min || fn == entity.Max {
				t = scalarOf(f.Type)
			}
			fields[f.Name] = &graphql.Field{Type: t}
		}
		if len(fields) == 0 {
			continue
		}
		name := typ + map[string]string{entity.Sum: "Sums", entity.Avg: "Averages", entity.Min: "Minimums", entity.Max: "Maximums"}[fn]
		group[fn] = &graphql.Field{Type: graphql.NewNonNull(graphql.NewObject(graphql.ObjectConfig{Name: name, Fields: fields})),
			Resolve: func(p graphql.ResolveParams) (any, error) {
				if v := p.Source.(entity.Group).Values[fn]; v != nil {
					return v, nil
				}
				return map[string]any{}, nil
			}}
	}
	group["key"].Resolve = func(p graphql.ResolveParams) (any, error) { return et.groupKey(p, p.Source.(entity.Group)) }
	result := graphql.NewObject(graphql.ObjectConfig{Name: typ + "Aggregate", Fields: graphql.Fields{
		"groups": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(graphql.NewObject(graphql.ObjectConfig{Name: typ + "Group", Fields: group}))))},
	}})
	query[one+"Aggregate"] = &graphql.Field{Type: graphql.NewNonNull(result),
		Description: "Counts, sums, averages, minimums and maximums of the " + typ + " records you may read, per group of groupBy values (one group without groupBy).",
		Args: graphql.FieldConfigArgument{
			"filter":  {Type: et.filterType},
			"groupBy": {Type: graphql.NewList(graphql.NewNonNull(graphql.NewEnum(graphql.EnumConfig{Name: typ + "GroupField", Values: groupEnum})))},
			"first":   {Type: graphql.Int, DefaultValue: aggregateDefaultGroups, Description: fmt.Sprintf("groups, in key order; at most %d", aggregateMaxGroups)},
		}, Resolve: d.g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) { return et.aggregateOf(p) })}
}

func (et *entityType) aggregateOf(p graphql.ResolveParams) (any, error) {
	d := et.d
	first, _ := p.Args["first"].(int)
	if first <= 0 || first > aggregateMaxGroups {
		return nil, apierr.Invalid("invalid page", []apierr.FieldError{{Path: "/first", Message: fmt.Sprintf("must be 1 to %d", aggregateMaxGroups)}})
	}
	o := entity.AggregateOptions{Limit: first, RelatedScope: d.relatedScope(p.Context), Hidden: d.hidden(p.Context), Funcs: aggregateFuncs(p)}
	o.Filter, _ = p.Args["filter"].(map[string]any)
	if list, ok := p.Args["groupBy"].([]any); ok {
		for _, x := range list {
			s, _ := x.(string)
			o.GroupBy = append(o.GroupBy, s)
		}
	}
	scope, none, err := d.scope(p.Context, "read")
	if err != nil {
		return nil, err
	}
	if none {
		// One empty group without groupBy, as SQL answers an empty table.
		if len(o.GroupBy) == 0 {
			return map[string]any{"groups": []entity.Group{{Key: map[string]any{}}}}, nil
		}
		return map[string]any{"groups": []entity.Group{}}, nil
	}
	o.Scope = scope
	groups, err := d.tb.Aggregate(p.Context, d.g.svc.Store.DB, o)
	if err != nil {
		return nil, err
	}
	return map[string]any{"groups": groups}, nil
}

// groupKey is a group's key as the caller may see it: relation ids as IDs, text
// masked as the field's classification asks unless the caller may unmask at the
// group's tenant (or, without it, at the API's tenant).
func (et *entityType) groupKey(p graphql.ResolveParams, gr entity.Group) (map[string]any, error) {
	d := et.d
	at := d.t.Code
	if s, ok := gr.Key["tenant"].(string); ok {
		at = s
	}
	out := make(map[string]any, len(gr.Key))
	for k, v := range gr.Key {
		out[k] = v
		if id, ok := v.(int64); ok && slices.ContainsFunc(d.tb.Relations, func(r entity.Relation) bool { return r.Name == k }) {
			out[k] = strconv.FormatInt(id, 10)
		}
		if s, ok := v.(string); ok && k != "tenant" {
			m, err := d.g.maskedValue(p.Context, d.typ, d.typ, at, storedKey(d.tb, k), s)
			if err != nil {
				return nil, err
			}
			out[k] = m
		}
	}
	return out, nil
}

// aggregateFuncs are the functions the query selects under groups: computing only
// those keeps the statement small.
func aggregateFuncs(p graphql.ResolveParams) []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		if !seen[name] && (name == entity.Sum || name == entity.Avg || name == entity.Min || name == entity.Max) {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, f := range p.Info.FieldASTs {
		if f.SelectionSet == nil {
			continue
		}
		for _, s := range f.SelectionSet.Selections {
			gf, ok := s.(*ast.Field)
			if !ok {
				return []string{entity.Sum, entity.Avg, entity.Min, entity.Max}
			}
			if gf.Name == nil || gf.Name.Value != "groups" || gf.SelectionSet == nil {
				continue
			}
			for _, s := range gf.SelectionSet.Selections {
				af, ok := s.(*ast.Field)
				if !ok {
					return []string{entity.Sum, entity.Avg, entity.Min, entity.Max}
				}
				if af.Name != nil {
					add(af.Name.Value)
				}
			}
		}
	}
	return out
}
