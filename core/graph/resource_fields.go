package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

func (g *Graph) resourceFields(q, m graphql.Fields) {
	t := g.types
	nn := graphql.NewNonNull
	q["kinds"] = &graphql.Field{
		Type: nn(graphql.NewList(nn(t.kind))), Description: "The resource kinds this server knows.",
		Resolve: g.authed(func(graphql.ResolveParams, *Caller) (any, error) {
			kinds := g.svc.Resources.Kinds()
			sort.Slice(kinds, func(i, j int) bool { return kinds[i].Name < kinds[j].Name })
			return kinds, nil
		}),
	}
	q["resource"] = &graphql.Field{
		Type: t.resource, Description: "The layer stored at a tenant.", Args: kindArgs,
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			kind, tc, name, err := g.locate(p.Context, p.Args, "read")
			if err != nil {
				return nil, err
			}
			return g.svc.Resources.Get(p.Context, kind, tc, name)
		}),
	}
	q["resources"] = &graphql.Field{
		Type: g.connectionOf(t.resource), Description: "Resources of a kind stored at a tenant (and below it, with subtree).",
		Args: pageArgs(graphql.FieldConfigArgument{
			"kind": {Type: nn(graphql.String)}, "tenant": {Type: nn(graphql.String)},
			"subtree": {Type: graphql.Boolean}, "name": {Type: graphql.String},
		}),
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			return g.listResources(p.Context, strArg(p.Args, "kind"), p.Args)
		}),
	}
	for field, kind := range map[string]string{"roles": "Role", "roleBindings": "RoleBinding"} {
		q[field] = &graphql.Field{
			Type: g.connectionOf(t.resource), Description: kind + " resources at a tenant (and below it, with subtree).",
			Args: pageArgs(graphql.FieldConfigArgument{"tenant": {Type: nn(graphql.String)}, "subtree": {Type: graphql.Boolean}}),
			Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
				return g.listResources(p.Context, kind, p.Args)
			}),
		}
	}
	q["effectiveResource"] = &graphql.Field{
		Type: t.effective, Description: "The spec in force at a tenant, inherited along its path.", Args: kindArgs,
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			kind, tc, name, err := g.locate(p.Context, p.Args, "read")
			if err != nil {
				return nil, err
			}
			return g.svc.Resources.Effective(p.Context, kind, tc, name)
		}),
	}
	q["explainResource"] = &graphql.Field{
		Type: nn(graphql.NewList(nn(t.origin))), Description: "Each field's origin: which tenant, inherited, overridden or locked.", Args: kindArgs,
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			kind, tc, name, err := g.locate(p.Context, p.Args, "read")
			if err != nil {
				return nil, err
			}
			return g.svc.Resources.Explain(p.Context, kind, tc, name)
		}),
	}
	q["resourceHistory"] = &graphql.Field{
		Type: g.connectionOf(t.version), Description: "Versions, newest first.",
		Args: withArgs(kindArgs, pageArgs(nil)),
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			kind, tc, name, err := g.locate(p.Context, p.Args, "read")
			if err != nil {
				return nil, err
			}
			first, err := firstArg(p.Args)
			if err != nil {
				return nil, err
			}
			before := 0
			if a := strArg(p.Args, "after"); a != "" {
				if _, err := fmt.Sscanf(a, "v%d", &before); err != nil {
					return nil, apierr.Invalid("invalid cursor", []apierr.FieldError{{Path: "after", Message: "not a cursor from this list"}})
				}
			}
			versions, more, err := g.svc.Resources.History(p.Context, kind, tc, name, first, before)
			if err != nil {
				return nil, err
			}
			c := &conn{hasNext: more, total: len(versions)}
			for _, v := range versions {
				c.nodes = append(c.nodes, v)
				cur := fmt.Sprintf("v%d", v.Version)
				c.cursors = append(c.cursors, cur)
				c.endCursor = cur
			}
			return c, nil
		}),
	}
	q["resourceDiff"] = &graphql.Field{
		Type: nn(graphql.NewList(nn(t.diff))), Description: "What changed between two versions.",
		Args: withArgs(kindArgs, graphql.FieldConfigArgument{"from": {Type: nn(graphql.Int)}, "to": {Type: nn(graphql.Int)}}),
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			kind, tc, name, err := g.locate(p.Context, p.Args, "read")
			if err != nil {
				return nil, err
			}
			return g.svc.Resources.Diff(p.Context, kind, tc, name, p.Args["from"].(int), p.Args["to"].(int))
		}),
	}
	q["exportResources"] = &graphql.Field{
		Type: nn(graphql.String), Description: "Every resource at a tenant (and below it, with subtree) that the caller may read, as YAML for gdbos apply.",
		Args: graphql.FieldConfigArgument{"tenant": {Type: nn(graphql.String)}, "subtree": {Type: graphql.Boolean}},
		Resolve: g.authed(func(p graphql.ResolveParams, _ *Caller) (any, error) {
			tc := strArg(p.Args, "tenant")
			if _, ok := g.svc.Tenants.Get(tc); !ok {
				return nil, apierr.New(apierr.NotFound, "no tenant with code %q", tc)
			}
			objs, err := g.svc.Resources.Export(p.Context, tc, boolArg(p.Args, "subtree"))
			if err != nil {
				return nil, err
			}
			visible := objs[:0]
			for _, o := range objs {
				if g.allowed(p.Context, o.Metadata.Tenant, o.Kind, "read") && (g.svc.Exportable == nil || g.svc.Exportable(p.Context, o)) {
					visible = append(visible, o)
				}
			}
			b, err := resource.EncodeYAML(visible)
			return string(b), err
		}),
	}

	m["applyResources"] = &graphql.Field{
		Type:        nn(graphql.NewList(nn(t.applyResult))),
		Description: "Create or update resources, all or none. Either yaml (one or more documents) or objects.",
		Args: graphql.FieldConfigArgument{
			"yaml":    {Type: graphql.String, Description: "YAML or JSON documents separated by ---."},
			"objects": {Type: graphql.NewList(nn(jsonScalar))},
			"dryRun":  {Type: graphql.Boolean, Description: "Validate and diff, write nothing."},
		},
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			objs, err := g.decodeApply(p.Args)
			if err != nil {
				return nil, err
			}
			for _, o := range objs {
				if _, ok := g.svc.Tenants.Get(o.Metadata.Tenant); !ok {
					continue // Apply refuses it with its path, writing nothing
				}
				if err := g.Authorize(p.Context, o.Metadata.Tenant, o.Kind, "write"); err != nil {
					return nil, err
				}
				if err := g.checkGuards(p.Context, "write", o); err != nil {
					return nil, err
				}
			}
			return g.svc.Resources.Apply(p.Context, c.Principal.Username, objs, resource.ApplyOptions{DryRun: boolArg(p.Args, "dryRun")})
		}),
	}
	m["deleteResource"] = &graphql.Field{
		Type: nn(graphql.Boolean), Description: "Delete a resource's layer at a tenant; history keeps it.", Args: kindArgs,
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			kind, tc, name, err := g.locate(p.Context, p.Args, "delete")
			if err != nil {
				return nil, err
			}
			o, err := g.svc.Resources.Get(p.Context, kind, tc, name)
			if err != nil {
				return nil, err
			}
			if err := g.checkGuards(p.Context, "delete", o); err != nil {
				return nil, err
			}
			return true, g.svc.Resources.Delete(p.Context, c.Principal.Username, kind, tc, name)
		}),
	}
	m["revertResource"] = &graphql.Field{
		Type: nn(t.resource), Description: "Write an old version again as the newest.",
		Args: withArgs(kindArgs, graphql.FieldConfigArgument{"version": {Type: nn(graphql.Int)}}),
		Resolve: g.authed(func(p graphql.ResolveParams, c *Caller) (any, error) {
			kind, tc, name, err := g.locate(p.Context, p.Args, "write")
			if err != nil {
				return nil, err
			}
			return g.svc.Resources.Revert(p.Context, c.Principal.Username, kind, tc, name, p.Args["version"].(int))
		}),
	}
}

