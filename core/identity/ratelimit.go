package identity

import (
	"sync"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
)

// Sign-in limits. They live in memory: each replica counts its own attempts.
const (
	accountFailures = 5
	accountWindow   = 15 * time.Minute
	accountLockout  = 15 * time.Minute
	ipFailures      = 20
	ipWindow        = time.Minute
	// sweepAbove is the number of tracked keys past which stale ones are dropped.
	sweepAbove = 10000
)

type attempts struct {
	failures    []time.Time
	lockedUntil time.Time
}

type limiter struct {
	mu    sync.Mutex
	users map[string]*attempts
	ips   map[string]*attempts
}

func newLimiter() *limiter {
	return &limiter{users: map[string]*attempts{}, ips: map[string]*attempts{}}
}

// allow returns a RATE_LIMITED error when the account is locked or the address has
// failed too often.
func (l *limiter) allow(username, ip string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a := l.users[username]; a != nil && now.Before(a.lockedUntil) {
		return apierr.New(apierr.RateLimited, "too many failed sign-ins for this account; try again after %s",
			a.lockedUntil.UTC().Format("15:04"))
	}
	if a := l.ips[ip]; a != nil && recent(a.failures, now, ipWindow) >= ipFailures {
		return apierr.New(apierr.RateLimited, "too many failed sign-ins from this address; try again in a minute")
	}
	return nil
}

// fail counts a failed attempt and locks the account at the limit.
func (l *limiter) fail(username, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.users)+len(l.ips) > sweepAbove {
		l.sweep(now)
	}
	u := entry(l.users, username)
	u.failures = append(trim(u.failures, now, accountWindow), now)
	if len(u.failures) >= accountFailures {
		u.lockedUntil, u.failures = now.Add(accountLockout), nil
	}
	a := entry(l.ips, ip)
	a.failures = append(trim(a.failures, now, ipWindow), now)
}

// succeed clears the account's failures.
func (l *limiter) succeed(username string) {
	l.mu.Lock()
	delete(l.users, username)
	l.mu.Unlock()
}

func (l *limiter) sweep(now time.Time) {
	for k, a := range l.users {
		if now.After(a.lockedUntil) && recent(a.failures, now, accountWindow) == 0 {
			delete(l.users, k)
		}
	}
	for k, a := range l.ips {
		if recent(a.failures, now, ipWindow) == 0 {
			delete(l.ips, k)
		}
	}
}

func entry(m map[string]*attempts, key string) *attempts {
	a := m[key]
	if a == nil {
		a = &attempts{}
		m[key] = a
	}
	return a
}

func recent(ts []time.Time, now time.Time, window time.Duration) int {
	return len(trim(ts, now, window))
}

// trim drops times older than window; ts is in time order.
func trim(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-window)) {
		i++
	}
	return ts[i:]
}
