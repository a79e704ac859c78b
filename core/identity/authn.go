package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/apitoken"
	"github.com/gdbos/gdbos/core/store/ent/session"
)

// Token prefixes: they tell sessions from API tokens and make leaked tokens easy
// to find with secret scanners.
const (
	SessionPrefix = "gds_"
	TokenPrefix   = "gdt_"
)

// cacheTTL bounds how long a revoked token can still work on a replica that missed
// the revocation event.
const (
	cacheTTL       = 30 * time.Second
	cacheSweepSize = 100000
	// lastUsedEvery limits API tokens' last_used_at writes.
	lastUsedEvery = time.Minute
)

func errInvalidToken() error {
	return apierr.New(apierr.Unauthenticated, "invalid or revoked token")
}

func errExpiredToken() error { return apierr.New(apierr.Unauthenticated, "token expired") }

// newToken returns a plaintext token with prefix and the hash stored for it.
func newToken(prefix string) (plain, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("identity: token: %w", err)
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain), nil
}

// HashToken returns the hex sha256 under which a token is stored and cached.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

type cached struct {
	p     Principal
	until time.Time
}

// principalCache is read on every request and written rarely, the case sync.Map
// serves without lock contention. Keys are raw sha256 sums, so a warm lookup
// allocates nothing for the key.
type principalCache struct {
	m    sync.Map // [sha256.Size]byte → cached
	size atomic.Int64
}

func newPrincipalCache() *principalCache { return &principalCache{} }

func (c *principalCache) get(key [sha256.Size]byte, now time.Time) (Principal, bool) {
	v, ok := c.m.Load(key)
	if !ok {
		return Principal{}, false
	}
	e := v.(cached)
	if !now.Before(e.until) {
		return Principal{}, false
	}
	return e.p, true
}

func (c *principalCache) put(key [sha256.Size]byte, p Principal, now, until time.Time) {
	if c.size.Load() >= cacheSweepSize {
		c.m.Range(func(k, v any) bool {
			if !now.Before(v.(cached).until) {
				c.delete(k)
			}
			return true
		})
	}
	if _, loaded := c.m.Swap(key, cached{p: p, until: until}); !loaded {
		c.size.Add(1)
	}
}

func (c *principalCache) delete(key any) {
	if _, loaded := c.m.LoadAndDelete(key); loaded {
		c.size.Add(-1)
	}
}

func (c *principalCache) forget(tokenHash string) {
	var key [sha256.Size]byte
	if b, err := hex.DecodeString(tokenHash); err == nil && len(b) == len(key) {
		copy(key[:], b)
		c.delete(key)
	}
}

func (c *principalCache) forgetUser(userID int) {
	c.m.Range(func(k, v any) bool {
		if v.(cached).p.UserID == userID {
			c.delete(k)
		}
		return true
	})
}

// Forget drops a token from this replica's cache; the service calls it on logout
// and revocation, locally and when another replica reports one.
func (s *Service) Forget(tokenHash string) { s.cache.forget(tokenHash) }

// Authenticate returns who holds bearer, a session ("gds_…") or API token
// ("gdt_…"), with or without a "Bearer " prefix. Results are cached for at most
// 30 seconds and never past the token's expiry.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	token := trimBearer(bearer)
	key := sha256.Sum256([]byte(token))
	now := s.now()
	if p, ok := s.cache.get(key, now); ok {
		return p, nil
	}
	hash := hex.EncodeToString(key[:])
	var (
		p       Principal
		expires *time.Time
		err     error
	)
	switch {
	case strings.HasPrefix(token, SessionPrefix):
		p, expires, err = s.sessionPrincipal(ctx, hash, now)
	case strings.HasPrefix(token, TokenPrefix):
		p, expires, err = s.tokenPrincipal(ctx, hash, now)
	default:
		return Principal{}, errInvalidToken()
	}
	if err != nil {
		return Principal{}, err
	}
	until := now.Add(cacheTTL)
	if expires != nil && expires.Before(until) {
		until = *expires
	}
	s.cache.put(key, p, now, until)
	return p, nil
}

func (s *Service) sessionPrincipal(ctx context.Context, hash string, now time.Time) (Principal, *time.Time, error) {
	row, err := s.st.Client.Session.Query().Where(session.TokenHash(hash)).Only(ctx)
	if ent.IsNotFound(err) {
		return Principal{}, nil, errInvalidToken()
	}
	if err != nil {
		return Principal{}, nil, fmt.Errorf("identity: session: %w", err)
	}
	if row.RevokedAt != nil {
		return Principal{}, nil, errInvalidToken()
	}
	if !now.Before(row.ExpiresAt) {
		return Principal{}, nil, errExpiredToken()
	}
	p, err := s.userPrincipal(ctx, row.UserID)
	p.SessionID = row.ID
	exp := row.ExpiresAt.UTC()
	return p, &exp, err
}

func (s *Service) tokenPrincipal(ctx context.Context, hash string, now time.Time) (Principal, *time.Time, error) {
	row, err := s.st.Client.APIToken.Query().Where(apitoken.TokenHash(hash)).Only(ctx)
	if ent.IsNotFound(err) {
		return Principal{}, nil, errInvalidToken()
	}
	if err != nil {
		return Principal{}, nil, fmt.Errorf("identity: api token: %w", err)
	}
	if row.RevokedAt != nil {
		return Principal{}, nil, errInvalidToken()
	}
	if row.ExpiresAt != nil && !now.Before(*row.ExpiresAt) {
		return Principal{}, nil, errExpiredToken()
	}
	p, err := s.userPrincipal(ctx, row.UserID)
	if err != nil {
		return Principal{}, nil, err
	}
	p.TokenID, p.TokenTenant, p.TokenScopes = row.ID, row.Tenant, row.Scopes
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) > lastUsedEvery {
		if err := row.Update().SetLastUsedAt(now).Exec(ctx); err != nil {
			return Principal{}, nil, fmt.Errorf("identity: token last use: %w", err)
		}
	}
	return p, utcPtr(row.ExpiresAt), nil
}

// userPrincipal loads the token's holder; a disabled or deleted user's tokens are
// invalid.
func (s *Service) userPrincipal(ctx context.Context, userID int) (Principal, error) {
	u, err := s.st.Client.User.Get(ctx, userID)
	if ent.IsNotFound(err) {
		return Principal{}, errInvalidToken()
	}
	if err != nil {
		return Principal{}, fmt.Errorf("identity: token holder: %w", err)
	}
	if u.Disabled {
		return Principal{}, errInvalidToken()
	}
	return Principal{UserID: u.ID, Username: u.Username, Superadmin: u.Superadmin, HomeTenant: u.HomeTenant}, nil
}

func trimBearer(bearer string) string { return strings.TrimPrefix(bearer, "Bearer ") }
