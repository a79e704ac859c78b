// Package identity holds who may sign in to GDBOS: users with argon2id passwords,
// org units (departments, streets, offices) with memberships, browser and CLI
// sessions, and API tokens for programs. It answers "who is this bearer?"
// (Authenticate); what they may do is core/authz's question.
package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
)

// DefaultSessionTTL is how long a session lasts when Options.SessionTTL is unset.
const DefaultSessionTTL = 12 * time.Hour

// Topics of the events the service emits.
const (
	TopicUserCreated    = "identity.user.created"
	TopicUserUpdated    = "identity.user.updated"
	TopicUserDisabled   = "identity.user.disabled"
	TopicSessionCreated = "identity.session.created"
	TopicSessionRevoked = "identity.session.revoked"
	TopicTokenCreated   = "identity.token.created"
	TopicTokenRevoked   = "identity.token.revoked"
	TopicOrgUnitCreated = "identity.orgunit.created"
	TopicOrgUnitUpdated = "identity.orgunit.updated"
	TopicMembershipAdd  = "identity.membership.added"
	// TopicMembershipRemove follows RemoveMembership.
	TopicMembershipRemove = "identity.membership.removed"
)

// Options configure a Service.
type Options struct {
	// SessionTTL is the lifetime of a session; default DefaultSessionTTL.
	SessionTTL time.Duration
	// Now is the clock; default time.Now. Tests move it.
	Now func() time.Time
	// TenantPath resolves a home tenant to its path; when set, a user's home tenant
	// must exist. Without it users have no home path.
	TenantPath func(code string) (string, bool)
}

// Service manages users, org units, sessions and API tokens.
type Service struct {
	st      *store.Store
	log     *audit.Log
	bus     *event.Bus
	opts    Options
	limiter *limiter
	cache   *principalCache

	dummyOnce sync.Once
	dummyHash string
}

// New returns the identity service. It subscribes to revocation events on bus so
// that a logout or revocation on any replica empties this replica's cache.
func New(st *store.Store, log *audit.Log, bus *event.Bus, opts Options) *Service {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Service{st: st, log: log, bus: bus, opts: opts, limiter: newLimiter(), cache: newPrincipalCache()}
	bus.Subscribe("identity.", s.onEvent)
	return s
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// revocation is the payload of the revocation and disable events.
type revocation struct {
	UserID      int      `json:"user_id,omitempty"`
	TokenHashes []string `json:"token_hashes,omitempty"`
}

func (s *Service) onEvent(_ context.Context, e event.Event) {
	switch e.Topic {
	case TopicSessionRevoked, TopicTokenRevoked, TopicUserDisabled:
	default:
		return
	}
	var r revocation
	if json.Unmarshal(e.Payload, &r) != nil {
		return
	}
	for _, h := range r.TokenHashes {
		s.Forget(h)
	}
	if e.Topic == TopicUserDisabled && r.UserID != 0 {
		s.cache.forgetUser(r.UserID)
	}
}

// change is what a write reports: its audit entry and its event.
type change struct {
	actor, action, tenant, target string
	detail                        map[string]any
	topic                         string
	payload                       any
}

// write runs fn and records the change it returns in the same transaction, then
// wakes the bus. A change without action means fn found nothing to do.
func (s *Service) write(ctx context.Context, fn func(tx *ent.Tx) (change, error)) error {
	err := s.st.Tx(ctx, func(tx *ent.Tx) error {
		c, err := fn(tx)
		if err != nil || c.action == "" {
			return err
		}
		return s.record(ctx, tx, c)
	})
	if err != nil {
		return err
	}
	s.bus.Kick()
	return nil
}

func (s *Service) record(ctx context.Context, tx *ent.Tx, c change) error {
	err := s.log.Append(ctx, tx, audit.Entry{
		Time: s.now(), Actor: c.actor, Action: c.action, Tenant: c.tenant, Target: c.target,
		Outcome: audit.OutcomeOK, Detail: c.detail,
	})
	if err != nil {
		return fmt.Errorf("identity: %s: %w", c.action, err)
	}
	if c.topic == "" {
		return nil
	}
	if err := s.bus.Emit(ctx, tx, c.topic, c.tenant, c.payload); err != nil {
		return fmt.Errorf("identity: %s: %w", c.action, err)
	}
	return nil
}

// recordFailure audits a denied or failed attempt in its own transaction.
func (s *Service) recordFailure(ctx context.Context, e audit.Entry) error {
	e.Time = s.now()
	if err := s.log.Record(ctx, e); err != nil {
		return fmt.Errorf("identity: audit %s: %w", e.Action, err)
	}
	return nil
}
