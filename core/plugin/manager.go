package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/sdk/host"
)

// Config connects a Manager to the kernel.
type Config struct {
	// DataDir holds each plugin's own directory (DataDir/ID).
	DataDir string
	// Resources hold the Plugin and PluginGrant resources.
	Resources *resource.Service
	Logger    *slog.Logger
	// Authorize admits a caller to a plugin's fields at tenant and returns the
	// caller's username (the kernel checks sign-in and plugins:read).
	Authorize func(ctx context.Context, tenant string) (user string, err error)
	// Query runs a plugin's call back: GraphQL at tenant as the plugin's service
	// identity holding perms.
	Query func(ctx context.Context, pluginID, tenant string, perms []Permission, query string, variables map[string]any) (map[string]any, error)
	// Coded turns an error into what GraphQL reports (with extensions.code).
	Coded func(ctx context.Context, err error) error
}

// Manager runs the installed plugins.
type Manager struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	faults  faultLogs

	mu      sync.RWMutex
	runners map[string]*runner
	parts   map[string]*schemaPart
	gen     atomic.Uint64
}

// New returns a Manager with no plugins; Load reads the catalog.
func New(cfg Config) *Manager {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Coded == nil {
		cfg.Coded = func(_ context.Context, err error) error { return err }
	}
	m := &Manager{cfg: cfg, log: log, metrics: newMetrics(), runners: map[string]*runner{}, parts: map[string]*schemaPart{}}
	m.gen.Store(1)
	return m
}

// Load reads the catalog: new plugins get a runner (their binary is checked at once,
// their process starts on first use), changed ones are stopped and replaced, removed
// ones stopped. Grants are read when used; Load also marks every tenant's schema for
// rebuilding.
func (m *Manager) Load(ctx context.Context) error {
	objs, err := m.cfg.Resources.All(ctx, KindPlugin)
	if err != nil {
		return fmt.Errorf("plugin: read the catalog: %w", err)
	}
	entries := map[string]Entry{}
	for _, o := range objs {
		e, err := EntryOf(o)
		if err != nil {
			m.log.ErrorContext(ctx, "skipping a catalog entry that does not decode", slog.String("plugin", o.Metadata.Name), slog.Any("err", err))
			continue
		}
		entries[e.ID] = e
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.runners {
		if e, ok := entries[id]; !ok || !reflect.DeepEqual(e, r.entry) {
			r.close()
			delete(m.runners, id)
			delete(m.parts, id)
		}
	}
	for id, e := range entries {
		if _, ok := m.runners[id]; ok {
			continue
		}
		r := newRunner(m, e)
		m.runners[id] = r
		// Check the binary now, off any call's path, so that the first start only
		// starts it (ADR 27); a start that comes sooner waits for the check.
		go func() { _, _ = r.binary() }()
		if e.Spec.GraphQL != nil {
			part, errs := buildSchemaPart(id, e.Spec.GraphQL, func(field string, out graphql.Output) graphql.FieldResolveFn {
				return m.resolver(r, field, out)
			})
			if len(errs) > 0 {
				m.log.ErrorContext(ctx, "plugin GraphQL does not build", slog.String("plugin", id), slog.Any("err", errs.Err("invalid SDL")))
				continue
			}
			m.parts[id] = part
		}
	}
	m.gen.Add(1)
	return nil
}

// Generation changes whenever the catalog or a grant changes, so that the tenants'
// schemas are rebuilt.
func (m *Manager) Generation() uint64 { return m.gen.Load() }

// Invalidate marks every tenant's schema for rebuilding (a grant changed).
func (m *Manager) Invalidate() { m.gen.Add(1) }

// Close stops every plugin.
func (m *Manager) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.runners {
		r.close()
		delete(m.runners, id)
	}
}

func (m *Manager) runner(id string) (*runner, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.runners[id]
	return r, ok
}

