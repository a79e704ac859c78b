package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/policy"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/tenant"
)

// Page sizes of the data API.
const (
	dataDefaultPage = 50
	dataMaxPage     = 500
)

// dataAPI is one tenant's data API: a schema built from the entities seen there,
// rebuilt when an entity schema changes, and its parsed queries.
type dataAPI struct {
	gen    uint64
	schema graphql.Schema
	docs   *lru[prepared]
	// index and plans serve reads through the API's own executor (data_exec.go).
	index                    *dataIndex
	plans                    *lru[*dataPlan]
	planned, generic, faults atomic.Uint64
}

// DataHandler serves each tenant's data API at /data/{tenant}/graphql: for every
// entity published at the tenant or above it, get, list (filter, order, page,
// totalCount), create, update, delete and restore, through RBAC, the tenant subtree,
// rows policies and masks.
func (g *Graph) DataHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("tenant")
		g.serve(w, r, func(ctx context.Context, w http.ResponseWriter, req Request, readOnly bool) {
			g.serveData(ctx, w, code, req, readOnly, false)
		})
	})
}

// DoData runs one request on a tenant's data API as the caller in ctx.
func (g *Graph) DoData(ctx context.Context, tenantCode string, req Request) (*graphql.Result, error) {
	api, err := g.dataAPI(tenantCode)
	if err != nil {
		return nil, err
	}
	if err := g.checkDataLimits(ctx, tenantCode, api, req); err != nil {
		return nil, err
	}
	return g.executeOn(withLoader(ctx), &api.schema, api.docs, req, false), nil
}

func (g *Graph) dataAPI(code string) (*dataAPI, error) {
	t, ok := g.svc.Tenants.Get(code)
	if !ok || g.svc.Entities == nil {
		return nil, apierr.New(apierr.NotFound, "no tenant with code %q", code)
	}
	gen := g.svc.Entities.Generation()
	if g.svc.TenantFieldsGeneration != nil {
		gen += g.svc.TenantFieldsGeneration() // both only grow: the sum changes when either does
	}
	if v, ok := g.data.Load(code); ok && v.(*dataAPI).gen == gen {
		return v.(*dataAPI), nil
	}
	schema, index, err := g.buildDataSchema(t)
	if err != nil {
		return nil, err
	}
	api := &dataAPI{gen: gen, schema: schema, docs: newLRU[prepared](g.limits.CacheSize), index: index, plans: newLRU[*dataPlan](g.limits.CacheSize)}
	g.data.Store(code, api)
	return api, nil
}

// TypeName is the GraphQL type, the RBAC resource and the rows-policy target of an
// entity: enterprise → Enterprise.
func TypeName(entityName string) string {
	return strings.ToUpper(entityName[:1]) + entityName[1:]
}

func plural(name string) string {
	switch {
	case strings.HasSuffix(name, "y"):
		return name[:len(name)-1] + "ies"
	case strings.HasSuffix(name, "s"), strings.HasSuffix(name, "x"), strings.HasSuffix(name, "ch"), strings.HasSuffix(name, "sh"):
		return name + "es"
	}
	return name + "s"
}

var (
	operatorDocs = "eq, ne, in, lt, lte, gt, gte compare; contains and startsWith match text; isNull tests absence."
	dataFilters  = map[graphql.Type]*graphql.InputObject{}
)

func init() {
	for _, s := range []*graphql.Scalar{graphql.String, graphql.Int, graphql.Float, graphql.Boolean} {
		fields := graphql.InputObjectConfigFieldMap{"isNull": {Type: graphql.Boolean}}
		for _, op := range []string{"eq", "ne", "lt", "lte", "gt", "gte"} {
			fields[op] = &graphql.InputObjectFieldConfig{Type: s}
		}
		fields["in"] = &graphql.InputObjectFieldConfig{Type: graphql.NewList(graphql.NewNonNull(s))}
		if s == graphql.String {
			fields["contains"] = &graphql.InputObjectFieldConfig{Type: graphql.String}
			fields["startsWith"] = &graphql.InputObjectFieldConfig{Type: graphql.String}
		}
		dataFilters[s] = graphql.NewInputObject(graphql.InputObjectConfig{Name: s.Name() + "Filter", Fields: fields, Description: operatorDocs})
	}
}

