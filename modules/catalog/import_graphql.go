package catalog

import (
	"encoding/base64"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"

	"github.com/gdbos/gdbos/core/graph"
)

func (c *Catalog) addImportFields() error {
	report := graphql.NewObject(graphql.ObjectConfig{Name: "ServiceListImport", Description: "What an import of an item list did, or why it wrote nothing.",
		Fields: graphql.Fields{
			"rows":      {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ImportReport).Rows, nil }},
			"items":     {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ImportReport).Items, nil }},
			"created":   {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ImportReport).Created, nil }},
			"updated":   {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ImportReport).Updated, nil }},
			"unchanged": {Type: nn(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ImportReport).Unchanged, nil }},
			"dryRun":    {Type: nn(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ImportReport).DryRun, nil }},
			"errors": {Type: nn(graph.JSON), Description: "Per row: row (1 = first data row), column or path, message. Empty when the list was applied.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(ImportReport).Errors, nil }},
		}})
	err := c.host.AddMutation("importServiceList", &graphql.Field{Type: nn(report),
		Description: "Import an item list (CSV, Chinese or English headers) as a tenant's implementations, all rows or none; with items, also the basic-catalog entries (at a province).",
		Args: graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}, "csv": {Type: gstr, Description: "the list as CSV"},
			"xlsx":  {Type: gstr, Description: "or the list as an XLSX workbook, base64 (its first sheet)"},
			"items": {Type: graphql.Boolean}, "dryRun": {Type: graphql.Boolean}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			items, _ := p.Args["items"].(bool)
			dry, _ := p.Args["dryRun"].(bool)
			if err := c.guard(p.Context, tc, KindImplementation, "write"); err != nil {
				return nil, err
			}
			if items {
				if err := c.host.Authorize(p.Context, tc, KindItem, "write"); err != nil {
					return nil, err
				}
			}
			data, err := listData(p.Args)
			if err != nil {
				return nil, err
			}
			return c.Import(p.Context, actor(p.Context), tc, data, items, dry)
		}})
	if err != nil {
		return err
	}
	return c.host.AddQuery("exportServiceList", &graphql.Field{Type: nn(gstr),
		Description: "The implementation list in force at a tenant as CSV, in the columns importServiceList reads.",
		Args:        graphql.FieldConfigArgument{"tenant": {Type: nn(gstr)}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tc := p.Args["tenant"].(string)
			if err := c.guard(p.Context, tc, KindImplementation, "read"); err != nil {
				return nil, err
			}
			b, err := c.Export(p.Context, tc)
			return string(b), err
		}})
}

// listData returns the uploaded list as CSV: the csv argument, or the xlsx one
// decoded and converted.
func listData(args map[string]any) ([]byte, error) {
	csvText, hasCSV := args["csv"].(string)
	xlsx, hasXLSX := args["xlsx"].(string)
	if hasCSV == hasXLSX {
		return nil, apierr.Invalid("give the list once", []apierr.FieldError{{Path: "csv", Message: "give exactly one of csv and xlsx"}})
	}
	if hasCSV {
		return []byte(csvText), nil
	}
	raw, err := base64.StdEncoding.DecodeString(xlsx)
	if err != nil {
		return nil, apierr.Invalid("invalid xlsx", []apierr.FieldError{{Path: "xlsx", Message: "is not base64"}})
	}
	data, err := XLSXToCSV(raw)
	if err != nil {
		return nil, apierr.Invalid("invalid xlsx", []apierr.FieldError{{Path: "xlsx", Message: err.Error()}})
	}
	return data, nil
}
