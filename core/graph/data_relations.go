package graph

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/entity"
)

// linkInput changes a manyToMany relation of a record.
var linkInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "LinkInput",
	Description: "Records to link to and unlink from, by id.",
	Fields: graphql.InputObjectConfigFieldMap{
		"link":   {Type: graphql.NewList(graphql.NewNonNull(graphql.ID))},
		"unlink": {Type: graphql.NewList(graphql.NewNonNull(graphql.ID))},
	}})

// relations adds the entity's relation fields, filters and inputs; types holds
// every entity of the API.
func (et *entityType) relations(types map[string]*entityType) {
	et.d.peers = types
	for _, r := range et.d.tb.Relations {
		target, ok := types[r.Entity]
		if !ok {
			continue
		}
		desc := r.Title
		if r.Kind == entity.ManyToOne {
			et.obj.AddFieldConfig(r.Name, &graphql.Field{Type: target.obj, Description: desc, Resolve: et.related(r, target)})
			et.filter[r.Name] = &graphql.InputObjectFieldConfig{Type: target.filterType, Description: "Records whose " + r.Name + " passes this filter."}
			et.input[r.Name] = &graphql.InputObjectFieldConfig{Type: graphql.ID, Description: "The id of a " + target.d.typ + " you may read."}
			continue
		}
		et.obj.AddFieldConfig(r.Name, &graphql.Field{Type: graphql.NewNonNull(target.conn), Description: desc,
			Args: graphql.FieldConfigArgument{
				"filter":  {Type: target.filterType},
				"orderBy": {Type: graphql.NewList(graphql.NewNonNull(target.order))},
				"first":   {Type: graphql.Int, DefaultValue: dataDefaultPage, Description: fmt.Sprintf("per record, at most %d", dataMaxPage)},
			}, Resolve: et.related(r, target)})
		et.filter[r.Name] = &graphql.InputObjectFieldConfig{Type: target.someFilter()}
		if r.Kind == entity.ManyToMany {
			et.input[r.Name] = &graphql.InputObjectFieldConfig{Type: linkInput}
		}
	}
}

// someFilter is the filter of a relation to many of this entity.
func (et *entityType) someFilter() *graphql.InputObject {
	if et.some == nil {
		et.some = graphql.NewInputObject(graphql.InputObjectConfig{Name: et.d.typ + "ListFilter",
			Description: "some: at least one related record passes; none: no related record passes.",
			Fields: graphql.InputObjectConfigFieldMap{
				"some": {Type: et.filterType},
				"none": {Type: et.filterType},
			}})
	}
	return et.some
}

// related resolves a relation field. It does not read: it notes the record's key
// in the request's loader and returns a thunk. graphql-go calls thunks breadth
// first, after every record of the level has noted its key, so the first thunk of
// a level reads for all of them in one statement and the others find their pages.
func (et *entityType) related(r entity.Relation, target *entityType) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		src := rec(p)
		key, ok := src["id"].(int64)
		if r.Kind == entity.ManyToOne {
			key, ok = src[r.Name].(int64)
		}
		if !ok {
			return nil, nil
		}
		b := loaderFrom(p.Context).batch(levelKey(p.Info.Path), key)
		return func() (any, error) {
			pg, err := b.page(key, func(keys []int64) (map[int64]entity.Page, error) { return et.load(p, r, target, keys) })
			if err != nil {
				panic(gqlerrors.NewErrorWithPath(err.Error(), graphql.FieldASTsToNodeASTs(p.Info.FieldASTs), "", nil, []int{}, p.Info.Path.AsArray(), et.d.g.toGQL(p.Context, err)))
			}
			if r.Kind == entity.ManyToOne {
				if len(pg.Records) == 0 {
					return nil, nil
				}
				return pg.Records[0], nil
			}
			return pg, nil
		}, nil
	}
}

// load reads one level of a relation for the keys of every record of the level,
// under the caller's scope of the related entity, as lists of it are.
func (et *entityType) load(p graphql.ResolveParams, r entity.Relation, target *entityType, keys []int64) (map[int64]entity.Page, error) {
	opts := entity.ListOptions{First: 1, RelatedScope: et.d.relatedScope(p.Context), Hidden: et.d.hidden(p.Context), Fields: selected(p, r.Kind != entity.ManyToOne)}
	if r.Kind != entity.ManyToOne {
		first, _ := p.Args["first"].(int)
		if first <= 0 || first > dataMaxPage {
			return nil, apierr.Invalid("invalid page", []apierr.FieldError{{Path: "/" + r.Name + "/first", Message: fmt.Sprintf("must be 1 to %d", dataMaxPage)}})
		}
		opts.First, opts.Count = first, selects(p, "totalCount")
		opts.Filter, _ = p.Args["filter"].(map[string]any)
		opts.OrderBy = orderArgs(p)
	}
	scope, none, err := target.d.scope(p.Context, "read")
	if err != nil {
		return nil, err
	}
	if none {
		return map[int64]entity.Page{}, nil
	}
	opts.Scope = scope
	return et.d.tb.Load(p.Context, et.d.g.svc.Store.DB, r.Name, keys, opts)
}

