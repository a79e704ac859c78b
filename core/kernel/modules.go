package kernel

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"entgo.io/ent/dialect/sql/schema"
	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/tenant"
)

// moduleHost is what one module sees of the kernel while it provisions and runs.
type moduleHost struct {
	routes    []moduleRoute
	k         *Kernel
	mod       module.Module
	info      module.Info
	log       *slog.Logger
	queries   graphql.Fields
	mutations graphql.Fields
	perms     []module.Permission
}

var fieldName = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

// moduleRoute is an HTTP handler a module serves under /modules/NAME/.
type moduleRoute struct {
	pattern string
	h       http.Handler
}

var routePattern = regexp.MustCompile(`^(GET |POST |PUT |DELETE )?/[A-Za-z0-9_{}./-]*$`)

func (h *moduleHost) Handle(pattern string, handler http.Handler) error {
	if !routePattern.MatchString(pattern) || handler == nil {
		return fmt.Errorf("kernel: module %s: route %q must be [METHOD ]/path with a handler", h.info.ID, pattern)
	}
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "", pattern
	} else {
		method += " "
	}
	h.routes = append(h.routes, moduleRoute{pattern: method + "/modules/" + module.Name(h.info.ID) + path, h: handler})
	return nil
}

func (k *Kernel) provisionModules(ctx context.Context) error {
	seen := map[string]bool{}
	for _, m := range k.cfg.Modules {
		info := m.Info()
		if err := module.CheckInfo(info); err != nil {
			return err
		}
		if seen[info.ID] {
			return fmt.Errorf("kernel: module %s is listed twice", info.ID)
		}
		seen[info.ID] = true
		h := &moduleHost{k: k, mod: m, info: info, log: k.log.With(slog.String("module", info.ID)),
			queries: graphql.Fields{}, mutations: graphql.Fields{}}
		if p, ok := m.(module.Provisioner); ok {
			if err := p.Provision(ctx, h); err != nil {
				return fmt.Errorf("kernel: provision %s: %w", info.ID, err)
			}
		}
		if v, ok := m.(module.Validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("kernel: module %s is not valid: %w", info.ID, err)
			}
		}
		k.modules = append(k.modules, h)
	}
	return nil
}

// extension gathers the modules' GraphQL fields and the kernel's own that need
// the kernel itself.
func (k *Kernel) extension() graph.Extension {
	ext := graph.Extension{Queries: graphql.Fields{}, Mutations: graphql.Fields{"approveSuperadmin": k.approveSuperadminField()}}
	k.calendarFields(ext.Queries)
	k.standardQueries(ext.Queries)
	k.pluginAdminFields(ext.Queries, ext.Mutations)
	for _, h := range k.modules {
		for n, f := range h.queries {
			ext.Queries[n] = f
		}
		for n, f := range h.mutations {
			ext.Mutations[n] = f
		}
	}
	return ext
}

// Modules lists the provisioned modules.
func (k *Kernel) Modules() []module.Info {
	out := make([]module.Info, len(k.modules))
	for i, h := range k.modules {
		out[i] = h.info
	}
	return out
}

// Permissions lists the permissions the modules declared.
func (k *Kernel) Permissions() []module.Permission {
	var out []module.Permission
	for _, h := range k.modules {
		out = append(out, h.perms...)
	}
	return out
}

func (h *moduleHost) RegisterKind(kind resource.Kind) error {
	return h.k.resources.RegisterKind(kind)
}

func (h *moduleHost) AddQuery(name string, f *graphql.Field) error {
	return h.addField(h.queries, name, f)
}

func (h *moduleHost) AddMutation(name string, f *graphql.Field) error {
	return h.addField(h.mutations, name, f)
}

func (h *moduleHost) addField(into graphql.Fields, name string, f *graphql.Field) error {
	if !fieldName.MatchString(name) {
		return fmt.Errorf("kernel: module %s: field name %q must be lowerCamelCase", h.info.ID, name)
	}
	if f == nil || f.Type == nil {
		return fmt.Errorf("kernel: module %s: field %s has no type", h.info.ID, name)
	}
	for _, other := range h.k.modules {
		if _, taken := other.queries[name]; taken {
			return fmt.Errorf("kernel: module %s: field %s is already defined by %s", h.info.ID, name, other.info.ID)
		}
		if _, taken := other.mutations[name]; taken {
			return fmt.Errorf("kernel: module %s: field %s is already defined by %s", h.info.ID, name, other.info.ID)
		}
	}
	if _, taken := into[name]; taken {
		return fmt.Errorf("kernel: module %s: field %s is defined twice", h.info.ID, name)
	}
	into[name] = f
	return nil
}

func (h *moduleHost) RegisterPermission(p module.Permission) error {
	if p.On == "" || len(p.Actions) == 0 {
		return fmt.Errorf("kernel: module %s: a permission needs an area and actions", h.info.ID)
	}
	h.perms = append(h.perms, p)
	return nil
}

func (h *moduleHost) Subscribe(prefix string, fn func(ctx context.Context, e event.Event)) {
	h.k.events.Subscribe(prefix, fn)
}

func (h *moduleHost) Emit(ctx context.Context, tx *ent.Tx, topic, tenantCode string, payload any) error {
	if err := h.k.events.Emit(ctx, tx, topic, tenantCode, payload); err != nil {
		return err
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			h.k.events.Kick()
			return nil
		})
	})
	return nil
}

func (h *moduleHost) Migrate(ctx context.Context, tables ...*schema.Table) error {
	return h.k.store.Migrate(ctx, tables...)
}

func (h *moduleHost) Enabled(ctx context.Context, tenantCode string) (bool, error) {
	eff, err := h.k.resources.Effective(ctx, "Module", tenantCode, module.Name(h.info.ID))
	if err != nil {
		if apierr.CodeOf(err) == apierr.NotFound {
			return false, nil
		}
		return false, err
	}
	on, _ := eff.Spec["enabled"].(bool)
	return on, nil
}

func (h *moduleHost) Authorize(ctx context.Context, tenantCode, on, action string) error {
	return h.k.graph.Authorize(ctx, tenantCode, on, action)
}

func (h *moduleHost) Store() *store.Store { return h.k.store }

func (h *moduleHost) Logger() *slog.Logger { return h.log }

func (h *moduleHost) Resources() *resource.Service { return h.k.resources }

func (h *moduleHost) Tenants() *tenant.Service { return h.k.tenants }

// interface guard
var _ module.Host = (*moduleHost)(nil)
