package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/plugin"
	"github.com/gdbos/gdbos/core/resource"
)

// AreaPlugins is the API area a caller needs read on, at a tenant, to use the
// fields of the plugins the tenant granted.
const AreaPlugins = "plugins"

// Plugins runs the installed vendor plugins.
func (k *Kernel) Plugins() *plugin.Manager { return k.plugins }

func (k *Kernel) newPlugins() {
	dir := k.cfg.PluginDataDir
	if dir == "" {
		dir = filepath.Join(k.cfg.DataDir, "plugins")
		if k.cfg.DataDir == "" {
			dir = filepath.Join("gdbos-data", "plugins")
		}
	}
	k.plugins = plugin.New(plugin.Config{
		DataDir: dir, Resources: k.resources, Logger: k.log,
		Authorize: func(ctx context.Context, tenant string) (string, error) {
			if err := k.graph.Authorize(ctx, tenant, AreaPlugins, "read"); err != nil {
				return "", err
			}
			return graph.CallerFrom(ctx).Principal.Username, nil
		},
		Query: k.pluginQuery,
		Coded: func(ctx context.Context, err error) error { return k.graph.Coded(ctx, err) },
	})
}

func (k *Kernel) isRootTenant(code string) bool {
	for _, r := range k.tenants.Roots() {
		if r.Code == code {
			return true
		}
	}
	return false
}

// pluginQuery runs a plugin's call back on the tenant's data API as the plugin's
// service identity, which holds exactly the permissions the tenant granted it.
func (k *Kernel) pluginQuery(ctx context.Context, id, tenant string, perms []plugin.Permission, query string, vars map[string]any) (map[string]any, error) {
	var scopes []string
	for _, p := range perms {
		for _, a := range p.Actions {
			scopes = append(scopes, p.On+":"+a)
		}
	}
	ctx = graph.WithCaller(ctx, &graph.Caller{Authenticated: true, Principal: identity.Principal{
		Username: "plugin:" + id, Service: true, TokenTenant: tenant, TokenScopes: scopes,
	}})
	res, err := k.graph.DoData(ctx, tenant, graph.Request{Query: query, Variables: vars})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		msgs := make([]string, len(res.Errors))
		for i, e := range res.Errors {
			msgs[i] = e.Message
		}
		code := apierr.BadRequest
		if c, ok := res.Errors[0].Extensions["code"].(string); ok {
			code = apierr.Code(c)
		}
		return nil, apierr.New(code, "%s", strings.Join(msgs, "; "))
	}
	b, err := json.Marshal(res.Data)
	if err != nil {
		return nil, fmt.Errorf("kernel: plugin query answer: %w", err)
	}
	var data map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, fmt.Errorf("kernel: plugin query answer: %w", err)
	}
	return data, nil
}

// pluginFields are a tenant's plugin fields in its data API.
func (k *Kernel) pluginFields(ctx context.Context, tenant string) graphql.Fields {
	return k.plugins.Fields(ctx, tenant)
}

// reloadPlugins follows the catalog and grants.
func (k *Kernel) reloadPlugins(ctx context.Context, kind string) {
	switch kind {
	case plugin.KindPlugin:
		if err := k.plugins.Load(ctx); err != nil {
			k.log.ErrorContext(ctx, "reloading plugins failed", slog.Any("err", err))
		}
	case plugin.KindGrant:
		k.plugins.Invalidate()
	}
}

// InstallOptions adjust a catalog entry beyond what the binary declares.
type InstallOptions struct {
	// TimeoutMs and Concurrency bound each call (0: the defaults).
	TimeoutMs, Concurrency int
	// Upgrade requires the plugin to be installed already.
	Upgrade bool
	// ID, when set, is the plugin ID the binary must declare.
	ID string
}

// InstallPlugin inspects a binary (its checksum must be sha256) and writes its
// catalog entry at the root tenant: install and upgrade alike.
func (k *Kernel) InstallPlugin(ctx context.Context, actor, binary, sha256 string, opts InstallOptions) (resource.ApplyResult, error) {
	roots := k.tenants.Roots()
	if len(roots) == 0 {
		return resource.ApplyResult{}, apierr.New(apierr.BadRequest, "there is no root tenant to install plugins at")
	}
	abs, err := filepath.Abs(binary)
	if err != nil {
		return resource.ApplyResult{}, apierr.New(apierr.BadRequest, "binary path %q: %v", binary, err)
	}
	man, err := k.plugins.Inspect(ctx, abs, sha256)
	if err != nil {
		return resource.ApplyResult{}, installRefusal(abs, sha256, err)
	}
	if opts.ID != "" && man.ID != opts.ID {
		return resource.ApplyResult{}, apierr.Invalid("cannot install "+abs, []apierr.FieldError{{Path: "/metadata/name",
			Message: fmt.Sprintf("the binary is plugin %q, not %q", man.ID, opts.ID)}})
	}
	obj := plugin.CatalogObject(roots[0].Code, abs, sha256, man)
	_, err = k.resources.Get(ctx, plugin.KindPlugin, roots[0].Code, man.ID)
	switch {
	case opts.Upgrade && apierr.CodeOf(err) == apierr.NotFound:
		return resource.ApplyResult{}, apierr.New(apierr.NotFound, "plugin %s is not installed; install it first", man.ID)
	case err != nil && apierr.CodeOf(err) != apierr.NotFound:
		return resource.ApplyResult{}, err
	}
	if opts.TimeoutMs > 0 {
		obj.Spec["timeoutMs"] = opts.TimeoutMs
	}
	if opts.Concurrency > 0 {
		obj.Spec["concurrency"] = opts.Concurrency
	}
	res, err := k.resources.Apply(ctx, actor, []resource.Object{obj}, resource.ApplyOptions{})
	if err != nil {
		return resource.ApplyResult{}, err
	}
	return res[0], nil
}

// RemovePlugin deletes a plugin's catalog entry and every grant of it.
func (k *Kernel) RemovePlugin(ctx context.Context, actor, id string) error {
	roots := k.tenants.Roots()
	if len(roots) == 0 {
		return apierr.New(apierr.NotFound, "no plugin %s is installed", id)
	}
	grants, err := k.resources.All(ctx, plugin.KindGrant)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.Metadata.Name == id {
			if err := k.resources.Delete(ctx, actor, plugin.KindGrant, g.Metadata.Tenant, id); err != nil {
				return err
			}
		}
	}
	return k.resources.Delete(ctx, actor, plugin.KindPlugin, roots[0].Code, id)
}
