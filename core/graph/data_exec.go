package graph

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/entity"
)

// The data API's own executor for reads (ADR 0020). It runs a compiled plan with the
// very resolvers graphql-go calls (dataTable.get and list, entityType.load, the
// loader's masks), one statement per nesting level, and writes the answer into one
// buffer in the bytes graphql-go's result encodes to. It answers only what it is sure
// to answer alike: a request its plan does not cover, variables it does not take as
// they are, and any error at all go to graphql-go's executor, whose errors are the
// API's.

// execData answers a read of a tenant's data API with the compiled plan of its
// operation: the answer, and ok when the plan answered.
func (g *Graph) execData(ctx context.Context, api *dataAPI, req Request) (answer []byte, ok bool) {
	if api.index == nil || api.plans == nil {
		return nil, false
	}
	defer func() {
		// A fault of the plan costs its answer, which graphql-go gives instead.
		if v := recover(); v != nil {
			g.log.ErrorContext(ctx, "data API executor panicked", slog.Any("panic", v), slog.String("query", req.Query))
			api.faults.Add(1)
			answer, ok = nil, false
		}
	}()
	doc, errs := g.prepareIn(&api.schema, api.docs, req.Query)
	if errs != nil {
		return nil, false
	}
	key := planKey(req.Query, req.OperationName)
	plan, cached := api.plans.get(key)
	if !cached {
		plan = compileDataPlan(&api.schema, api.index, doc, req.OperationName)
		api.plans.put(key, plan)
	}
	if plan == nil {
		return nil, false
	}
	vars, ok := variableValues(&api.schema, plan.op.VariableDefinitions, req.Variables)
	if !ok {
		return nil, false
	}
	r := dataRun{ctx: withLoader(ctx), g: g, vars: vars, frags: plan.frags, pages: map[*planNode]map[int64]entity.Page{}}
	return r.run(plan)
}

// DataAnswer answers req on a tenant's data API as the bearer of token (anonymous
// without one), after the caller's limits, with the bytes the endpoint writes:
// through graphql-go's executor when generic is set, else through the compiled plan
// when it answers (planned). The differential tests and benchmarks compare the two.
func (g *Graph) DataAnswer(ctx context.Context, token, tenantCode string, req Request, generic bool) (body []byte, planned bool, err error) {
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/data/"+tenantCode+"/graphql", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	ctx, _, err = g.authenticate(r)
	if err != nil {
		return nil, false, err
	}
	w := &bodyWriter{}
	planned = g.serveData(ctx, w, tenantCode, req, false, generic)
	return w.b, planned, nil
}

// serveData answers one data API request on w; it reports whether the plan answered.
func (g *Graph) serveData(ctx context.Context, w http.ResponseWriter, code string, req Request, readOnly, generic bool) bool {
	api, err := g.dataAPI(code)
	if err != nil {
		writeJSON(w, http.StatusNotFound, errorResponse(err))
		return false
	}
	if err := g.checkDataLimits(ctx, code, api, req); err != nil {
		writeJSON(w, http.StatusOK, errorResponse(err))
		return false
	}
	if !generic {
		if b, ok := g.execData(ctx, api, req); ok {
			api.planned.Add(1)
			writeBytes(w, b)
			if cap(b) <= 1<<20 {
				answerBuffers.Put(&b)
			}
			return true
		}
	}
	api.generic.Add(1)
	writeJSON(w, http.StatusOK, g.executeOn(withLoader(ctx), &api.schema, api.docs, req, readOnly))
	return false
}

// DataExecutorCounts are how many data API requests the compiled plans answered,
// how many graphql-go's executor did, and how many plans failed with a panic (and
// were answered by graphql-go), over the tenants' current schemas.
func (g *Graph) DataExecutorCounts() (planned, generic, faults uint64) {
	g.data.Range(func(_, v any) bool {
		api := v.(*dataAPI)
		planned += api.planned.Load()
		generic += api.generic.Load()
		faults += api.faults.Load()
		return true
	})
	return planned, generic, faults
}

// bodyWriter keeps what a handler writes.
type bodyWriter struct {
	h http.Header
	b []byte
}

func (w *bodyWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}
func (w *bodyWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *bodyWriter) WriteHeader(int)             {}

// answerBuffers hold answers being written, reused once sent.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// dataRun is one execution of a plan.
type dataRun struct {
	ctx   context.Context // with the request's loader
	g     *Graph
	vars  map[string]any
	frags map[string]ast.Definition
	// pages are each relation's pages by key, read one statement per level.
	pages map[*planNode]map[int64]entity.Page
	b     []byte
}