func scalarOf(typ string) *graphql.Scalar {
	switch typ {
	case entity.TypeInteger:
		return graphql.Int
	case entity.TypeDecimal:
		return graphql.Float
	case entity.TypeBoolean:
		return graphql.Boolean
	}
	return graphql.String
}

func (g *Graph) buildDataSchema(t tenant.Tenant) (graphql.Schema, *dataIndex, error) {
	tables := g.svc.Entities.Tables(t.Code, t.Path)
	names := make([]string, len(tables))
	for i, tb := range tables {
		names[i] = tb.Name
	}
	query := graphql.Fields{"_entities": {
		Type:        graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(graphql.String))),
		Description: "The entities published at this tenant or above it.",
		Resolve:     func(graphql.ResolveParams) (any, error) { return names, nil },
	}}
	outside := map[string]bool{}
	if g.svc.TenantFields != nil {
		for name, f := range g.svc.TenantFields(context.Background(), t.Code) {
			query[name] = f
			outside[name] = true
		}
	}
	mutation := graphql.Fields{}
	pageInfo := graphql.NewObject(graphql.ObjectConfig{Name: "PageInfo", Fields: graphql.Fields{
		"hasNextPage": {Type: graphql.NewNonNull(graphql.Boolean)},
		"endCursor":   {Type: graphql.String},
	}})
	defer forgetEntityTypes(pageInfo)
	// Types first, for relations refer to each other's.
	types := map[string]*entityType{}
	for _, tb := range tables {
		types[tb.Name] = g.entityTypes(t, tb, pageInfo)
	}
	for _, tb := range tables {
		types[tb.Name].relations(types)
	}
	for _, tb := range tables {
		types[tb.Name].operations(query, mutation)
	}
	older := g.versionTypes(t, pageInfo, types, query, mutation)
	cfg := graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: query})}
	if len(mutation) > 0 {
		cfg.Mutation = graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: mutation})
	}
	cfg.Subscription = g.subscriptionType(types, older)
	s, err := graphql.NewSchema(cfg)
	if err != nil {
		return s, nil, fmt.Errorf("graph: data schema of %s: %w", t.Code, err)
	}
	return s, indexDataSchema(&s, builtEntityTypes(pageInfo), outside), nil
}

// entityType is one entity's GraphQL types in one tenant's data API.
type entityType struct {
	d          *dataTable
	obj        *graphql.Object
	filter     graphql.InputObjectConfigFieldMap
	filterType *graphql.InputObject
	input      graphql.InputObjectConfigFieldMap
	inputType  *graphql.InputObject
	order      *graphql.InputObject
	conn       *graphql.Object
	// some is the {some, none} filter of lists of this entity, made when asked for.
	some *graphql.InputObject
}

