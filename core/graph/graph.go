// Package graph is GDBOS's one GraphQL endpoint: the kernel's types and fields, plus
// what modules add, over HTTP, with every field that touches data authorized.
package graph

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/authz"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/policy"
	"github.com/gdbos/gdbos/core/ratelimit"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/tenant"
)

// Services are the kernel parts the API serves.
type Services struct {
	Tenants   *tenant.Service
	Resources *resource.Service
	Identity  *identity.Service
	Authz     *authz.Authorizer
	Policies  *policy.Engine
	Audit     *audit.Log
	Logger    *slog.Logger
	// MaskKey keys the hash mask rule; it must be the same on every replica.
	MaskKey []byte
	// Dialect is the database's SQL dialect for compiled row filters: "sqlite" or
	// "postgres".
	Dialect string
	// Exportable, when set, says which resources exportResources includes (the
	// kernel leaves out what each installation makes for itself).
	Exportable func(context.Context, resource.Object) bool
	// Entities are the published entity schemas, served by each tenant's data API
	// at /data/{tenant}/graphql; Store holds their records.
	Entities *entity.Registry
	Store    *store.Store
	// Events carries record changes to the data APIs' subscriptions on every replica.
	Events *event.Bus
	// TenantFields, when set, adds root query fields to a tenant's data API (the
	// plugins the tenant granted); TenantFieldsGeneration changes when they do.
	TenantFields           func(ctx context.Context, tenant string) graphql.Fields
	TenantFieldsGeneration func() uint64
}

// Extension is what modules add to the schema.
type Extension struct {
	Queries   graphql.Fields
	Mutations graphql.Fields
}

// Limits bound what one request may cost.
type Limits struct {
	// MaxDepth is the deepest selection a query may have.
	MaxDepth int
	// MaxBodyBytes is the largest request body accepted.
	MaxBodyBytes int64
	// CacheSize is how many parsed, validated queries are kept.
	CacheSize int
	// TokenRate is how many requests per second one session or API token may send
	// (bursts up to twice that); negative turns the limit off.
	TokenRate int
	// AnonymousRate is how many requests per second one address may send without a
	// token (sign-ins); negative turns the limit off.
	AnonymousRate int
}

// DefaultLimits are used where a Limits field is zero.
var DefaultLimits = Limits{MaxDepth: 12, MaxBodyBytes: 4 << 20, CacheSize: 1024, TokenRate: 1000, AnonymousRate: 20}

// Graph is the schema and the services behind it.
type Graph struct {
	svc    Services
	log    *slog.Logger
	schema graphql.Schema
	limits Limits
	docs   *lru[prepared]
	// answers holds encoded answers of queries that read only the tenant tree.
	answers *lru[[]byte]
	types   *types
	conns   map[string]*graphql.Object
	// maskKey keys hashed masks.
	maskKey []byte
	dialect string
	// byToken and byAddress limit request rates.
	byToken, byAddress *ratelimit.Limiter
	// data holds each tenant's data API (*dataAPI by tenant code).
	data sync.Map
}

