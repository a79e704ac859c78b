// Package module is the contract between the kernel and the modules that add the
// business (catalog, approval, governance, policy). The kernel never imports a module:
// a distribution lists its modules in cmd/gdbos and hands them to the kernel, which
// provisions each one with a Host.
package module

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"

	"entgo.io/ent/dialect/sql/schema"
	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/tenant"
)

// Module is a business module. New modules are values with no side effects until
// Provision is called; what a module needs it asks the Host for.
type Module interface {
	// Info describes the module. It must not depend on provisioning.
	Info() Info
}

// Info names a module and says what it is for.
type Info struct {
	// ID is the module's dotted identifier, gdbos.modules.NAME. NAME is also the name
	// of the Module resource that enables it at a tenant.
	ID string
	// Name is a short human name ("Service-item catalog").
	Name string
	// Description says what the module adds.
	Description string
}

// Provisioner is implemented by modules that register kinds, fields, permissions or
// tables. Provision runs once, at kernel start, before the server accepts requests.
type Provisioner interface {
	Provision(ctx context.Context, h Host) error
}

// Validator is implemented by modules that check their own setup after Provision.
type Validator interface {
	Validate() error
}

// Starter is implemented by modules with work to begin once the kernel serves (the
// demo tenants exist, events flow): background loads, timers. Start must return
// quickly; ctx ends when the kernel closes.
type Starter interface {
	Start(ctx context.Context) error
}

// CleanerUpper is implemented by modules that hold resources to release at shutdown.
type CleanerUpper interface {
	Cleanup() error
}

// Permission is one (area, action) pair a module checks; the security administrator
// can then grant it in a Role.
type Permission struct {
	On      string
	Actions []string
	// Description says what the permission allows, for the console and docs.
	Description string
}

// Host is what the kernel offers a module while it provisions.
type Host interface {
	// RegisterKind adds a resource kind (with its JSON Schema) owned by the module.
	RegisterKind(k resource.Kind) error
	// AddQuery and AddMutation add root GraphQL fields. Resolvers must check
	// Authorize and Enabled themselves; the kernel only authenticates.
	AddQuery(name string, f *graphql.Field) error
	AddMutation(name string, f *graphql.Field) error
	// RegisterPermission declares a permission the module checks.
	RegisterPermission(p Permission) error
	// Subscribe calls fn for every event whose topic starts with prefix.
	Subscribe(prefix string, fn func(ctx context.Context, e event.Event))
	// Emit writes an event to the outbox inside tx; subscribers (on every replica)
	// receive it once tx commits.
	Emit(ctx context.Context, tx *ent.Tx, topic, tenant string, payload any) error
	// Handle serves h under /modules/NAME/ (NAME from the module's ID), pattern
	// relative to it ("GET /guide/{tenant}/{code}"). The kernel rate-limits by address
	// and measures it but does not authenticate: the module serves what it decides
	// is public, or authorizes itself.
	Handle(pattern string, h http.Handler) error
	// Migrate creates or alters the module's own tables.
	Migrate(ctx context.Context, tables ...*schema.Table) error
	// Enabled reports whether the module runs at a tenant: the effective
	// Module resource named after the module says enabled: true.
	Enabled(ctx context.Context, tenant string) (bool, error)
	// Authorize returns nil when the caller in ctx may do action on on at tenant,
	// else a FORBIDDEN or UNAUTHENTICATED *apierr.Error (and records the denial).
	Authorize(ctx context.Context, tenant, on, action string) error
	// Store is the kernel's database, for the module's own tables.
	Store() *store.Store
	// Resources reads and writes resources (the module's kinds among them) with the
	// kernel's validation, inheritance, locks and history.
	Resources() *resource.Service
	// Tenants is the tenant tree, read-only for modules.
	Tenants() *tenant.Service
	// Logger is tagged with the module's ID.
	Logger() *slog.Logger
}

var idPattern = regexp.MustCompile(`^gdbos\.modules\.[a-z][a-z0-9_]*$`)

// Name returns the last part of a module ID: gdbos.modules.catalog → catalog.
func Name(id string) string {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '.' {
			return id[i+1:]
		}
	}
	return id
}

// CheckInfo reports what is wrong with a module's Info.
func CheckInfo(in Info) error {
	if !idPattern.MatchString(in.ID) {
		return fmt.Errorf("module: id %q must look like gdbos.modules.name", in.ID)
	}
	if in.Name == "" {
		return fmt.Errorf("module %s: name is empty", in.ID)
	}
	return nil
}
