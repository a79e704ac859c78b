// Package ratelimit keeps token buckets per key (a token, an address), dropping idle
// ones. It is a leaf package.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Limiter is a set of token buckets, one per key. Idle buckets are dropped so that
// the set stays small. A nil Limiter, or one with a zero rate, allows everything.
type Limiter struct {
	rate  float64 // tokens per second; 0 turns the limiter off
	burst float64
	mu    sync.Mutex
	b     map[string]*bucket
	swept time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a limiter of perSecond tokens per key, holding at most burst.
func New(perSecond, burst int) *Limiter {
	if burst < perSecond {
		burst = perSecond
	}
	return &Limiter{rate: float64(perSecond), burst: float64(burst), b: map[string]*bucket{}}
}

// Allow takes one token for key; when none is left it says how long to wait.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil || l.rate == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.b {
			if now.Sub(b.last) > 5*time.Minute {
				delete(l.b, k)
			}
		}
		l.swept = now
	}
	b, ok := l.b[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.b[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}
