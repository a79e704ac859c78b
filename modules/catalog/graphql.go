package catalog

import (
	"context"
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/graph"
)

var (
	nn   = graphql.NewNonNull
	gstr = graphql.String
)

// guard checks that the caller may do action on the area at tenant and that the
// module runs there.
func (c *Catalog) guard(ctx context.Context, tenantCode, on, action string) error {
	if err := c.host.Authorize(ctx, tenantCode, on, action); err != nil {
		return err
	}
	on2, err := c.host.Enabled(ctx, tenantCode)
	if err != nil {
		return err
	}
	if !on2 {
		return apierr.New(apierr.NotFound, "the catalog module is not enabled at tenant %s", tenantCode)
	}
	return nil
}

func actor(ctx context.Context) string { return graph.CallerFrom(ctx).Principal.Username }

func implField(fn func(Implementation) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(Implementation)), nil }
}

func (c *Catalog) implementationType() *graphql.Object {
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "ServiceImplementation",
		Description: "An entry of an implementation list (实施清单) as stored at a tenant, with its effective values.",
		Fields: graphql.Fields{
			"tenant":             {Type: nn(gstr), Resolve: implField(func(i Implementation) any { return i.Tenant })},
			"code":               {Type: nn(gstr), Description: "基本编码", Resolve: implField(func(i Implementation) any { return i.Code })},
			"implementationCode": {Type: nn(gstr), Description: "实施编码", Resolve: implField(func(i Implementation) any { return i.ImplementationCode })},
			"name":               {Type: nn(gstr), Resolve: implField(func(i Implementation) any { return i.Name })},
			"type":               {Type: nn(gstr), Resolve: implField(func(i Implementation) any { return i.Type })},
			"category":           {Type: nn(gstr), Resolve: implField(func(i Implementation) any { return i.Category })},
			"department":         {Type: nn(gstr), Resolve: implField(func(i Implementation) any { return i.Department })},
			"implementingBody":   {Type: nn(gstr), Resolve: implField(func(i Implementation) any { return i.Body })},
			"status":             {Type: nn(gstr), Description: "active or retired", Resolve: implField(func(i Implementation) any { return i.Status })},
			"visits":             {Type: nn(graphql.Int), Description: "到现场次数; 0 = 不见面", Resolve: implField(func(i Implementation) any { return i.Visits })},
			"online":             {Type: nn(graphql.Boolean), Description: "fully online: no visit and an online address", Resolve: implField(func(i Implementation) any { return i.Online })},
			"statutoryDays":      {Type: nn(graphql.Int), Resolve: implField(func(i Implementation) any { return i.StatutoryDays })},
			"promisedDays":       {Type: nn(graphql.Int), Resolve: implField(func(i Implementation) any { return i.PromisedDays })},
			"processing":         {Type: nn(gstr), Description: "immediate (即办件) or promised (承诺件)", Resolve: implField(func(i Implementation) any { return i.Processing })},
			"spec": {Type: graph.JSON, Description: "The effective spec: the item's fields merged with every tier's implementation layers.",
				Resolve: func(p graphql.ResolveParams) (any, error) {
					i := p.Source.(Implementation)
					eff, err := c.res.Effective(p.Context, KindImplementation, i.Tenant, i.Code)
					return eff.Spec, err
				}},
			"locks": {Type: nn(graphql.NewList(nn(gstr))), Description: "Locked fields as \"/pointer by tenant\".",
				Resolve: func(p graphql.ResolveParams) (any, error) {
					i := p.Source.(Implementation)
					return c.locksOf(p.Context, KindImplementation, i.Tenant, i.Code)
				}},
			"guide": {Type: nn(gstr), Description: "The service guide (办事指南) as printable HTML in Chinese.",
				Resolve: func(p graphql.ResolveParams) (any, error) {
					i := p.Source.(Implementation)
					return c.Guide(p.Context, i.Tenant, i.Code)
				}},
		},
	})
}

func connectionType(name string, node *graphql.Object) *graphql.Object {
	pageInfo := graphql.NewObject(graphql.ObjectConfig{Name: name + "PageInfo", Fields: graphql.Fields{
		"hasNextPage": {Type: nn(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(Page).HasNext, nil }},
		"endCursor": {Type: gstr, Resolve: func(p graphql.ResolveParams) (any, error) {
			if c := p.Source.(Page).EndCursor; c != "" {
				return c, nil
			}
			return nil, nil
		}},
	}})
	type edge struct {
		node   Implementation
		cursor string
	}
	edgeType := graphql.NewObject(graphql.ObjectConfig{Name: name + "Edge", Fields: graphql.Fields{
		"node":   {Type: nn(node), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(edge).node, nil }},
		"cursor": {Type: nn(gstr), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(edge).cursor, nil }},
	}})
	return graphql.NewObject(graphql.ObjectConfig{Name: name + "Connection", Fields: graphql.Fields{
		"nodes": {Type: nn(graphql.NewList(nn(node))), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(Page).Items, nil }},
		"edges": {Type: nn(graphql.NewList(nn(edgeType))), Resolve: func(p graphql.ResolveParams) (any, error) {
			pg := p.Source.(Page)
			out := make([]edge, len(pg.Items))
			for i, it := range pg.Items {
				out[i] = edge{node: it, cursor: encodeCursor(cursorKey(it, pg))}
			}
			return out, nil
		}},
		"pageInfo": {Type: nn(pageInfo), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source, nil }},
		"totalCount": {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) {
			return p.Source.(Page).Total(p.Context)
		}},
	}})
}