// entityTypes makes one entity's object, filter, input, order and connection types.
func (g *Graph) entityTypes(t tenant.Tenant, tb entity.Table, pageInfo *graphql.Object) *entityType {
	typ := typeName(tb)
	str := graphql.NewNonNull(graphql.String)
	fields := graphql.Fields{
		"id":        {Type: graphql.NewNonNull(graphql.ID), Resolve: func(p graphql.ResolveParams) (any, error) { return strconv.FormatInt(rec(p)["id"].(int64), 10), nil }},
		"tenant":    {Type: str, Resolve: recField("tenant")},
		"createdAt": {Type: str, Resolve: recField("createdAt")},
		"updatedAt": {Type: str, Resolve: recField("updatedAt")},
		"createdBy": {Type: str, Resolve: recField("createdBy")},
		"updatedBy": {Type: str, Resolve: recField("updatedBy")},
		"deletedAt": {Type: graphql.String, Resolve: recField("deletedAt")},
		"version":   {Type: graphql.NewNonNull(graphql.Int), Resolve: recField("version")},
	}
	et := &entityType{d: &dataTable{g: g, t: t, tb: tb, typ: TypeName(tb.Name)}, filter: graphql.InputObjectConfigFieldMap{}, input: graphql.InputObjectConfigFieldMap{}}
	enum := graphql.EnumValueConfigMap{}
	for _, s := range []string{"id", "createdAt", "updatedAt"} {
		enum[s] = &graphql.EnumValueConfig{Value: s}
	}
	for _, f := range tb.Fields {
		sc := scalarOf(f.Type)
		fields[f.Name] = &graphql.Field{Type: sc, Description: f.Title, Resolve: g.maskedField(et.d.typ, f)}
		et.filter[f.Name] = &graphql.InputObjectFieldConfig{Type: dataFilters[sc]}
		et.input[f.Name] = &graphql.InputObjectFieldConfig{Type: sc, Description: f.Description}
		enum[f.Name] = &graphql.EnumValueConfig{Value: f.Name}
	}
	et.filter["createdAt"] = &graphql.InputObjectFieldConfig{Type: dataFilters[graphql.String]}
	et.filter["updatedAt"] = &graphql.InputObjectFieldConfig{Type: dataFilters[graphql.String]}
	et.obj = graphql.NewObject(graphql.ObjectConfig{Name: typ, Fields: fields})
	et.filterType = graphql.NewInputObject(graphql.InputObjectConfig{Name: typ + "Filter", Fields: graphql.InputObjectConfigFieldMapThunk(func() graphql.InputObjectConfigFieldMap {
		et.filter["and"] = &graphql.InputObjectFieldConfig{Type: graphql.NewList(graphql.NewNonNull(et.filterType))}
		et.filter["or"] = &graphql.InputObjectFieldConfig{Type: graphql.NewList(graphql.NewNonNull(et.filterType))}
		et.filter["not"] = &graphql.InputObjectFieldConfig{Type: et.filterType}
		return et.filter
	})})
	et.order = graphql.NewInputObject(graphql.InputObjectConfig{Name: typ + "Order", Fields: graphql.InputObjectConfigFieldMap{
		"field": {Type: graphql.NewNonNull(graphql.NewEnum(graphql.EnumConfig{Name: typ + "Field", Values: enum}))},
		"desc":  {Type: graphql.Boolean},
	}})
	et.inputType = graphql.NewInputObject(graphql.InputObjectConfig{Name: typ + "Input", Fields: et.input})
	et.conn = graphql.NewObject(graphql.ObjectConfig{Name: typ + "Connection", Fields: graphql.Fields{
		"totalCount": {Type: graphql.NewNonNull(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(entity.Page).Total, nil }},
		"nodes": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(et.obj))), Resolve: func(p graphql.ResolveParams) (any, error) {
			return p.Source.(entity.Page).Records, nil
		}},
		"pageInfo": {Type: graphql.NewNonNull(pageInfo), Resolve: func(p graphql.ResolveParams) (any, error) {
			pg := p.Source.(entity.Page)
			return map[string]any{"hasNextPage": pg.HasNext, "endCursor": pg.Cursor}, nil
		}},
	}})
	noteEntityType(pageInfo, et)
	return et
}

// operations adds the entity's queries and mutations.
func (et *entityType) operations(query, mutation graphql.Fields) {
	d, g, typ := et.d, et.d.g, et.obj.Name()
	one, many := rootNames(et.d.tb)
	query[one] = &graphql.Field{Type: et.obj, Description: "One " + typ + " by id.",
		Args: graphql.FieldConfigArgument{"id": {Type: graphql.NewNonNull(graphql.ID)}}, Resolve: g.authed(d.get)}
	query[many] = &graphql.Field{Type: graphql.NewNonNull(et.conn), Description: "A page of " + typ + " records.",
		Args: graphql.FieldConfigArgument{
			"filter":  {Type: et.filterType},
			"orderBy": {Type: graphql.NewList(graphql.NewNonNull(et.order))},
			"first":   {Type: graphql.Int, DefaultValue: dataDefaultPage, Description: fmt.Sprintf("at most %d", dataMaxPage)},
			"after":   {Type: graphql.String},
			"deleted": {Type: graphql.Boolean, Description: "List deleted records instead (needs delete permission)."},
		}, Resolve: g.authed(d.list)}
	et.aggregate(query)
	et.history(query)
	id := graphql.NewNonNull(graphql.ID)
	mutation["create"+typ] = &graphql.Field{Type: graphql.NewNonNull(et.obj),
		Args:    graphql.FieldConfigArgument{"input": {Type: graphql.NewNonNull(et.inputType)}, "tenant": {Type: graphql.String, Description: "Where the record belongs; default: this API's tenant."}},
		Resolve: g.authed(d.create)}
	mutation["update"+typ] = &graphql.Field{Type: graphql.NewNonNull(et.obj),
		Args:    graphql.FieldConfigArgument{"id": {Type: id}, "input": {Type: graphql.NewNonNull(et.inputType)}, "version": {Type: graphql.Int, Description: "The version read; a newer one is a CONFLICT."}},
		Resolve: g.authed(d.update)}
	mutation["delete"+typ] = &graphql.Field{Type: graphql.NewNonNull(graphql.Boolean), Description: "Soft delete; restore" + typ + " brings it back. A record other live records point at is a CONFLICT.",
		Args: graphql.FieldConfigArgument{"id": {Type: id}}, Resolve: g.authed(d.delete)}
	mutation["restore"+typ] = &graphql.Field{Type: graphql.NewNonNull(et.obj),
		Args: graphql.FieldConfigArgument{"id": {Type: id}}, Resolve: g.authed(d.restore)}
}