func (r *dataRun) params(n *planNode) graphql.ResolveParams {
	var args []*ast.Argument
	if len(n.asts) > 0 {
		args = n.asts[0].Arguments
	}
	return graphql.ResolveParams{Context: r.ctx, Args: argumentValues(n.def.Args, args, r.vars),
		Info: graphql.ResolveInfo{FieldName: n.def.Name, FieldASTs: n.asts, Fragments: r.frags, VariableValues: r.vars}}
}

func (r *dataRun) run(plan *dataPlan) ([]byte, bool) {
	values := make([]any, len(plan.fields))
	for i, n := range plan.fields {
		if n.typename != "" {
			continue
		}
		if requireCaller(r.ctx) != nil {
			return nil, false
		}
		c := CallerFrom(r.ctx)
		p := r.params(n)
		switch n.role.kind {
		case roleGet:
			v, err := n.role.et.d.get(p, c)
			rec, ok := v.(entity.Record)
			if err != nil || !ok || rec == nil {
				return nil, false
			}
			values[i] = rec
			if !r.loadRelations(n.rels, []entity.Record{rec}) {
				return nil, false
			}
		case roleList:
			v, err := n.role.et.d.list(p, c)
			pg, ok := v.(entity.Page)
			if err != nil || !ok {
				return nil, false
			}
			values[i] = pg
			if !r.loadRelations(n.rels, pg.Records) {
				return nil, false
			}
		case roleResolve:
			if n.def.Resolve == nil {
				return nil, false
			}
			v, err := n.def.Resolve(p)
			if err != nil {
				return nil, false
			}
			values[i] = v
		default:
			return nil, false
		}
	}
	r.b = append((*answerBuffers.Get().(*[]byte))[:0], `{"data":{`...)
	for i, n := range plan.fields {
		if i > 0 {
			r.b = append(r.b, ',')
		}
		r.b = append(r.b, n.key...)
		var ok bool
		switch {
		case n.typename != "":
			r.b, ok = appendJSONString(r.b, n.typename), true
		case n.role.kind == roleGet:
			ok = r.record(n, values[i].(entity.Record))
		case n.role.kind == roleResolve:
			ok = r.complete(n, values[i])
		default:
			ok = r.connection(n, values[i].(entity.Page))
		}
		if !ok {
			return nil, false
		}
	}
	r.b = append(r.b, "}}\n"...)
	return r.b, true
}

