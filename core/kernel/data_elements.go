package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/standard"
)

// dataElementInfoType is one data element in force at a tenant, as a designer of
// entity schemas needs it: what a field naming it becomes.
var dataElementInfoType = graphql.NewObject(graphql.ObjectConfig{
	Name:        "DataElementInfo",
	Description: "A data element in force at a tenant: shipped with GDBOS, defined as a DataElement resource at the tenant or above it, or both (layered).",
	Fields: graphql.Fields{
		"name":           {Type: graphql.NewNonNull(graphql.String), Description: "What an entity field names in element."},
		"code":           {Type: graphql.String},
		"title":          {Type: graphql.String, Description: "The element's name for people (spec.name)."},
		"description":    {Type: graphql.String},
		"type":           {Type: graphql.NewNonNull(graphql.String), Description: "The element's type: string, integer, decimal, boolean, date, datetime or code."},
		"fieldType":      {Type: graphql.NewNonNull(graphql.String), Description: "The type an entity field naming the element takes (a code is a string)."},
		"classification": {Type: graphql.String},
		"shipped":        {Type: graphql.NewNonNull(graphql.Boolean), Description: "Whether GDBOS ships it."},
		"tenant":         {Type: graphql.String, Description: "The nearest tenant at or above this one with a DataElement layer of it; null when only shipped."},
		"spec":           {Type: graphql.NewNonNull(graph.JSON), Description: "The element's spec in force here, layers applied (its rules)."},
	},
})

// dataElementsField lists the data elements in force at a tenant: the shipped ones
// and the DataElement resources on its lineage, each compiled as entity schemas see
// it there.
func (k *Kernel) dataElementsField() *graphql.Field {
	return &graphql.Field{
		Type:        graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(dataElementInfoType))),
		Description: "The data elements in force at tenant (shipped, and DataElement resources at it or above it), sorted by name.",
		Args:        graphql.FieldConfigArgument{"tenant": {Type: graphql.NewNonNull(graphql.String)}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tenantCode := p.Args["tenant"].(string)
			if err := k.graph.Authorize(p.Context, tenantCode, standard.KindDataElement, "read"); err != nil {
				return nil, err
			}
			return k.dataElements(p.Context, tenantCode)
		},
	}
}

func (k *Kernel) dataElements(ctx context.Context, tenantCode string) ([]map[string]any, error) {
	lineage, ok := k.tenants.LineageCodes(tenantCode)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no tenant with code %q", tenantCode)
	}
	cat, err := shippedStandards()
	if err != nil {
		return nil, err
	}
	defined := map[string]string{} // name → nearest tenant with a layer
	for _, code := range lineage {
		for after := ""; ; {
			page, err := k.resources.List(ctx, resource.ListOptions{Kind: standard.KindDataElement, Tenant: code, First: 1000, After: after})
			if err != nil {
				return nil, err
			}
			for _, o := range page.Items {
				defined[o.Metadata.Name] = code
			}
			if !page.HasNext {
				break
			}
			after = page.EndCursor
		}
	}
	shipped := cat.ElementNames()
	names := slices.Clone(shipped)
	for n := range defined {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := make([]map[string]any, 0, len(names))
	for _, n := range names {
		e, err := k.Element(ctx, tenantCode, n)
		if err != nil {
			return nil, err
		}
		var at any
		if code, ok := defined[n]; ok {
			at = code
		}
		var spec map[string]any
		raw, err := json.Marshal(e.Spec)
		if err == nil {
			err = json.Unmarshal(raw, &spec)
		}
		if err != nil {
			return nil, fmt.Errorf("kernel: data element %s: %w", n, err)
		}
		out = append(out, map[string]any{"name": n, "code": e.Spec.Code, "title": e.Spec.Name, "description": e.Spec.Description,
			"type": e.Spec.Type, "fieldType": fieldType(e), "classification": e.Spec.Classification,
			"shipped": slices.Contains(shipped, n), "tenant": at, "spec": spec})
	}
	return out, nil
}
