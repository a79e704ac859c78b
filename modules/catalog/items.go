package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/graph"
)

// Item is an entry of the basic catalog as lists show it: the projection of the
// effective item stored at Tenant.
type Item struct {
	Tenant, Code, Name, Type, Category, Level, Parent, Handling string
}

// ItemPage is one page of items.
type ItemPage struct {
	Items     []Item
	HasNext   bool
	EndCursor string
	Total     int
}

// ItemFilter narrows the basic catalog: one type, one category, the children of a
// parent, and names or codes containing Search.
type ItemFilter struct {
	Type, Category, Parent, Search string
}

// itemsInForce is the condition on catalog_items i that keeps, per code, the row of
// the deepest tenant of lineage that defines it, with its arguments.
func itemsInForce(lineage []string) (string, []any) {
	in := placeholders(len(lineage))
	where := `i.tenant IN (` + in + `) AND NOT EXISTS (SELECT 1 FROM catalog_items j WHERE j.code = i.code AND j.depth > i.depth AND j.tenant IN (` + in + `))`
	return where, append(anys(lineage), anys(lineage)...)
}

// Items lists the basic catalog in force at tenant (per code, the layer of the
// deepest tenant of its lineage), by 基本编码, narrowed by f.
func (c *Catalog) Items(ctx context.Context, tenantCode string, f ItemFilter, first int, after string) (ItemPage, error) {
	lineage, ok := c.tenants.LineageCodes(tenantCode)
	if !ok {
		return ItemPage{}, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	cur, err := decodeCursor(after)
	if err != nil {
		return ItemPage{}, err
	}
	where, args := itemsInForce(lineage)
	for _, cv := range [][2]string{{"type", f.Type}, {"category", f.Category}, {"parent", f.Parent}} {
		if cv[1] != "" {
			where += ` AND i.` + cv[0] + ` = ?`
			args = append(args, cv[1])
		}
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		if len([]rune(q)) > 100 {
			return ItemPage{}, apierr.Invalid("invalid item search", []apierr.FieldError{{Path: "search", Message: "at most 100 characters"}})
		}
		// Case-insensitive on both databases (SQLite's LIKE is, PostgreSQL's is not);
		// codes are capital letters and digits.
		pat := likeContains(q)
		where += ` AND (LOWER(i.name) LIKE ? ESCAPE '\' OR i.code LIKE ? ESCAPE '\')`
		args = append(args, strings.ToLower(pat), strings.ToUpper(pat))
	}
	var total int
	if err := c.st.DB.QueryRowContext(ctx, c.bind(`SELECT COUNT(*) FROM catalog_items i WHERE `+where), args...).Scan(&total); err != nil {
		return ItemPage{}, fmt.Errorf("catalog: count items: %w", err)
	}
	q := `SELECT i.tenant, i.code, i.name, i.type, i.category, i.level, i.parent, i.handling FROM catalog_items i WHERE ` + where
	if cur != "" {
		q += ` AND i.code > ?`
		args = append(args, cur)
	}
	n := pageSize(first)
	q += ` ORDER BY i.code LIMIT ?`
	args = append(args, n+1)
	rows, err := c.st.DB.QueryContext(ctx, c.bind(q), args...)
	if err != nil {
		return ItemPage{}, fmt.Errorf("catalog: list items: %w", err)
	}
	defer rows.Close()
	p := ItemPage{Total: total}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.Tenant, &it.Code, &it.Name, &it.Type, &it.Category, &it.Level, &it.Parent, &it.Handling); err != nil {
			return ItemPage{}, fmt.Errorf("catalog: list items: %w", err)
		}
		p.Items = append(p.Items, it)
	}
	if err := rows.Err(); err != nil {
		return ItemPage{}, err
	}
	if len(p.Items) > n {
		p.Items, p.HasNext = p.Items[:n], true
	}
	if len(p.Items) > 0 {
		p.EndCursor = encodeCursor(p.Items[len(p.Items)-1].Code)
	}
	return p, nil
}

// ItemCount is how many items of the basic catalog in force share a type or a
// category.
type ItemCount struct {
	Key   string
	Count int
}

