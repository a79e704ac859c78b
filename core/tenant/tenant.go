// Package tenant keeps the tenant tree: one tenant per administrative division,
// stored in the kernel's tenant table and served from memory.
package tenant

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/gdbos/gdbos/core/division"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
)

// Statuses of a tenant.
const (
	StatusActive  = "active"
	StatusRetired = "retired"
)

// Topics passed to Service.OnChange.
const (
	TopicCreated = "tenant.created"
	TopicRetired = "tenant.retired"
)

// Tenant is one node of the tree.
type Tenant struct {
	// Code is the GB/T 2260 division code, unique and immutable.
	Code string
	Name string
	// Level follows from Code (division.Parse).
	Level division.Level
	// Parent is empty for a root.
	Parent string
	// Path is the chain of codes from the root, "/230000/230100/230102/".
	Path string
	// Status is StatusActive or StatusRetired.
	Status string
	// Successor is the code that replaced a retired tenant.
	Successor string
}

// Active reports whether t is in service.
func (t Tenant) Active() bool { return t.Status == StatusActive }

// ListOptions filters List; empty fields do not filter.
type ListOptions struct {
	// Parent keeps the direct children of this code.
	Parent string
	// Level keeps tenants of this level ("city", …).
	Level string
	// Search keeps tenants whose code starts with it or whose name contains it.
	Search string
	// Within keeps this code and its descendants.
	Within string
}

// Service reads the tree from memory and writes it through the store.
type Service struct {
	st *store.Store

	// OnChange, when set, runs inside the transaction of every write, once per changed
	// tenant, with topic TopicCreated or TopicRetired; Actor(ctx) names who wrote. An
	// error rolls the write back. Set it before the service is used.
	OnChange func(ctx context.Context, tx *ent.Tx, topic string, t Tenant) error

	mu   sync.RWMutex
	tree *tree
	// gen counts changes to the tree, so that answers computed from it can be cached.
	gen atomic.Uint64
}

// Generation changes whenever the in-memory tree does.
func (s *Service) Generation() uint64 { return s.gen.Load() }

// New returns a service over st with an empty tree; call Reload to fill it.
func New(st *store.Store) *Service {
	return &Service{st: st, tree: newTree()}
}

type actorKey struct{}

// Actor returns who performs the write whose OnChange hook receives ctx.
func Actor(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

func withActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

func (s *Service) notify(ctx context.Context, tx *ent.Tx, topic string, t Tenant) error {
	if s.OnChange == nil {
		return nil
	}
	return s.OnChange(ctx, tx, topic, t)
}

func fromEnt(e *ent.Tenant) Tenant {
	return Tenant{
		Code:      e.ID,
		Name:      e.Name,
		Level:     division.Level(e.Level),
		Parent:    e.ParentCode,
		Path:      e.Path,
		Status:    e.Status,
		Successor: e.Successor,
	}
}
