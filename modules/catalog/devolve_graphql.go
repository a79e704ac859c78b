package catalog

import (
	"context"
	"fmt"
	"strconv"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/graph"
)

func devField(fn func(Devolution) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(Devolution)), nil }
}

func (c *Catalog) addDevolutionFields(_ *graphql.Object) error {
	itemType := graphql.NewObject(graphql.ObjectConfig{
		Name: "DevolutionItem", Description: "An item of a devolution: devolved, or left out with the reason.",
		Fields: graphql.Fields{
			"code":   {Type: nn(gstr), Description: "基本编码", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(devItem).Code, nil }},
			"name":   {Type: nn(gstr), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(devItem).Name, nil }},
			"path":   {Type: gstr, Description: "where the request named it (/codes/3), for a refused item", Resolve: func(p graphql.ResolveParams) (any, error) { return nullable(p.Source.(devItem).Path), nil }},
			"reason": {Type: gstr, Description: "why it was left out; null when devolved", Resolve: func(p graphql.ResolveParams) (any, error) { return nullable(p.Source.(devItem).Reason), nil }},
		},
	})
	items := func(refused bool) graphql.FieldResolveFn {
		return func(p graphql.ResolveParams) (any, error) {
			d := p.Source.(Devolution)
			var out []devItem
			if refused {
				for _, r := range d.Report.Refused {
					out = append(out, devItem{Code: r.Code, Path: r.Path, Reason: r.Reason})
				}
			} else {
				for _, code := range d.Request.Codes {
					out = append(out, devItem{Code: code})
				}
			}
			codes := make([]string, len(out))
			for i, it := range out {
				codes[i] = it.Code
			}
			names, err := c.itemNames(p.Context, d.Tenant, codes)
			for i := range out {
				out[i].Name = names[out[i].Code]
			}
			if out == nil {
				out = []devItem{}
			}
			return out, err
		}
	}
	devType := graphql.NewObject(graphql.ObjectConfig{
		Name: "Devolution", Description: "A batch of items handed from a tier to tenants below it (下放), with its report.",
		Fields: graphql.Fields{
			"id":        {Type: nn(graphql.ID), Resolve: devField(func(d Devolution) any { return strconv.FormatInt(d.ID, 10) })},
			"tenant":    {Type: nn(gstr), Resolve: devField(func(d Devolution) any { return d.Tenant })},
			"actor":     {Type: nn(gstr), Resolve: devField(func(d Devolution) any { return d.Actor })},
			"status":    {Type: nn(gstr), Description: "pending, running, done, failed or undone", Resolve: devField(func(d Devolution) any { return d.Status })},
			"processed": {Type: nn(graphql.Int), Description: "implementation layers written so far", Resolve: devField(func(d Devolution) any { return d.Processed })},
			"total":     {Type: nn(graphql.Int), Description: "implementation layers the batch writes", Resolve: devField(func(d Devolution) any { return d.Total })},
			"createdAt": {Type: nn(graphql.DateTime), Resolve: devField(func(d Devolution) any { return d.CreatedAt })},
			"undoneAt": {Type: graphql.DateTime, Resolve: devField(func(d Devolution) any {
				if d.UndoneAt == nil {
					return nil
				}
				return *d.UndoneAt
			})},
			"codes": {Type: nn(graphql.NewList(nn(gstr))), Resolve: devField(func(d Devolution) any { return d.Request.Codes })},
			"targets": {Type: nn(graphql.NewList(nn(gstr))), Resolve: devField(func(d Devolution) any {
				out := make([]string, len(d.Request.Targets))
				for i, t := range d.Request.Targets {
					out[i] = t.Tenant
				}
				return out
			})},
			"created":  {Type: nn(graphql.Int), Resolve: devField(func(d Devolution) any { return d.Report.Created })},
			"updated":  {Type: nn(graphql.Int), Resolve: devField(func(d Devolution) any { return d.Report.Updated })},
			"retired":  {Type: nn(graphql.Int), Resolve: devField(func(d Devolution) any { return d.Report.Retired })},
			"restored": {Type: nn(graphql.Int), Resolve: devField(func(d Devolution) any { return d.Report.Restored })},
			"report":   {Type: graph.JSON, Resolve: devField(func(d Devolution) any { return d.Report })},
			"items":    {Type: nn(graphql.NewList(nn(itemType))), Description: "the items devolved (or, in a preview, that would be)", Resolve: items(false)},
			"refused":  {Type: nn(graphql.NewList(nn(itemType))), Description: "the items left out, with the reason (skipRefused)", Resolve: items(true)},
		},
	})
	targetInput := graphql.NewInputObject(graphql.InputObjectConfig{Name: "DevolveTarget", Fields: graphql.InputObjectConfigFieldMap{
		"tenant":     {Type: nn(gstr)},
		"bodyName":   {Type: nn(gstr), Description: "the implementing body there, e.g. 哈尔滨市道里区市场监督管理局"},
		"creditCode": {Type: nn(gstr), Description: "its unified social credit code"},
		"department": {Type: gstr, Description: "org unit code; empty keeps the handing tier's"},
	}})
	input := graphql.NewInputObject(graphql.InputObjectConfig{Name: "DevolveInput", Fields: graphql.InputObjectConfigFieldMap{
		"from":        {Type: nn(gstr)},
		"codes":       {Type: nn(graphql.NewList(nn(gstr)))},
		"targets":     {Type: nn(graphql.NewList(nn(targetInput)))},
		"note":        {Type: gstr},
		"skipRefused": {Type: graphql.Boolean, Description: "devolve the items that can be and report the others with the reason, instead of refusing the batch"},
	}})
	if err := c.host.AddMutation("devolveItems", &graphql.Field{Type: nn(devType),
		Description: "Hand items implemented at a tier to tenants below it, all or nothing (下放).",
		Args: graphql.FieldConfigArgument{"input": {Type: nn(input)},
			"async":  {Type: graphql.Boolean, Description: "return once checked and journalled; follow the batch with devolution(id)"},
			"dryRun": {Type: graphql.Boolean, Description: "write nothing: answer the report the batch would have (status preview, id 0)"}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			req := devolveRequest(p.Args["input"].(map[string]any))
			if err := c.guard(p.Context, req.From, Area, "write"); err != nil {
				return nil, err
			}
			for _, tc := range append([]string{req.From}, targetTenants(req)...) {
				if err := c.host.Authorize(p.Context, tc, KindImplementation, "write"); err != nil {
					return nil, err
				}
			}
			async, _ := p.Args["async"].(bool)
			dry, _ := p.Args["dryRun"].(bool)
			return c.Devolve(p.Context, actor(p.Context), req, async && !dry, dry)
		}}); err != nil {
		return err
	}
	if err := c.host.AddMutation("undoDevolution", &graphql.Field{Type: nn(devType),
		Description: "Restore what a devolution changed.",
		Args:        graphql.FieldConfigArgument{"id": {Type: nn(graphql.ID)}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			id, err := strconv.ParseInt(p.Args["id"].(string), 10, 64)
			if err != nil {
				return nil, apierr.New(apierr.NotFound, "devolution %q not found", p.Args["id"])
			}
			d, _, err := c.devolution(p.Context, id)
			if err != nil {
				return nil, err
			}
			if err := c.guard(p.Context, d.Tenant, Area, "write"); err != nil {
				return nil, err
			}
			for _, tc := range append([]string{d.Tenant}, targetTenants(d.Request)...) {
				if err := c.host.Authorize(p.Context, tc, KindImplementation, "write"); err != nil {
					return nil, err
				}
			}
			return c.Undo(p.Context, actor(p.Context), id)
		}}); err != nil {
		return err
	}
	if err := c.host.AddQuery("devolution", &graphql.Field{Type: devType,
		Description: "One devolution batch: its status, progress while it runs, and report.",
		Args:        graphql.FieldConfigArgument{"id": {Type: nn(graphql.ID)}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			id, err := strconv.ParseInt(p.Args["id"].(string), 10, 64)
			if err != nil {
				return nil, nil
			}
			d, _, err := c.devolution(p.Context, id)
			if apierr.CodeOf(err) == apierr.NotFound {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			if err := c.guard(p.Context, d.Tenant, Area, "read"); err != nil {
				return nil, err
			}
			return d, nil
		}}); err != nil {
		return err
	}
	return c.host.AddQuery("devolutions", &graphql.Field{Type: nn(graphql.NewList(nn(devType))),
		Description: "Devolution batches handed down from a tenant, newest first.",
		Args:        graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}, "first": {Type: graphql.Int}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			if err := c.guard(p.Context, tc, Area, "read"); err != nil {
				return nil, err
			}
			n, _ := p.Args["first"].(int)
			return c.Devolutions(p.Context, tc, n)
		}})
}