func (g *Graph) listResources(ctx context.Context, kind string, args map[string]any) (any, error) {
	tc := strArg(args, "tenant")
	if _, ok := g.svc.Resources.Kind(kind); !ok {
		return nil, apierr.New(apierr.NotFound, "no resource kind %q", kind)
	}
	if _, ok := g.svc.Tenants.Get(tc); !ok {
		return nil, apierr.New(apierr.NotFound, "no tenant with code %q", tc)
	}
	if err := g.Authorize(ctx, tc, kind, "read"); err != nil {
		return nil, err
	}
	first, err := firstArg(args)
	if err != nil {
		return nil, err
	}
	page, err := g.svc.Resources.List(ctx, resource.ListOptions{
		Kind: kind, Tenant: tc, Subtree: boolArg(args, "subtree"), Name: strArg(args, "name"),
		First: first, After: strArg(args, "after"),
	})
	if err != nil {
		return nil, err
	}
	c := &conn{hasNext: page.HasNext, endCursor: page.EndCursor, total: page.Total}
	for _, o := range page.Items {
		c.nodes = append(c.nodes, o)
		c.cursors = append(c.cursors, resource.CursorOf(o))
	}
	return c, nil
}

// decodeApply reads the yaml or objects argument into resources, strictly.
func (g *Graph) decodeApply(args map[string]any) ([]resource.Object, error) {
	y, hasYAML := args["yaml"].(string)
	list, hasObjects := args["objects"].([]any)
	switch {
	case hasYAML == hasObjects:
		return nil, apierr.Invalid("nothing to apply", []apierr.FieldError{{Path: "yaml", Message: "give exactly one of yaml or objects"}})
	case hasYAML:
		return resource.Decode([]byte(y))
	}
	docs := make([][]byte, len(list))
	for i, o := range list {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, apierr.Invalid("objects are not JSON", []apierr.FieldError{{Path: fmt.Sprintf("objects/%d", i), Message: err.Error()}})
		}
		docs[i] = b
	}
	return resource.Decode(bytes.Join(docs, []byte("\n---\n")))
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func rawJSON(b []byte) any {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil
	}
	return v
}