// relatedScope gives the conditions of the caller's reads of the API's other
// entities, for filters on relations.
func (d dataTable) relatedScope(ctx context.Context) entity.ScopeFunc {
	return func(name string) ([]entity.Cond, bool, error) {
		if et, ok := d.peers[name]; ok {
			return et.d.scope(ctx, "read")
		}
		for _, tb := range d.g.svc.Entities.Tables(d.t.Code, d.t.Path) {
			if tb.Name == name {
				return dataTable{g: d.g, t: d.t, tb: tb, typ: TypeName(name)}.scope(ctx, "read")
			}
		}
		return nil, true, nil
	}
}

// selected names the fields the query selects on the records of the field being
// resolved: on the field itself, or on its nodes when nodes is set (a connection);
// nil, meaning every field, when a fragment cannot be followed.
func selected(p graphql.ResolveParams, nodes bool) []string {
	var out []string
	ok := true
	var walk func(ss *ast.SelectionSet, conn bool)
	walk = func(ss *ast.SelectionSet, conn bool) {
		if ss == nil {
			return
		}
		for _, sel := range ss.Selections {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Name == nil {
					continue
				}
				if conn {
					if s.Name.Value == "nodes" {
						walk(s.SelectionSet, false)
					}
					continue
				}
				out = append(out, s.Name.Value)
			case *ast.InlineFragment:
				walk(s.SelectionSet, conn)
			case *ast.FragmentSpread:
				f, found := p.Info.Fragments[s.Name.Value].(*ast.FragmentDefinition)
				if !found {
					ok = false
					continue
				}
				walk(f.SelectionSet, conn)
			default:
				ok = false
			}
		}
	}
	for _, f := range p.Info.FieldASTs {
		walk(f.SelectionSet, nodes)
	}
	if !ok {
		return nil
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// levelKey names a level of a query: the response path without list indices.
func levelKey(path *graphql.ResponsePath) string {
	var parts []string
	for p := path; p != nil; p = p.Prev {
		if s, ok := p.Key.(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "<")
}

// loader batches the reads of relations within one request, and keeps what masks
// need to know for the request.
type loader struct {
	mu      sync.Mutex
	batches map[string]*batch
	classes map[[2]string]classSet // type, tenant
	unmask  map[[2]string]bool     // type, tenant
	hide    map[[3]string]bool     // type, API tenant, field
}

// masked is maskedValue for a record field of the data API, with the type's
// classification and the caller's unmask permission at the tenant looked up once
// per request rather than once per record and field.
func (l *loader) masked(ctx context.Context, g *Graph, typ, tenantCode, field, v string) (string, error) {
	l.mu.Lock()
	set, ok := l.classes[[2]string{typ, tenantCode}]
	l.mu.Unlock()
	if !ok {
		var err error
		if set, err = g.classesAt(ctx, typ, tenantCode); err != nil {
			return "", err
		}
		l.mu.Lock()
		l.classes[[2]string{typ, tenantCode}] = set
		l.mu.Unlock()
	}
	fc := set.of(typ, field)
	if fc.Level != "personal" && fc.Level != "sensitive" {
		return v, nil
	}
	l.mu.Lock()
	may, ok := l.unmask[[2]string{typ, tenantCode}]
	l.mu.Unlock()
	if !ok {
		may = g.allowed(ctx, tenantCode, typ, "unmask")
		l.mu.Lock()
		l.unmask[[2]string{typ, tenantCode}] = may
		l.mu.Unlock()
	}
	if may {
		return v, nil
	}
	return fc.Mask.Apply(v, g.maskKey), nil
}

func newLoader() *loader {
	return &loader{batches: map[string]*batch{}, classes: map[[2]string]classSet{}, unmask: map[[2]string]bool{}, hide: map[[3]string]bool{}}
}

// batch is one level of one relation: the keys noted, the pages read.
type batch struct {
	mu      sync.Mutex
	pending []int64
	noted   map[int64]bool
	pages   map[int64]entity.Page
	err     error
}

type loaderKey struct{}

// withLoader gives a request its loader.
func withLoader(ctx context.Context) context.Context {
	return context.WithValue(ctx, loaderKey{}, newLoader())
}

// loaderFrom is the request's loader; without one (a request not served by the data
// API's handlers) each relation reads alone.
func loaderFrom(ctx context.Context) *loader {
	if l, ok := ctx.Value(loaderKey{}).(*loader); ok {
		return l
	}
	return newLoader()
}

// batch notes key in the batch of level.
func (l *loader) batch(level string, key int64) *batch {
	l.mu.Lock()
	b, ok := l.batches[level]
	if !ok {
		b = &batch{noted: map[int64]bool{}, pages: map[int64]entity.Page{}}
		l.batches[level] = b
	}
	l.mu.Unlock()
	b.mu.Lock()
	if !b.noted[key] {
		b.noted[key] = true
		b.pending = append(b.pending, key)
	}
	b.mu.Unlock()
	return b
}

// page is key's page, reading every pending key with read when key's is not read
// yet (a record noted after the level was read, as in mutations, which graphql-go
// completes depth first).
func (b *batch) page(key int64, read func([]int64) (map[int64]entity.Page, error)) (entity.Page, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if pg, ok := b.pages[key]; ok {
		return pg, nil
	}
	if b.err != nil {
		return entity.Page{}, b.err
	}
	keys := b.pending
	b.pending = nil
	pages, err := read(keys)
	if err != nil {
		b.err = err
		return entity.Page{}, err
	}
	for _, k := range keys {
		pg, ok := pages[k]
		if !ok {
			pg.Records = []entity.Record{}
		}
		b.pages[k] = pg
	}
	return b.pages[key], nil
}