func rec(p graphql.ResolveParams) entity.Record { return p.Source.(entity.Record) }

func recField(name string) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return rec(p)[name], nil }
}

// maskedField masks a string field classified personal or sensitive (Classification
// named after the type) unless the caller may unmask the type at the record's tenant.
// The classification and the unmask decision are looked up once per request.
func (g *Graph) maskedField(typ string, f entity.Field) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		r := rec(p)
		s, ok := r[f.Name].(string)
		if !ok || s == "" {
			return r[f.Name], nil
		}
		return loaderFrom(p.Context).masked(p.Context, g, typ, r["tenant"].(string), storedName(f), s)
	}
}

// dataTable resolves one entity's fields at one tenant's API.
type dataTable struct {
	g   *Graph
	t   tenant.Tenant
	tb  entity.Table
	typ string
	// peers are the API's entities by name, for relations (nil outside GraphQL).
	peers map[string]*entityType
}

// scope is the SQL that limits rows to what the caller may do action on: inside this
// API's tenant, inside the subtrees where they hold the permission, and allowed by
// the rows policies on the type.
func (d dataTable) scope(ctx context.Context, action string) ([]entity.Cond, bool, error) {
	sub := Subject(CallerFrom(ctx).Principal)
	roots := d.g.svc.Authz.TenantsWithPermission(sub, d.typ, action)
	var paths []string
	for _, code := range roots {
		rt, ok := d.g.svc.Tenants.Get(code)
		switch {
		case !ok:
		case strings.HasPrefix(rt.Path, d.t.Path):
			paths = append(paths, rt.Path)
		case strings.HasPrefix(d.t.Path, rt.Path):
			paths = append(paths, d.t.Path)
		}
	}
	if len(paths) == 0 {
		return nil, true, nil
	}
	frag, args := d.subtrees(paths)
	conds := []entity.Cond{{SQL: frag, Args: args}}
	cols := map[string]string{"tenant": `"tenant"`, "path": `"tenant_path"`}
	notNull := map[string]bool{"tenant": true, "path": true}
	for _, f := range d.tb.Stored() {
		cols[f.Name] = `"` + f.Column + `"`
	}
	table := policy.Table{Dialect: d.g.dialect, Columns: cols, NotNull: notNull}
	extra, none, err := d.g.policyConds(ctx, d.typ, "tenant_path", table, policySubject(sub, roots), paths)
	if err != nil || none {
		return nil, none, err
	}
	return append(conds, extra...), false, nil
}

// subtrees limits rows to the subtrees at paths. On SQLite, which keeps no
// statistics of ranges, each bound is marked likely true: otherwise the planner
// takes the tenant_path index for any subtree and sorts every row of it to answer
// "ORDER BY id LIMIT n" (a 100,000-row sort for 20 rows); marked, it walks the
// table in id order and stops after n matches, which costs more only when the
// subtree holds a small share of a large table. PostgreSQL plans from its
// statistics.
//
// On PostgreSQL the bounds are literals, not parameters: the driver prepares each
// statement and, after five runs, PostgreSQL may plan it once for any parameters,
// estimating a range as a small share of the table; a subtree holding all of a
// 1,000,000-row table then comes through its tenant_path index (213 ms for a page of
// 20 in BenchmarkEntityList1M). Literal bounds are planned from the statistics.
// Paths are made of tenant codes, never of input, and few: so are the texts.
func (d dataTable) subtrees(paths []string) (string, []any) {
	if d.g.dialect == entity.Postgres {
		parts := make([]string, len(paths))
		for i, p := range paths {
			parts[i] = "(tenant_path >= " + sqlString(p) + " AND tenant_path < " + sqlString(upper(p)) + ")"
		}
		return strings.Join(parts, " OR "), nil
	}
	parts := make([]string, len(paths))
	args := make([]any, 0, 2*len(paths))
	for i, p := range paths {
		parts[i] = "(likelihood(tenant_path >= ?, 0.9) AND likelihood(tenant_path < ?, 0.9))"
		args = append(args, p, upper(p))
	}
	return strings.Join(parts, " OR "), args
}

