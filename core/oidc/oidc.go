// Package oidc signs people in to GDBOS through external OpenID Connect
// providers, such as a province's unified identity platform, configured per
// tenant as IdentityProvider resources. It runs the authorization code flow with
// PKCE, verifies the ID token against the provider's keys, matches or provisions
// the GDBOS user, keeps group role bindings in step and issues a GDBOS session.
package oidc

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/resource"
)

// Kind is the resource kind of an identity provider's configuration.
const Kind = "IdentityProvider"

// Actor is the audit actor of the changes a sign-in makes on its own
// (provisioned users, group bindings).
const Actor = "system:oidc"

// Defaults of Config.
const (
	DefaultStateTTL   = 10 * time.Minute
	DefaultMaxPending = 10000
	DefaultTimeout    = 10 * time.Second
)

// Providers reads IdentityProvider configuration; *resource.Service is one.
type Providers interface {
	Effective(ctx context.Context, kind, tenant, name string) (resource.Effective, error)
}

// Bindings reads and writes the RoleBindings that mirror provider groups;
// *resource.Service is one. Writes are made as Actor, with no caller in ctx.
type Bindings interface {
	Get(ctx context.Context, kind, tenant, name string) (resource.Object, error)
	Apply(ctx context.Context, actor string, objs []resource.Object, opts resource.ApplyOptions) ([]resource.ApplyResult, error)
	Delete(ctx context.Context, actor, kind, tenant, name string) error
}

// Identities finds, provisions and signs in users; *identity.Service is one.
type Identities interface {
	ExternalUser(ctx context.Context, provider, subject string) (identity.User, error)
	ProvisionExternal(ctx context.Context, actor string, acct identity.ExternalAccount) (identity.User, error)
	LoginExternal(ctx context.Context, acct identity.ExternalAccount, ip string) (string, time.Time, identity.User, error)
	RecordExternalRefusal(ctx context.Context, provider, who, ip, reason string) error
}

// Tenants answers whether a tenant lies within another; *tenant.Service is one.
type Tenants interface {
	IsWithin(code, ancestor string) bool
}

// Config holds a Federation's dependencies and settings.
type Config struct {
	Providers  Providers
	Bindings   Bindings
	Identities Identities
	Tenants    Tenants
	// Getenv reads the client secrets named by clientSecretEnv; default os.Getenv.
	Getenv func(string) string
	// HTTPClient talks to providers; default a client with DefaultTimeout.
	HTTPClient *http.Client
	// StateTTL is how long a started sign-in may take; default DefaultStateTTL.
	StateTTL time.Duration
	// MaxPending bounds the sign-ins in progress; default DefaultMaxPending.
	MaxPending int
	// ClientIP names the caller's address for audit; default the request's
	// RemoteAddr host.
	ClientIP func(*http.Request) string
	// Now is the clock; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Federation serves the OIDC sign-in endpoints.
type Federation struct {
	cfg     Config
	pending *pendingStore
	rps     *rpCache
	// syncMu serializes group binding updates on this replica: Apply has no
	// compare-and-swap, and two sign-ins may edit the same binding.
	syncMu sync.Mutex
}

// New returns a Federation; Providers, Bindings, Identities and Tenants are required.
func New(cfg Config) (*Federation, error) {
	if cfg.Providers == nil || cfg.Bindings == nil || cfg.Identities == nil || cfg.Tenants == nil {
		return nil, errors.New("oidc: providers, bindings, identities and tenants are required")
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.StateTTL <= 0 {
		cfg.StateTTL = DefaultStateTTL
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.ClientIP == nil {
		cfg.ClientIP = remoteIP
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Federation{
		cfg:     cfg,
		pending: newPendingStore(cfg.MaxPending, cfg.StateTTL, cfg.Now),
		rps:     newRPCache(cfg.HTTPClient, cfg.Now),
	}, nil
}

// Paths of the endpoints Routes mounts.
const (
	LoginPath    = "/auth/oidc/{tenant}/{provider}/login"
	CallbackPath = "/auth/oidc/callback"
)

// Routes mounts the sign-in endpoints on mux.
func (f *Federation) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+LoginPath, f.handleLogin)
	mux.HandleFunc("GET "+CallbackPath, f.handleCallback)
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
