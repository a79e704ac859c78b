package oidc

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
)

// pending is a sign-in started at the login endpoint and not yet completed.
// It never leaves the server: the browser carries only the random state, in the
// provider's redirect and in a cookie that binds the sign-in to that browser.
type pending struct {
	tenant, provider string
	verifier, nonce  string
	redirect         string
	created          time.Time
}

// pendingStore keeps pending sign-ins in memory, bounded in number and age.
// Each state is taken at most once, so a replayed callback finds nothing.
// The store is per replica: a load balancer must send a browser's callback to
// the replica that served its login (see docs/oidc.md).
type pendingStore struct {
	mu  sync.Mutex
	m   map[string]pending
	max int
	ttl time.Duration
	now func() time.Time
}

func newPendingStore(max int, ttl time.Duration, now func() time.Time) *pendingStore {
	return &pendingStore{m: map[string]pending{}, max: max, ttl: ttl, now: now}
}

// put stores p under a new random state and returns the state.
func (s *pendingStore) put(p pending) (string, error) {
	state, err := randomString()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.m) >= s.max {
		s.sweep(now)
	}
	if len(s.m) >= s.max {
		return "", apierr.New(apierr.RateLimited, "too many sign-ins in progress; try again in a few minutes")
	}
	p.created = now
	s.m[state] = p
	return state, nil
}

// take removes and returns the sign-in of state.
func (s *pendingStore) take(state string) (pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[state]
	if !ok {
		return pending{}, apierr.New(apierr.BadRequest, "unknown or already used sign-in state; start the sign-in again")
	}
	delete(s.m, state)
	if s.now().Sub(p.created) > s.ttl {
		return pending{}, apierr.New(apierr.BadRequest, "the sign-in took longer than %s and expired; start it again", s.ttl)
	}
	return p, nil
}

func (s *pendingStore) sweep(now time.Time) {
	for k, p := range s.m {
		if now.Sub(p.created) > s.ttl {
			delete(s.m, k)
		}
	}
}

// randomString returns 32 random bytes, base64url-encoded.
func randomString() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oidc: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
