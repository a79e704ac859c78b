package catalog

import (
	"context"
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

// KindList is the kind of curated lists (办事不求人).
const KindList = "ServiceList"

// admitList checks that every listed item is in the basic catalog at the tenant.
func (c *Catalog) admitList(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	if err := c.enabledAt(ctx, obj.Metadata.Tenant); err != nil {
		return err
	}
	var errs apierr.FieldList
	for i, v := range list(obj.Spec["items"]) {
		code := str(v)
		if _, err := c.res.Effective(context.Background(), KindItem, obj.Metadata.Tenant, code); err == nil {
			continue
		}
		if _, err := c.res.Effective(ctx, KindItem, obj.Metadata.Tenant, code); err != nil {
			errs.Add(fmt.Sprintf("/spec/items/%d", i), "%s is not in the basic catalog at %s", code, obj.Metadata.Tenant)
		}
	}
	return errs.Err(fmt.Sprintf("invalid %s %q", KindList, obj.Metadata.Name))
}

// ListView is a curated list as seen from a tenant: its entries in force there.
type ListView struct {
	List    resource.Object
	At      string
	Entries []Implementation
	Missing []string
}

// Lists returns the curated lists that apply at tenant (defined there or above),
// each with the implementations in force at tenant and the codes without one.
func (c *Catalog) Lists(ctx context.Context, tenantCode string) ([]ListView, error) {
	lineage, ok := c.tenants.LineageCodes(tenantCode)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	var out []ListView
	for _, t := range lineage {
		page, err := c.res.List(ctx, resource.ListOptions{Kind: KindList, Tenant: t, First: 1000})
		if err != nil {
			return nil, err
		}
		for _, l := range page.Items {
			v := ListView{List: l, At: tenantCode, Entries: []Implementation{}, Missing: []string{}}
			codes := make([]string, 0, len(list(l.Spec["items"])))
			for _, code := range list(l.Spec["items"]) {
				codes = append(codes, str(code))
			}
			found, err := c.inForceMany(ctx, lineage, codes)
			if err != nil {
				return nil, err
			}
			for _, code := range codes {
				if im, ok := found[code]; ok {
					v.Entries = append(v.Entries, im)
				} else {
					v.Missing = append(v.Missing, code)
				}
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// inForceMany returns the implementations of codes in force along a tenant's
// lineage (see InForce), a few queries for a whole list rather than one per item.
func (c *Catalog) inForceMany(ctx context.Context, lineage []string, codes []string) (map[string]Implementation, error) {
	out := map[string]Implementation{}
	for start := 0; start < len(codes); start += 500 {
		part := codes[start:min(start+500, len(codes))]
		args := append(anys(part), anys(lineage)...)
		q := `SELECT ` + implColumns + ` FROM catalog_impls WHERE code IN (` + placeholders(len(part)) + `) AND status = 'active' AND tenant IN (` +
			placeholders(len(lineage)) + `) ORDER BY depth`
		rows, err := c.st.DB.QueryContext(ctx, c.bind(q), args...)
		if err != nil {
			return nil, fmt.Errorf("catalog: read list items: %w", err)
		}
		items, err := scanImplementations(rows)
		if err != nil {
			return nil, err
		}
		for _, im := range items { // by depth: the deepest tier's is written last
			out[im.Code] = im
		}
	}
	return out, nil
}

func (c *Catalog) addListFields(impl *graphql.Object) error {
	lv := func(fn func(ListView) any) graphql.FieldResolveFn {
		return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(ListView)), nil }
	}
	listType := graphql.NewObject(graphql.ObjectConfig{Name: "ServiceList", Description: "A curated list (办事不求人) as seen from a tenant.",
		Fields: graphql.Fields{
			"tenant":      {Type: nn(gstr), Resolve: lv(func(v ListView) any { return v.List.Metadata.Tenant })},
			"name":        {Type: nn(gstr), Resolve: lv(func(v ListView) any { return v.List.Metadata.Name })},
			"title":       {Type: nn(gstr), Resolve: lv(func(v ListView) any { return str(v.List.Spec["title"]) })},
			"batch":       {Type: nn(graphql.Int), Resolve: lv(func(v ListView) any { return num(v.List.Spec["batch"]) })},
			"publishedAt": {Type: gstr, Resolve: lv(func(v ListView) any { return v.List.Spec["publishedAt"] })},
			"size":        {Type: nn(graphql.Int), Resolve: lv(func(v ListView) any { return len(list(v.List.Spec["items"])) })},
			"entries":     {Type: nn(graphql.NewList(nn(impl))), Description: "the listed items' implementations in force at the tenant", Resolve: lv(func(v ListView) any { return v.Entries })},
			"missing":     {Type: nn(graphql.NewList(nn(gstr))), Description: "listed items with no implementation in force at the tenant", Resolve: lv(func(v ListView) any { return v.Missing })},
		}})
	if err := c.host.AddQuery("serviceLists", &graphql.Field{Type: nn(graphql.NewList(nn(listType))),
		Description: "The curated lists (办事不求人) that apply at a tenant, batch by batch.",
		Args:        graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			if err := c.guard(p.Context, tc, KindImplementation, "read"); err != nil {
				return nil, err
			}
			return c.Lists(p.Context, tc)
		}}); err != nil {
		return err
	}
	rateType := graphql.NewObject(graphql.ObjectConfig{Name: "OnlineRate", Description: "The share of cases handled online (网办率) in one group.",
		Fields: graphql.Fields{
			"tenant":     {Type: gstr, Resolve: func(p graphql.ResolveParams) (any, error) { return nullable(p.Source.(Rate).Tenant), nil }},
			"department": {Type: gstr, Resolve: func(p graphql.ResolveParams) (any, error) { return nullable(p.Source.(Rate).Department), nil }},
			"month":      {Type: gstr, Resolve: func(p graphql.ResolveParams) (any, error) { return nullable(p.Source.(Rate).Month), nil }},
			"cases":      {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(Rate).Cases, nil }},
			"online":     {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(Rate).Online, nil }},
			"rate":       {Type: nn(graphql.Float), Description: "online / cases, 0 to 1", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(Rate).Rate, nil }},
		}})
	return c.host.AddQuery("onlineRate", &graphql.Field{Type: nn(graphql.NewList(nn(rateType))),
		Description: "The online rate (网办率) of the cases in a tenant's subtree, from case.submitted events, grouped by tenant, department and/or month.",
		Args: graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}, "from": {Type: gstr, Description: "first month, YYYY-MM"},
			"to": {Type: gstr, Description: "last month, YYYY-MM"}, "by": {Type: graphql.NewList(nn(gstr)), Description: "tenant, department, month"}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			if err := c.guard(p.Context, tc, Area, "read"); err != nil {
				return nil, err
			}
			q := RateQuery{Tenant: tc}
			q.From, _ = p.Args["from"].(string)
			q.To, _ = p.Args["to"].(string)
			for _, b := range list(p.Args["by"]) {
				q.By = append(q.By, str(b))
			}
			rates, err := c.OnlineRate(p.Context, q)
			if rates == nil {
				rates = []Rate{}
			}
			return rates, err
		}})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
