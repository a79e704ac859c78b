package graph

import (
	"context"

	"github.com/gdbos/gdbos/core/authz"
	"github.com/gdbos/gdbos/core/identity"
)

type callerKey struct{}

// Caller is who sends a request: a signed-in principal or nobody, and from where.
type Caller struct {
	Principal     identity.Principal
	Authenticated bool
	IP            string
	// Token is the bearer credential as sent, kept for logout.
	Token string
}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller in ctx, or an anonymous one.
func CallerFrom(ctx context.Context) *Caller {
	if c, ok := ctx.Value(callerKey{}).(*Caller); ok && c != nil {
		return c
	}
	return &Caller{}
}

// Subject turns a principal into what the authorizer checks.
func Subject(p identity.Principal) authz.Subject {
	return authz.Subject{
		User:        p.Username,
		Superadmin:  p.Superadmin,
		ScopeTenant: p.TokenTenant,
		Scopes:      p.TokenScopes,
		Service:     p.Service,
	}
}
