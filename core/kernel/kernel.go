// Package kernel assembles GDBOS: it opens the store, builds each part of the kernel,
// wires their events and hooks, provisions the modules it is given and serves HTTP.
// Each part is reachable through a small accessor, so callers depend on the role they
// need, not on the whole kernel.
package kernel

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/authz"
	"github.com/gdbos/gdbos/core/calendar"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/oidc"
	"github.com/gdbos/gdbos/core/plugin"
	"github.com/gdbos/gdbos/core/policy"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/tenant"
)

// Config says how to run a kernel.
type Config struct {
	// DataDir holds the embedded SQLite database when DatabaseURL is empty.
	DataDir string
	// DatabaseURL selects PostgreSQL (postgres://…).
	DatabaseURL string
	// NATSURL, when set, carries events between replicas through JetStream.
	NATSURL string
	// NATSSubject prefixes this deployment's subjects (default "gdbos").
	NATSSubject string
	// AdminPassword is the first start's superadmin password; empty generates one.
	AdminPassword string
	// Demo loads the Heilongjiang tenants into an empty database.
	Demo bool
	// DemoEntities publishes the standard entity schemas (schemas/entities: person,
	// enterprise, licence, application) at 230000 when none is published yet.
	DemoEntities bool
	// Modules are provisioned in order.
	Modules []module.Module
	// Logger receives structured logs; nil uses slog.Default().
	Logger *slog.Logger
	// Limits bound GraphQL requests; zero fields take graph.DefaultLimits.
	Limits graph.Limits
	// Replica names this process in logs and events (default: host name and PID).
	Replica string
	// PluginDataDir holds each plugin's own directory (default DataDir/plugins).
	PluginDataDir string
	// MaskKey keys hashed masks of personal data; set the same value on every
	// replica ($GDBOS_MASK_KEY). Empty: a random key per process.
	MaskKey string
}

// Kernel is a running GDBOS kernel.
type Kernel struct {
	cfg       Config
	log       *slog.Logger
	store     *store.Store
	audit     *audit.Log
	events    *event.Bus
	tenants   *tenant.Service
	resources *resource.Service
	identity  *identity.Service
	authz     *authz.Authorizer
	policies  *policy.Engine
	entities  *entity.Registry
	// entityReload serialises ReloadEntities; retiring, retireSuperadmin.
	entityReload, retiring sync.Mutex
	// calendarCache and standardCache hold built calendars and compiled standards.
	calendarCache *calendarCache
	standardCache *standardCache
	// federation serves OIDC sign-in through the IdentityProvider resources.
	federation *http.ServeMux
	graph      *graph.Graph
	modules    []*moduleHost
	plugins    *plugin.Manager
	// pendingKinds collects, per open transaction, the kinds it changed.
	pendingKinds sync.Map
	// dirty holds kinds changed on other replicas, for the reloader woken by
	// reloadWake; stop ends it.
	dirty      sync.Map
	reloadWake chan struct{}
	stop       context.CancelFunc
	ready      atomic.Bool
	// AdminPassword is the generated superadmin password of a first start, to print
	// once; empty when the admin already existed or the password was given.
	AdminPassword string
}

// New opens the database, migrates it and builds every part. The kernel processes
// events once Start is called.
func New(ctx context.Context, cfg Config) (_ *Kernel, err error) {
	k := &Kernel{cfg: cfg, log: cfg.Logger, reloadWake: make(chan struct{}, 1)}
	if k.log == nil {
		k.log = slog.Default()
	}
	if cfg.Replica == "" {
		host, _ := os.Hostname()
		k.cfg.Replica = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if k.store, err = store.Open(ctx, store.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir}); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			k.store.Close()
		}
	}()
	k.audit = audit.New(k.store)
	if err := k.audit.Install(ctx); err != nil {
		return nil, err
	}
	k.events = event.New(k.store, event.Options{NATSURL: cfg.NATSURL, Subject: cfg.NATSSubject, Replica: k.cfg.Replica, Logger: k.log})
	k.tenants = tenant.New(k.store)
	k.tenants.OnChange = k.onTenantChange
	if err := k.tenants.Reload(ctx); err != nil {
		return nil, err
	}
	k.resources = resource.New(k.store, k.tenants)
	k.resources.SetOnChange(k.onResourceChange)
	k.newPlugins()
	if err := k.registerKernelKinds(); err != nil {
		return nil, err
	}
	k.identity = identity.New(k.store, k.audit, k.events, identity.Options{TenantPath: k.tenantPath})
	k.authz = authz.New(k.tenants)
	k.policies = policy.NewEngine()
	k.entities = entity.NewRegistry(k.store.Dialect, k.checkElement)
	k.calendarCache = &calendarCache{built: map[string]*calendar.Calendar{}}
	k.standardCache = &standardCache{}
	k.watchStandards()
	if err := k.provisionModules(ctx); err != nil {
		return nil, err
	}
	if k.graph, err = graph.New(graph.Services{
		Tenants: k.tenants, Resources: k.resources, Identity: k.identity,
		Authz: k.authz, Policies: k.policies, Audit: k.audit, Logger: k.log, MaskKey: maskKey(cfg.MaskKey), Dialect: sqlDialect(k.store),
		Exportable: k.exportable, Entities: k.entities, Store: k.store, Events: k.events,
		TenantFields: k.pluginFields, TenantFieldsGeneration: k.plugins.Generation,
	}, k.extension(), cfg.Limits); err != nil {
		return nil, err
	}
	if err := k.mountFederation(); err != nil {
		return nil, err
	}
	if err := k.firstStart(ctx); err != nil {
		return nil, err
	}
	if err := k.ReloadAuthz(ctx); err != nil {
		return nil, err
	}
	if err := k.ReloadPolicies(ctx); err != nil {
		return nil, err
	}
	if err := k.ReloadEntities(ctx); err != nil {
		return nil, err
	}
	if err := k.plugins.Load(ctx); err != nil {
		return nil, err
	}
	k.subscribe()
	return k, nil
}