// Entries lists the catalog, by ID.
func (m *Manager) Entries() []Entry {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Entry, 0, len(m.runners))
	for _, r := range m.runners {
		out = append(out, r.entry)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Grant returns the grant in effect for plugin id at tenant, if any.
func (m *Manager) Grant(ctx context.Context, tenant, id string) (GrantSpec, bool, error) {
	eff, err := m.cfg.Resources.Effective(ctx, KindGrant, tenant, id)
	if apierr.CodeOf(err) == apierr.NotFound {
		return GrantSpec{}, false, nil
	}
	if err != nil {
		return GrantSpec{}, false, err
	}
	g, err := decodeSpec[GrantSpec](eff.Spec)
	if err != nil {
		return GrantSpec{}, false, err
	}
	return g, true, nil
}

// granted returns the runner of plugin id when tenant grants it capability.
func (m *Manager) granted(ctx context.Context, tenant, id, capability string) (*runner, error) {
	r, ok := m.runner(id)
	if !ok || !r.entry.Has(capability) {
		return nil, apierr.New(apierr.NotFound, "no plugin %s offering %s is installed", id, capability)
	}
	g, ok, err := m.Grant(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	if !ok || !slices.Contains(g.Capabilities, capability) {
		return nil, apierr.New(apierr.Forbidden, "tenant %s does not grant plugin %s the capability %s", tenant, id, capability)
	}
	return r, nil
}

// pluginRoot is the value of a plugin's namespace field: who asked, where, and the
// fields asked, resolved in one call.
type pluginRoot struct {
	tenant, user string
	batch        *batch
}

// Fields returns the namespace fields of the plugins that tenant grants graphql,
// for its schema.
func (m *Manager) Fields(ctx context.Context, tenant string) graphql.Fields {
	m.mu.RLock()
	parts := make(map[string]*schemaPart, len(m.parts))
	for id, p := range m.parts {
		parts[id] = p
	}
	m.mu.RUnlock()
	fields := graphql.Fields{}
	for id, part := range parts {
		g, ok, err := m.Grant(ctx, tenant, id)
		if err != nil {
			m.log.ErrorContext(ctx, "reading a plugin grant failed", slog.String("plugin", id), slog.String("tenant", tenant), slog.Any("err", err))
			continue
		}
		if !ok || !slices.Contains(g.Capabilities, CapGraphQL) {
			continue
		}
		fields[Namespace(id)] = &graphql.Field{
			Type:        graphql.NewNonNull(part.query),
			Description: fmt.Sprintf("Fields of plugin %s, granted to this tenant.", id),
			Resolve: func(p graphql.ResolveParams) (any, error) {
				user, err := m.cfg.Authorize(p.Context, tenant)
				if err != nil {
					return nil, m.cfg.Coded(p.Context, err)
				}
				return &pluginRoot{tenant: tenant, user: user, batch: planBatch(p, part.query)}, nil
			},
		}
	}
	return fields
}

// resolver asks the plugin for a field of its namespace and checks the answer
// against the field's type.
func (m *Manager) resolver(r *runner, field string, out graphql.Output) graphql.FieldResolveFn {
	path := Namespace(r.entry.ID) + "." + field
	return func(p graphql.ResolveParams) (any, error) {
		v, err := m.resolve(p, r, field, out, path)
		if err != nil {
			return nil, m.cfg.Coded(p.Context, err)
		}
		return v, nil
	}
}

func (m *Manager) resolve(p graphql.ResolveParams, r *runner, field string, out graphql.Output, path string) (any, error) {
	root, ok := p.Source.(*pluginRoot)
	if !ok {
		return nil, apierr.New(apierr.Internal, "plugin field %s resolved outside its namespace", path)
	}
	call := host.Call{Tenant: root.tenant, User: root.user}
	key := field
	if len(p.Info.FieldASTs) > 0 && p.Info.FieldASTs[0].Alias != nil {
		key = p.Info.FieldASTs[0].Alias.Value
	}
	a, batched, err := root.batch.answer(key, p.Args, func(fields []host.Field) ([]host.Answer, error) {
		return r.resolveBatch(p.Context, call, fields)
	})
	if !batched {
		var as []host.Answer
		as, err = r.resolveBatch(p.Context, call, []host.Field{{Name: field, Args: p.Args}})
		if err == nil {
			a = as[0]
		}
	}
	if err != nil {
		return nil, err // coded by r.call
	}
	if a.Err != nil {
		return nil, r.coded("resolve", a.Err)
	}
	var v any
	if err := json.Unmarshal(a.Value, &v); err != nil {
		return nil, r.coded("resolve", fmt.Errorf("%w: %v", host.ErrBadResponse, err))
	}
	if err := conform(out, v, path); err != nil {
		return nil, r.coded("resolve", fmt.Errorf("%w: %v", host.ErrBadResponse, err))
	}
	return v, nil
}

// RunAction runs a workflow action of plugin id on a case at tenant.
func (m *Manager) RunAction(ctx context.Context, tenant, user, id, action string, caseData map[string]any) (host.Outcome, error) {
	r, err := m.granted(ctx, tenant, id, CapActions)
	if err != nil {
		return host.Outcome{}, err
	}
	if !slices.Contains(r.entry.Spec.Actions, action) {
		return host.Outcome{}, apierr.New(apierr.NotFound, "plugin %s has no action %s (it has %s)", id, action, strings.Join(r.entry.Spec.Actions, ", "))
	}
	var out host.Outcome
	err = r.call(ctx, "action", func(ctx context.Context, p *host.Process) (err error) {
		out, err = p.RunAction(ctx, host.Call{Tenant: tenant, User: user}, action, caseData)
		return err
	})
	return out, err
}

// CheckQuality runs a quality rule of plugin id on a record at tenant.
func (m *Manager) CheckQuality(ctx context.Context, tenant, id, rule string, record map[string]any) ([]host.Issue, error) {
	r, err := m.granted(ctx, tenant, id, CapQualityRules)
	if err != nil {
		return nil, err
	}
	var out []host.Issue
	err = r.call(ctx, "quality", func(ctx context.Context, p *host.Process) (err error) {
		out, err = p.CheckQuality(ctx, host.Call{Tenant: tenant}, rule, record)
		return err
	})
	return out, err
}

// ReadSource reads rows from a data source of plugin id at tenant.
func (m *Manager) ReadSource(ctx context.Context, tenant, id, source string, query map[string]any) ([]map[string]any, error) {
	r, err := m.granted(ctx, tenant, id, CapDataSources)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	err = r.call(ctx, "source", func(ctx context.Context, p *host.Process) (err error) {
		out, err = p.ReadSource(ctx, host.Call{Tenant: tenant}, source, query)
		return err
	})
	return out, err
}

// Dispatch hands an event to every plugin that handles its topic and is granted
// events at the event's tenant. Delivery is asynchronous, through each plugin's
// queue, so a slow plugin never holds up the event bus.
func (m *Manager) Dispatch(ctx context.Context, e event.Event) {
	if e.Tenant == "" {
		return
	}
	m.mu.RLock()
	var targets []*runner
	for _, r := range m.runners {
		if r.entry.Has(CapEvents) && slices.ContainsFunc(r.entry.Spec.Events, func(prefix string) bool { return strings.HasPrefix(e.Topic, prefix) }) {
			targets = append(targets, r)
		}
	}
	m.mu.RUnlock()
	for _, r := range targets {
		if _, err := m.granted(ctx, e.Tenant, r.entry.ID, CapEvents); err != nil {
			continue
		}
		r.enqueue(e)
	}
}

// kernelFunc answers plugin id's calls back, within its grant at the tenant asked.
func (m *Manager) kernelFunc(id string) host.KernelFunc {
	return func(ctx context.Context, tenant, query string, vars map[string]any) (map[string]any, error) {
		g, ok, err := m.Grant(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		if !ok || len(g.Capabilities) == 0 {
			return nil, apierr.New(apierr.Forbidden, "tenant %s does not grant plugin %s", tenant, id)
		}
		if m.cfg.Query == nil {
			return nil, errors.New("plugin: this kernel answers no calls back")
		}
		return m.cfg.Query(ctx, id, tenant, g.Permissions, query, vars)
	}
}