// cursorKey is the key an edge's cursor encodes, the same the page's EndCursor uses.
func cursorKey(i Implementation, p Page) string {
	if p.key != nil {
		return p.key(i)
	}
	return i.Code
}

func filterArgs(extra graphql.FieldConfigArgument) graphql.FieldConfigArgument {
	args := graphql.FieldConfigArgument{
		"tenant":     {Type: nn(gstr)},
		"department": {Type: gstr, Description: "org unit code of the implementing department"},
		"type":       {Type: gstr, Description: "item type code (01 行政许可 …)"},
		"category":   {Type: gstr},
		"onlineOnly": {Type: graphql.Boolean, Description: "only fully online (不见面) implementations"},
		"first":      {Type: graphql.Int},
		"after":      {Type: gstr},
	}
	for k, v := range extra {
		args[k] = v
	}
	return args
}

func filterOf(args map[string]any) Filter {
	s := func(k string) string { v, _ := args[k].(string); return v }
	online, _ := args["onlineOnly"].(bool)
	return Filter{Department: s("department"), Type: s("type"), Category: s("category"), OnlineOnly: online}
}

func (c *Catalog) addFields() error {
	impl := c.implementationType()
	conn := connectionType("ServiceImplementation", impl)
	h := c.host
	read := func(fn func(p graphql.ResolveParams, tenantCode string) (any, error)) graphql.FieldResolveFn {
		return func(p graphql.ResolveParams) (any, error) {
			tc, _ := p.Args["tenant"].(string)
			if err := c.guard(p.Context, tc, KindImplementation, "read"); err != nil {
				return nil, err
			}
			return fn(p, tc)
		}
	}
	first := func(p graphql.ResolveParams) int { n, _ := p.Args["first"].(int); return n }
	after := func(p graphql.ResolveParams) string { s, _ := p.Args["after"].(string); return s }
	fields := []struct {
		name string
		f    *graphql.Field
	}{
		{"effectiveImplementations", &graphql.Field{Type: nn(conn),
			Description: "The implementation list in force at a tenant: per item, the active implementation of the nearest tier.",
			Args:        filterArgs(nil),
			Resolve: read(func(p graphql.ResolveParams, tc string) (any, error) {
				return c.Effective(p.Context, tc, filterOf(p.Args), first(p), after(p))
			})}},
		{"serviceImplementations", &graphql.Field{Type: nn(conn),
			Description: "The implementations stored at a tenant (and below it, with subtree).",
			Args:        filterArgs(graphql.FieldConfigArgument{"subtree": {Type: graphql.Boolean}}),
			Resolve: read(func(p graphql.ResolveParams, tc string) (any, error) {
				sub, _ := p.Args["subtree"].(bool)
				return c.Stored(p.Context, tc, sub, filterOf(p.Args), first(p), after(p))
			})}},
		{"searchImplementations", &graphql.Field{Type: nn(conn),
			Description: "Full-text search (Chinese included) over names, conditions and materials of active implementations at a tenant and below.",
			Args:        filterArgs(graphql.FieldConfigArgument{"query": {Type: nn(gstr)}}),
			Resolve: read(func(p graphql.ResolveParams, tc string) (any, error) {
				return c.Search(p.Context, tc, p.Args["query"].(string), filterOf(p.Args), first(p), after(p))
			})}},
		{"serviceImplementation", &graphql.Field{Type: impl,
			Description: "The implementation of an item in force at a tenant, null when there is none.",
			Args:        graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}, "code": {Type: nn(gstr)}},
			Resolve: read(func(p graphql.ResolveParams, tc string) (any, error) {
				i, err := c.InForce(p.Context, tc, p.Args["code"].(string))
				if apierr.CodeOf(err) == apierr.NotFound {
					return nil, nil
				}
				return i, err
			})}},
		{"serviceGuide", &graphql.Field{Type: nn(gstr),
			Description: "The service guide (办事指南) of an item in force at a tenant, as printable HTML.",
			Args:        graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}, "code": {Type: nn(gstr)}},
			Resolve: read(func(p graphql.ResolveParams, tc string) (any, error) {
				i, err := c.InForce(p.Context, tc, p.Args["code"].(string))
				if err != nil {
					return nil, err
				}
				return c.Guide(p.Context, i.Tenant, i.Code)
			})}},
	}
	for _, f := range fields {
		if err := h.AddQuery(f.name, f.f); err != nil {
			return err
		}
	}
	if err := c.addImportFields(); err != nil {
		return err
	}
	if err := c.addItemFields(); err != nil {
		return err
	}
	if err := c.addListFields(impl); err != nil {
		return err
	}
	return c.addDevolutionFields(impl)
}

// InForce returns the implementation of code in force at tenant (see Effective).
func (c *Catalog) InForce(ctx context.Context, tenantCode, code string) (Implementation, error) {
	lineage, ok := c.tenants.LineageCodes(tenantCode)
	if !ok {
		return Implementation{}, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	args := append([]any{code}, anys(lineage)...)
	q := `SELECT ` + implColumns + ` FROM catalog_impls WHERE code = ? AND status = 'active' AND tenant IN (` +
		placeholders(len(lineage)) + `) ORDER BY depth DESC LIMIT 1`
	rows, err := c.st.DB.QueryContext(ctx, c.bind(q), args...)
	if err != nil {
		return Implementation{}, fmt.Errorf("catalog: read %s: %w", code, err)
	}
	items, err := scanImplementations(rows)
	if err != nil {
		return Implementation{}, err
	}
	if len(items) == 0 {
		return Implementation{}, notFoundAt(KindImplementation, tenantCode, code)
	}
	return items[0], nil
}
