package kernel

import (
	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/plugin"
)

// pluginType is a catalog entry in GraphQL.
var pluginType = graphql.NewObject(graphql.ObjectConfig{Name: "Plugin", Description: "An installed vendor plugin.", Fields: graphql.Fields{
	"id":           {Type: graphql.NewNonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(plugin.Entry).ID, nil }},
	"namespace":    {Type: graphql.NewNonNull(graphql.String), Description: "The field under which its GraphQL lives in granting tenants' data APIs.", Resolve: func(p graphql.ResolveParams) (any, error) { return plugin.Namespace(p.Source.(plugin.Entry).ID), nil }},
	"version":      {Type: graphql.NewNonNull(graphql.String), Resolve: entrySpec(func(s plugin.Spec) any { return s.Version })},
	"title":        {Type: graphql.String, Resolve: entrySpec(func(s plugin.Spec) any { return s.Title })},
	"binary":       {Type: graphql.NewNonNull(graphql.String), Resolve: entrySpec(func(s plugin.Spec) any { return s.Binary })},
	"sha256":       {Type: graphql.NewNonNull(graphql.String), Resolve: entrySpec(func(s plugin.Spec) any { return s.SHA256 })},
	"capabilities": {Type: graphql.NewList(graphql.NewNonNull(graphql.String)), Resolve: entrySpec(func(s plugin.Spec) any { return s.Capabilities })},
	"permissions": {Type: graphql.NewList(graphql.NewNonNull(graphql.String)), Description: "What it asks for, as On:action.", Resolve: entrySpec(func(s plugin.Spec) any {
		var out []string
		for _, p := range s.Permissions {
			for _, a := range p.Actions {
				out = append(out, p.On+":"+a)
			}
		}
		return out
	})},
}})

func entrySpec(fn func(plugin.Spec) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(plugin.Entry).Spec), nil }
}

// pluginAdminFields adds the catalog's query and mutations.
func (k *Kernel) pluginAdminFields(q, m graphql.Fields) {
	root := func() string {
		if r := k.tenants.Roots(); len(r) > 0 {
			return r[0].Code
		}
		return ""
	}
	q["plugins"] = &graphql.Field{
		Type:        graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(pluginType))),
		Description: "The plugin catalog.",
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if err := k.graph.Authorize(p.Context, root(), plugin.KindPlugin, "read"); err != nil {
				return nil, err
			}
			return k.plugins.Entries(), nil
		},
	}
	k.pluginHealthField(q, root)
	install := func(upgrade bool) *graphql.Field {
		return &graphql.Field{
			Type: graphql.NewNonNull(pluginType),
			Args: graphql.FieldConfigArgument{
				"binary":      {Type: graphql.NewNonNull(graphql.String), Description: "Path of the binary on the server (every replica)."},
				"sha256":      {Type: graphql.NewNonNull(graphql.String), Description: "Its SHA-256, pinned: a binary whose checksum differs is refused."},
				"timeoutMs":   {Type: graphql.Int},
				"concurrency": {Type: graphql.Int},
				"id":          {Type: graphql.String, Description: "The plugin ID the binary must declare (refused at /metadata/name otherwise), so that an upgrade replaces the plugin meant."},
			},
			Resolve: func(p graphql.ResolveParams) (any, error) {
				if err := k.graph.Authorize(p.Context, root(), plugin.KindPlugin, "write"); err != nil {
					return nil, err
				}
				opts := InstallOptions{Upgrade: upgrade}
				opts.TimeoutMs, _ = p.Args["timeoutMs"].(int)
				opts.Concurrency, _ = p.Args["concurrency"].(int)
				opts.ID, _ = p.Args["id"].(string)
				res, err := k.InstallPlugin(p.Context, graph.CallerFrom(p.Context).Principal.Username, p.Args["binary"].(string), p.Args["sha256"].(string), opts)
				if err != nil {
					return nil, err
				}
				return plugin.EntryOf(res.Object)
			},
		}
	}
	m["installPlugin"] = install(false)
	m["upgradePlugin"] = install(true)
	m["removePlugin"] = &graphql.Field{
		Type:        graphql.NewNonNull(graphql.Boolean),
		Description: "Removes a plugin from the catalog, with every grant of it.",
		Args:        graphql.FieldConfigArgument{"id": {Type: graphql.NewNonNull(graphql.String)}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if err := k.graph.Authorize(p.Context, root(), plugin.KindPlugin, "delete"); err != nil {
				return nil, err
			}
			id := p.Args["id"].(string)
			if _, err := k.resources.Get(p.Context, plugin.KindPlugin, root(), id); err != nil {
				if apierr.CodeOf(err) == apierr.NotFound {
					return nil, apierr.New(apierr.NotFound, "no plugin %s is installed", id)
				}
				return nil, err
			}
			if err := k.RemovePlugin(p.Context, graph.CallerFrom(p.Context).Principal.Username, id); err != nil {
				return nil, err
			}
			return true, nil
		},
	}
}