// ItemCounts counts the basic catalog in force at tenant by type or category, in
// key order, in one query.
func (c *Catalog) ItemCounts(ctx context.Context, tenantCode, by string) ([]ItemCount, error) {
	if by != "type" && by != "category" {
		return nil, apierr.Invalid("invalid item count", []apierr.FieldError{{Path: "by", Message: "must be type or category"}})
	}
	lineage, ok := c.tenants.LineageCodes(tenantCode)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	where, args := itemsInForce(lineage)
	q := `SELECT i.` + by + `, COUNT(*) FROM catalog_items i WHERE ` + where + ` GROUP BY i.` + by + ` ORDER BY i.` + by
	rows, err := c.st.DB.QueryContext(ctx, c.bind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("catalog: count items: %w", err)
	}
	defer rows.Close()
	out := []ItemCount{}
	for rows.Next() {
		var n ItemCount
		if err := rows.Scan(&n.Key, &n.Count); err != nil {
			return nil, fmt.Errorf("catalog: count items: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func itemField(fn func(Item) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(Item)), nil }
}

func (c *Catalog) addItemFields() error {
	item := graphql.NewObject(graphql.ObjectConfig{Name: "ServiceItem", Description: "An entry of the basic catalog (基本目录) in force at a tenant.",
		Fields: graphql.Fields{
			"tenant":   {Type: nn(gstr), Description: "the tenant whose layer is in force", Resolve: itemField(func(i Item) any { return i.Tenant })},
			"code":     {Type: nn(gstr), Description: "基本编码", Resolve: itemField(func(i Item) any { return i.Code })},
			"name":     {Type: nn(gstr), Resolve: itemField(func(i Item) any { return i.Name })},
			"type":     {Type: nn(gstr), Resolve: itemField(func(i Item) any { return i.Type })},
			"typeName": {Type: nn(gstr), Resolve: itemField(func(i Item) any { return typeName(i.Type) })},
			"category": {Type: nn(gstr), Resolve: itemField(func(i Item) any { return i.Category })},
			"level":    {Type: gstr, Description: "main (主项), sub (子项) or handling (业务办理项)", Resolve: itemField(func(i Item) any { return nullable(i.Level) })},
			"parent":   {Type: gstr, Resolve: itemField(func(i Item) any { return nullable(i.Parent) })},
			"handling": {Type: gstr, Description: "new, change, renew or cancel", Resolve: itemField(func(i Item) any { return nullable(i.Handling) })},
			"spec": {Type: graph.JSON, Resolve: func(p graphql.ResolveParams) (any, error) {
				i := p.Source.(Item)
				eff, err := c.res.Effective(p.Context, KindItem, i.Tenant, i.Code)
				return eff.Spec, err
			}},
			"locks": {Type: nn(graphql.NewList(nn(gstr))), Description: "Locked fields as \"/pointer by tenant\".", Resolve: func(p graphql.ResolveParams) (any, error) {
				i := p.Source.(Item)
				return c.locksOf(p.Context, KindItem, i.Tenant, i.Code)
			}},
		}})
	pageInfo := graphql.NewObject(graphql.ObjectConfig{Name: "ServiceItemPageInfo", Fields: graphql.Fields{
		"hasNextPage": {Type: nn(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ItemPage).HasNext, nil }},
		"endCursor":   {Type: gstr, Resolve: func(p graphql.ResolveParams) (any, error) { return nullable(p.Source.(ItemPage).EndCursor), nil }},
	}})
	type edge struct{ node Item }
	edgeType := graphql.NewObject(graphql.ObjectConfig{Name: "ServiceItemEdge", Fields: graphql.Fields{
		"node":   {Type: nn(item), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(edge).node, nil }},
		"cursor": {Type: nn(gstr), Resolve: func(p graphql.ResolveParams) (any, error) { return encodeCursor(p.Source.(edge).node.Code), nil }},
	}})
	conn := graphql.NewObject(graphql.ObjectConfig{Name: "ServiceItemConnection", Fields: graphql.Fields{
		"nodes": {Type: nn(graphql.NewList(nn(item))), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ItemPage).Items, nil }},
		"edges": {Type: nn(graphql.NewList(nn(edgeType))), Resolve: func(p graphql.ResolveParams) (any, error) {
			var out []edge
			for _, it := range p.Source.(ItemPage).Items {
				out = append(out, edge{it})
			}
			return out, nil
		}},
		"pageInfo":   {Type: nn(pageInfo), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source, nil }},
		"totalCount": {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ItemPage).Total, nil }},
	}})
	countType := graphql.NewObject(graphql.ObjectConfig{Name: "ServiceItemCount", Description: "How many items of the basic catalog share a type or category.",
		Fields: graphql.Fields{
			"key":   {Type: nn(gstr), Description: "the type code or the category", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ItemCount).Key, nil }},
			"name":  {Type: nn(gstr), Description: "the type's name (行政许可 …) or the category", Resolve: func(p graphql.ResolveParams) (any, error) { return itemTypeNameOr(p.Source.(ItemCount).Key), nil }},
			"count": {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ItemCount).Count, nil }},
		}})
	if err := c.host.AddQuery("serviceItemCounts", &graphql.Field{Type: nn(graphql.NewList(nn(countType))),
		Description: "The basic catalog in force at a tenant counted by type or category, in one query (dashboards).",
		Args:        graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}, "by": {Type: gstr, Description: "type (default) or category"}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			if err := c.guard(p.Context, tc, KindItem, "read"); err != nil {
				return nil, err
			}
			by, _ := p.Args["by"].(string)
			if by == "" {
				by = "type"
			}
			return c.ItemCounts(p.Context, tc, by)
		}}); err != nil {
		return err
	}
	return c.host.AddQuery("serviceItems", &graphql.Field{Type: nn(conn),
		Description: "The basic catalog in force at a tenant, by 基本编码.",
		Args: graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}, "type": {Type: gstr}, "category": {Type: gstr},
			"parent": {Type: gstr, Description: "only the children of this item (子项, 业务办理项)"},
			"search": {Type: gstr, Description: "only items whose name or 基本编码 contains this text"}, "first": {Type: graphql.Int}, "after": {Type: gstr}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			if err := c.guard(p.Context, tc, KindItem, "read"); err != nil {
				return nil, err
			}
			s := func(k string) string { v, _ := p.Args[k].(string); return v }
			n, _ := p.Args["first"].(int)
			return c.Items(p.Context, tc, ItemFilter{Type: s("type"), Category: s("category"), Parent: s("parent"), Search: s("search")}, n, s("after"))
		}})
}

// locksOf lists the locked fields of a resource in effect at tenant, as
// "/pointer by tenant", in pointer order.
func (c *Catalog) locksOf(ctx context.Context, kind, tenant, code string) ([]string, error) {
	eff, err := c.res.Effective(ctx, kind, tenant, code)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, k := range sortedKeys(eff.Locks) {
		out = append(out, k+" by "+eff.Locks[k])
	}
	return out, nil
}