// sqlString is s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func parseID(p graphql.ResolveParams) (int64, error) {
	s, _ := p.Args["id"].(string)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apierr.Invalid("invalid id", []apierr.FieldError{{Path: "/id", Message: "must be a record id, a positive whole number"}})
	}
	return id, nil
}

func (d dataTable) get(p graphql.ResolveParams, _ *Caller) (any, error) {
	_, r, err := d.readable(p, false)
	return r, err
}

// readable reads the record named by the id argument if the caller may read it
// here (deleted ones too with withDeleted), else NOT_FOUND.
func (d dataTable) readable(p graphql.ResolveParams, withDeleted bool) (int64, entity.Record, error) {
	id, err := parseID(p)
	if err != nil {
		return 0, nil, err
	}
	scope, none, err := d.scope(p.Context, "read")
	if err != nil {
		return 0, nil, err
	}
	if none {
		return 0, nil, apierr.New(apierr.NotFound, "no %s with id %d here", d.typ, id)
	}
	r, err := d.tb.Get(p.Context, d.g.svc.Store.DB, id, scope, withDeleted)
	return id, r, err
}

// orderArgs reads the orderBy argument.
func orderArgs(p graphql.ResolveParams) []entity.Order {
	var out []entity.Order
	if list, ok := p.Args["orderBy"].([]any); ok {
		for _, o := range list {
			m, _ := o.(map[string]any)
			field, _ := m["field"].(string)
			desc, _ := m["desc"].(bool)
			out = append(out, entity.Order{Field: field, Desc: desc})
		}
	}
	return out
}

func (d dataTable) list(p graphql.ResolveParams, _ *Caller) (any, error) {
	first, _ := p.Args["first"].(int)
	if first <= 0 || first > dataMaxPage {
		return nil, apierr.Invalid("invalid page", []apierr.FieldError{{Path: "/first", Message: fmt.Sprintf("must be 1 to %d", dataMaxPage)}})
	}
	offset := 0
	if after, _ := p.Args["after"].(string); after != "" {
		b, err := base64.RawURLEncoding.DecodeString(after)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "o:") || n < 0 {
			return nil, apierr.Invalid("invalid cursor", []apierr.FieldError{{Path: "/after", Message: "is not a cursor this API gave"}})
		}
		offset = n
	}
	action := "read"
	deleted, _ := p.Args["deleted"].(bool)
	if deleted {
		action = "delete"
	}
	scope, none, err := d.scope(p.Context, action)
	if err != nil {
		return nil, err
	}
	if none {
		return entity.Page{}, nil
	}
	opts := entity.ListOptions{Scope: scope, First: first, Offset: offset, Count: selects(p, "totalCount"), Deleted: deleted,
		OrderBy: orderArgs(p), RelatedScope: d.relatedScope(p.Context), Hidden: d.hidden(p.Context), Fields: selected(p, true)}
	opts.Filter, _ = p.Args["filter"].(map[string]any)
	page, err := d.tb.List(p.Context, d.g.svc.Store.DB, opts)
	if err != nil {
		return nil, err
	}
	if page.HasNext {
		page.Cursor = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset+len(page.Records))))
	}
	return page, nil
}