// Start begins event dispatch (and the NATS connection) and marks the kernel ready.
func (k *Kernel) Start(ctx context.Context) error {
	if err := k.events.Start(ctx); err != nil {
		return fmt.Errorf("kernel: events: %w", err)
	}
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	k.stop = stop
	go k.reloader(rctx)
	for _, h := range k.modules {
		if st, ok := h.mod.(module.Starter); ok {
			if err := st.Start(rctx); err != nil {
				return fmt.Errorf("kernel: start %s: %w", h.info.ID, err)
			}
		}
	}
	k.ready.Store(true)
	return nil
}

// Close stops event dispatch, cleans up modules and closes the database.
func (k *Kernel) Close() error {
	k.ready.Store(false)
	if k.stop != nil {
		k.stop()
	}
	var errs []error
	for i := len(k.modules) - 1; i >= 0; i-- {
		if c, ok := k.modules[i].mod.(module.CleanerUpper); ok {
			errs = append(errs, c.Cleanup())
		}
	}
	k.plugins.Close()
	errs = append(errs, k.events.Close(), k.store.Close())
	return errors.Join(errs...)
}

// firstStart creates the superadmin and, with Demo, the demo tenants.
func (k *Kernel) firstStart(ctx context.Context) error {
	generated, created, err := k.identity.Bootstrap(ctx, k.cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("kernel: bootstrap admin: %w", err)
	}
	if created {
		k.AdminPassword = generated
		k.log.InfoContext(ctx, "created the superadmin account", slog.String("username", "admin"))
	}
	if k.cfg.Demo {
		n, err := k.tenants.LoadDemo(ctx, "system")
		if err != nil {
			return fmt.Errorf("kernel: demo tenants: %w", err)
		}
		if n > 0 {
			k.log.InfoContext(ctx, "loaded the demo tenants", slog.Int("tenants", n))
		}
	}
	if err := k.ensureBuiltinRoles(ctx); err != nil {
		return fmt.Errorf("kernel: built-in roles: %w", err)
	}
	if k.cfg.DemoEntities {
		if err := k.publishStandardEntities(ctx); err != nil {
			return fmt.Errorf("kernel: standard entities: %w", err)
		}
	}
	return nil
}

// Store is the kernel's database.
func (k *Kernel) Store() *store.Store { return k.store }

// Tenants is the tenant tree.
func (k *Kernel) Tenants() *tenant.Service { return k.tenants }

// Resources are the configuration resources.
func (k *Kernel) Resources() *resource.Service { return k.resources }

// Identity holds users, sessions and tokens.
func (k *Kernel) Identity() *identity.Service { return k.identity }

// Authz answers permission checks.
func (k *Kernel) Authz() *authz.Authorizer { return k.authz }

// Audit is the audit log.
func (k *Kernel) Audit() *audit.Log { return k.audit }

// Events is the event bus.
func (k *Kernel) Events() *event.Bus { return k.events }

// Graph is the GraphQL endpoint.
func (k *Kernel) Graph() *graph.Graph { return k.graph }

// Ready reports whether the kernel has started and not begun to close.
func (k *Kernel) Ready() bool { return k.ready.Load() }

func (k *Kernel) tenantPath(code string) (string, bool) {
	t, ok := k.tenants.Get(code)
	return t.Path, ok
}

func maskKey(s string) []byte {
	if s != "" {
		return []byte(s)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

func sqlDialect(st *store.Store) string {
	if st.IsPostgres() {
		return "postgres"
	}
	return "sqlite"
}

func (k *Kernel) mountFederation() error {
	fed, err := oidc.New(oidc.Config{Providers: k.resources, Bindings: k.resources, Identities: k.identity, Tenants: k.tenants, Logger: k.log})
	if err != nil {
		return fmt.Errorf("kernel: oidc: %w", err)
	}
	k.federation = http.NewServeMux()
	fed.Routes(k.federation)
	return nil
}