// loadRelations reads each relation below records, one statement per relation and
// level for the keys of every record of the level, as the loader batches them for
// graphql-go.
func (r *dataRun) loadRelations(rels []*planNode, recs []entity.Record) bool {
	for _, n := range rels {
		keys := make([]int64, 0, len(recs))
		seen := make(map[int64]bool, len(recs))
		for _, rec := range recs {
			k, ok := relationKey(n, rec)
			if ok && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		pages := map[int64]entity.Page{}
		if len(keys) > 0 {
			var err error
			pages, err = n.role.src.load(r.params(n), n.role.rel, n.role.et, keys)
			if err != nil {
				return false
			}
		}
		r.pages[n] = pages
		if len(n.rels) == 0 {
			continue
		}
		var below []entity.Record
		for _, k := range keys {
			below = append(below, pages[k].Records...)
		}
		if !r.loadRelations(n.rels, below) {
			return false
		}
	}
	return true
}

// relationKey is the key a record reads a relation by: its id, or for a relation to
// one record the id it holds.
func relationKey(n *planNode, rec entity.Record) (int64, bool) {
	if n.role.rel.Kind == entity.ManyToOne {
		k, ok := rec[n.role.rel.Name].(int64)
		return k, ok
	}
	k, ok := rec["id"].(int64)
	return k, ok
}

// record writes one record with the fields of n.
func (r *dataRun) record(n *planNode, rec entity.Record) bool {
	return r.object(n, func(s *planNode) bool {
		switch s.role.kind {
		case roleID:
			id, isInt := rec["id"].(int64)
			if !isInt {
				return false
			}
			r.b = append(r.b, '"')
			r.b = strconv.AppendInt(r.b, id, 10)
			r.b = append(r.b, '"')
			return true
		case roleColumn:
			return r.leaf(s, rec[s.def.Name])
		case roleField:
			// The field's own resolver masks it (with the request's loader).
			v, err := s.def.Resolve(graphql.ResolveParams{Source: rec, Context: r.ctx})
			return err == nil && r.leaf(s, v)
		case roleManyToOne:
			k, has := relationKey(s, rec)
			pg := r.pages[s][k]
			if !has || len(pg.Records) == 0 {
				return r.null(false)
			}
			return r.record(s, pg.Records[0])
		case roleToMany:
			k, has := relationKey(s, rec)
			if !has {
				return false
			}
			pg, found := r.pages[s][k]
			if !found {
				pg.Records = []entity.Record{}
			}
			return r.connection(s, pg)
		}
		return false
	})
}

// object writes {"key":value,…} for the fields of n, in the plan's key order:
// __typename itself, every other field through value. It reports false (the plan
// does not answer) as soon as value does.
func (r *dataRun) object(n *planNode, value func(s *planNode) bool) bool {
	r.b = append(r.b, '{')
	for i, s := range n.sub {
		if i > 0 {
			r.b = append(r.b, ',')
		}
		r.b = append(r.b, s.key...)
		if s.typename != "" {
			r.b = appendJSONString(r.b, s.typename)
			continue
		}
		if !value(s) {
			return false
		}
	}
	r.b = append(r.b, '}')
	return true
}

// null writes the null of a null-ish value; in a non-null position that is an error
// graphql-go reports, so it reports false and the plan does not answer.
func (r *dataRun) null(nonNull bool) bool {
	if nonNull {
		return false
	}
	r.b = append(r.b, "null"...)
	return true
}

// connection writes a page as the connection fields of n.
func (r *dataRun) connection(n *planNode, pg entity.Page) bool {
	return r.object(n, func(s *planNode) bool {
		switch s.role.kind {
		case roleTotal:
			return r.leaf(s, pg.Total)
		case roleNodes:
			r.b = append(r.b, '[')
			for j, rec := range pg.Records {
				if j > 0 {
					r.b = append(r.b, ',')
				}
				if !r.record(s, rec) {
					return false
				}
			}
			r.b = append(r.b, ']')
			return true
		case rolePageInfo:
			return r.object(s, func(t *planNode) bool {
				switch t.role.kind {
				case roleHasNext:
					return r.leaf(t, pg.HasNext)
				case roleEndCursor:
					return r.leaf(t, pg.Cursor)
				}
				return false
			})
		}
		return false
	})
}

// complete writes the value a roleResolve field's resolver returned, as graphql-go
// completes it: a list item by item, an object field by field through the fields'
// resolvers (a map's entry where a field has none), a scalar serialized.
func (r *dataRun) complete(n *planNode, v any) bool {
	if !n.list {
		return r.completeItem(n, v, n.nonNull)
	}
	if treatedAsNull(v) {
		return r.null(n.nonNull)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return false
	}
	r.b = append(r.b, '[')
	for i := range rv.Len() {
		if i > 0 {
			r.b = append(r.b, ',')
		}
		if !r.completeItem(n, rv.Index(i).Interface(), n.itemNonNull) {
			return false
		}
	}
	r.b = append(r.b, ']')
	return true
}

func (r *dataRun) completeItem(n *planNode, v any, nonNull bool) bool {
	if _, thunk := v.(func() (any, error)); thunk {
		return false
	}
	if n.scalar != nil {
		return r.scalar(n.scalar, v, nonNull)
	}
	if treatedAsNull(v) {
		return r.null(nonNull)
	}
	return r.object(n, func(s *planNode) bool {
		var fv any
		if s.def.Resolve != nil {
			p := r.params(s)
			p.Source = v
			var err error
			if fv, err = s.def.Resolve(p); err != nil {
				return false
			}
		} else {
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			fv = m[s.def.Name]
		}
		return r.complete(s, fv)
	})
}

// leaf writes a scalar as graphql-go completes it: null for a null-ish value, else
// the scalar's serialization; a null in a non-null field is an error graphql-go
// reports, so the plan does not answer.
func (r *dataRun) leaf(n *planNode, v any) bool {
	switch x := v.(type) {
	case string:
		if n.scalar == graphql.String {
			r.b = appendJSONString(r.b, x)
			return true
		}
	case int64:
		if n.scalar == graphql.Int && x >= math.MinInt32 && x <= math.MaxInt32 {
			r.b = strconv.AppendInt(r.b, x, 10)
			return true
		}
	case bool:
		if n.scalar == graphql.Boolean {
			r.b = strconv.AppendBool(r.b, x)
			return true
		}
	}
	return r.scalar(n.scalar, v, n.nonNull)
}

// scalar writes v as sc serializes it, null for a null-ish value or serialization.
func (r *dataRun) scalar(sc *graphql.Scalar, v any, nonNull bool) bool {
	if treatedAsNull(v) {
		return r.null(nonNull)
	}
	s := sc.Serialize(v)
	if treatedAsNull(s) {
		return r.null(nonNull)
	}
	var ok bool
	r.b, ok = appendJSONValue(r.b, s)
	return ok
}