// write runs fn in a transaction that also records the audit entry.
func (d dataTable) write(ctx context.Context, op, tenantCode string, fn func(tx *ent.Tx) (entity.Record, error)) (entity.Record, error) {
	var out entity.Record
	err := d.g.svc.Store.Tx(ctx, func(tx *ent.Tx) error {
		r, err := fn(tx)
		if err != nil {
			return err
		}
		out = r
		if r != nil {
			tenantCode = r["tenant"].(string)
		}
		target := d.typ
		if r != nil {
			target += "/" + strconv.FormatInt(r["id"].(int64), 10)
		}
		if err := d.emitChange(ctx, tx, op, r); err != nil {
			return err
		}
		if err := d.keepVersion(ctx, tx, op, r); err != nil {
			return err
		}
		return d.g.svc.Audit.Append(ctx, tx, audit.Entry{Time: time.Now(), Actor: CallerFrom(ctx).Principal.Username,
			Action: "record." + op, Tenant: tenantCode, Target: target, Outcome: "ok"})
	})
	return out, err
}

func (d dataTable) create(p graphql.ResolveParams, c *Caller) (any, error) {
	code, _ := p.Args["tenant"].(string)
	if code == "" {
		code = d.t.Code
	}
	at, ok := d.g.svc.Tenants.Get(code)
	if !ok || !strings.HasPrefix(at.Path, d.t.Path) {
		return nil, apierr.Invalid("invalid tenant", []apierr.FieldError{{Path: "/tenant", Message: fmt.Sprintf("must be %s or a tenant below it", d.t.Code)}})
	}
	if err := d.g.Authorize(p.Context, code, d.typ, "write"); err != nil {
		return nil, err
	}
	in, _ := p.Args["input"].(map[string]any)
	return d.write(p.Context, "create", code, func(tx *ent.Tx) (entity.Record, error) {
		if err := d.tb.CheckRefs(p.Context, tx, in, d.relatedScope(p.Context)); err != nil {
			return nil, err
		}
		return d.tb.Insert(p.Context, tx, code, at.Path, c.Principal.Username, in)
	})
}

// located reads a record the caller may read and checks action at its tenant; it
// returns the conditions that keep a write to the rows the caller may act on.
func (d dataTable) located(p graphql.ResolveParams, action string, deleted bool) (int64, []entity.Cond, error) {
	id, err := parseID(p)
	if err != nil {
		return 0, nil, err
	}
	scope, none, err := d.scope(p.Context, action)
	if err != nil {
		return 0, nil, err
	}
	if none {
		return 0, nil, d.g.Authorize(p.Context, d.t.Code, d.typ, action)
	}
	r, err := d.tb.Get(p.Context, d.g.svc.Store.DB, id, nil, true)
	if err != nil {
		return 0, nil, err
	}
	if (r["deletedAt"] != nil) != deleted {
		return 0, nil, apierr.New(apierr.NotFound, "no %s with id %d here", d.typ, id)
	}
	if err := d.g.Authorize(p.Context, r["tenant"].(string), d.typ, action); err != nil {
		return 0, nil, err
	}
	return id, scope, nil
}

func (d dataTable) update(p graphql.ResolveParams, c *Caller) (any, error) {
	id, scope, err := d.located(p, "write", false)
	if err != nil {
		return nil, err
	}
	version, _ := p.Args["version"].(int)
	in, _ := p.Args["input"].(map[string]any)
	return d.write(p.Context, "update", "", func(tx *ent.Tx) (entity.Record, error) {
		if err := d.tb.CheckRefs(p.Context, tx, in, d.relatedScope(p.Context)); err != nil {
			return nil, err
		}
		return d.tb.Update(p.Context, tx, id, int64(version), c.Principal.Username, in, scope)
	})
}

func (d dataTable) delete(p graphql.ResolveParams, c *Caller) (any, error) {
	id, scope, err := d.located(p, "delete", false)
	if err != nil {
		return nil, err
	}
	_, err = d.write(p.Context, "delete", d.t.Code, func(tx *ent.Tx) (entity.Record, error) {
		if err := d.tb.Delete(p.Context, tx, id, c.Principal.Username, scope); err != nil {
			return nil, err
		}
		return d.tb.Get(p.Context, tx, id, nil, true)
	})
	return err == nil, err
}

func (d dataTable) restore(p graphql.ResolveParams, c *Caller) (any, error) {
	id, scope, err := d.located(p, "delete", true)
	if err != nil {
		return nil, err
	}
	return d.write(p.Context, "restore", "", func(tx *ent.Tx) (entity.Record, error) {
		return d.tb.Restore(p.Context, tx, id, c.Principal.Username, scope)
	})
}