func targetTenants(r DevolveRequest) []string {
	out := make([]string, len(r.Targets))
	for i, t := range r.Targets {
		out[i] = t.Tenant
	}
	return out
}

func devolveRequest(in map[string]any) DevolveRequest {
	skip, _ := in["skipRefused"].(bool)
	r := DevolveRequest{From: str(in["from"]), Note: str(in["note"]), SkipRefused: skip}
	for _, c := range list(in["codes"]) {
		r.Codes = append(r.Codes, str(c))
	}
	for _, t := range list(in["targets"]) {
		m, _ := t.(map[string]any)
		r.Targets = append(r.Targets, Target{Tenant: str(m["tenant"]), BodyName: str(m["bodyName"]), CreditCode: str(m["creditCode"]), Department: str(m["department"])})
	}
	return r
}

// devItem is an item of a devolution as GraphQL shows it.
type devItem struct{ Code, Name, Path, Reason string }

// itemNames returns the names of items in force at tenant, by code; a code not in
// the basic catalog there has no entry.
func (c *Catalog) itemNames(ctx context.Context, tenantCode string, codes []string) (map[string]string, error) {
	out := map[string]string{}
	lineage, ok := c.tenants.LineageCodes(tenantCode)
	if !ok || len(codes) == 0 {
		return out, nil
	}
	for start := 0; start < len(codes); start += 500 {
		part := codes[start:min(start+500, len(codes))]
		args := append(anys(lineage), anys(part)...)
		q := `SELECT code, name FROM catalog_items WHERE tenant IN (` + placeholders(len(lineage)) + `) AND code IN (` + placeholders(len(part)) + `) ORDER BY depth`
		rows, err := c.st.DB.QueryContext(ctx, c.bind(q), args...)
		if err != nil {
			return out, fmt.Errorf("catalog: item names: %w", err)
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return out, fmt.Errorf("catalog: item names: %w", err)
			}
			out[code] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, err
		}
	}
	return out, nil
}