// New builds the schema from the kernel's fields and the modules' extensions.
func New(svc Services, ext Extension, limits Limits) (*Graph, error) {
	if limits.MaxDepth == 0 {
		limits.MaxDepth = DefaultLimits.MaxDepth
	}
	if limits.MaxBodyBytes == 0 {
		limits.MaxBodyBytes = DefaultLimits.MaxBodyBytes
	}
	if limits.CacheSize == 0 {
		limits.CacheSize = DefaultLimits.CacheSize
	}
	if limits.TokenRate == 0 {
		limits.TokenRate = DefaultLimits.TokenRate
	}
	if limits.AnonymousRate == 0 {
		limits.AnonymousRate = DefaultLimits.AnonymousRate
	}
	log := svc.Logger
	if log == nil {
		log = slog.Default()
	}
	g := &Graph{
		svc: svc, log: log, limits: limits, maskKey: svc.MaskKey, dialect: svc.Dialect, conns: map[string]*graphql.Object{},
		docs: newLRU[prepared](limits.CacheSize), answers: newLRU[[]byte](4 * limits.CacheSize),
	}
	g.byToken = ratelimit.New(max(limits.TokenRate, 0), 2*max(limits.TokenRate, 0))
	g.byAddress = ratelimit.New(max(limits.AnonymousRate, 0), 2*max(limits.AnonymousRate, 0))
	g.types = g.buildTypes()

	query := graphql.Fields{}
	mutation := graphql.Fields{}
	for _, add := range []func(q, m graphql.Fields){g.tenantFields, g.resourceFields, g.identityFields, g.auditFields, g.explainFields} {
		add(query, mutation)
	}
	for name, f := range ext.Queries {
		if _, taken := query[name]; taken {
			return nil, fmt.Errorf("graph: query field %q is defined twice", name)
		}
		query[name] = g.guard(f)
	}
	for name, f := range ext.Mutations {
		if _, taken := mutation[name]; taken {
			return nil, fmt.Errorf("graph: mutation field %q is defined twice", name)
		}
		mutation[name] = g.guard(f)
	}
	schema, err := graphql.NewSchema(graphql.SchemaConfig{
		Query:    graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: query}),
		Mutation: graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: mutation}),
	})
	if err != nil {
		return nil, fmt.Errorf("graph: schema: %w", err)
	}
	g.schema = schema
	return g, nil
}

// Schema returns the built schema.
func (g *Graph) Schema() graphql.Schema { return g.schema }

// guard wraps a module's field so that it needs a signed-in caller and its errors
// are reported with codes like the kernel's own.
func (g *Graph) guard(f *graphql.Field) *graphql.Field {
	inner := f.Resolve
	out := *f
	out.Resolve = func(p graphql.ResolveParams) (any, error) {
		if err := requireCaller(p.Context); err != nil {
			return nil, g.toGQL(p.Context, err)
		}
		if inner == nil {
			return nil, nil
		}
		v, err := inner(p)
		return v, g.toGQL(p.Context, err)
	}
	return &out
}

// resolver adapts a resolver returning plain errors into one returning coded errors.
func (g *Graph) resolver(fn func(p graphql.ResolveParams) (any, error)) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		v, err := fn(p)
		if err != nil {
			return nil, g.toGQL(p.Context, err)
		}
		return v, nil
	}
}

// authed is resolver for fields that need a signed-in caller.
func (g *Graph) authed(fn func(p graphql.ResolveParams, c *Caller) (any, error)) graphql.FieldResolveFn {
	return g.resolver(func(p graphql.ResolveParams) (any, error) {
		if err := requireCaller(p.Context); err != nil {
			return nil, err
		}
		return fn(p, CallerFrom(p.Context))
	})
}

func requireCaller(ctx context.Context) error {
	if !CallerFrom(ctx).Authenticated {
		return apierr.New(apierr.Unauthenticated, "sign in first: send Authorization: Bearer <token> (mutation login)")
	}
	return nil
}

// Authorize returns nil when the caller may do action on on at tenant; otherwise it
// records the denial in the audit log and returns FORBIDDEN.
func (g *Graph) Authorize(ctx context.Context, tenantCode, on, action string) error {
	c := CallerFrom(ctx)
	if !c.Authenticated {
		return requireCaller(ctx)
	}
	d := g.svc.Authz.Check(Subject(c.Principal), tenantCode, on, action)
	if d.Allowed {
		return nil
	}
	if err := g.svc.Audit.Record(ctx, audit.Entry{
		Actor: c.Principal.Username, Action: "authz.denied", Tenant: tenantCode,
		Target: on + ":" + action, Outcome: "denied", Detail: map[string]any{"reason": d.Reason, "ip": c.IP},
	}); err != nil {
		g.log.ErrorContext(ctx, "audit: recording a denial failed", slog.Any("err", err))
	}
	return &apierr.Error{
		Code:    apierr.Forbidden,
		Message: fmt.Sprintf("%s may not %s %s at tenant %s", c.Principal.Username, action, on, tenantCode),
		Details: map[string]any{"reason": d.Reason},
	}
}

// allowed answers without recording: for filtering what a list shows.
func (g *Graph) allowed(ctx context.Context, tenantCode, on, action string) bool {
	c := CallerFrom(ctx)
	return c.Authenticated && g.svc.Authz.Check(Subject(c.Principal), tenantCode, on, action).Allowed
}
