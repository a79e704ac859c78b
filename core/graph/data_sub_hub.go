package graph

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gdbos/gdbos/core/event"
)

type subscriberKey struct{}

// subscriber is what a subscription resolver needs of its connection.
type subscriber struct {
	c      *socket
	caller *Caller
	// ready is closed once the subscription watches.
	ready chan struct{}
}

func withSubscriber(ctx context.Context, s *subscriber) context.Context {
	return context.WithValue(ctx, subscriberKey{}, s)
}

// subscriberFrom is the connection of a subscription, or nil outside WebSocket.
func subscriberFrom(ctx context.Context) *subscriber {
	s, _ := ctx.Value(subscriberKey{}).(*subscriber)
	return s
}

// watch registers for the changes of entity under the tenant path.
func (s *subscriber) watch(entityName, path string) *changeWatch {
	w := &changeWatch{hub: s.c.hub, entity: entityName, path: path, queue: make(chan RecordChange, s.c.hub.buffer),
		slow: func() { s.c.close(CloseTooSlow, "too slow: changes were not read") }}
	s.c.hub.add(w)
	close(s.ready)
	return w
}

// stillSignedIn checks the connection's credential before a delivery: a session
// that ended (logout, revocation, expiry, a disabled user) closes the connection.
func (s *subscriber) stillSignedIn(ctx context.Context) bool {
	if s.caller.Token == "" {
		return true
	}
	if _, err := s.c.g.svc.Identity.Authenticate(ctx, s.caller.Token); err != nil {
		go s.c.close(CloseForbidden, "Forbidden: the session has ended")
		return false
	}
	return true
}

// changeHub hands record.changed events from the bus to the subscriptions watching
// them, without ever blocking the bus.
type changeHub struct {
	buffer int

	mu      sync.RWMutex
	watches map[string]map[*changeWatch]struct{}
	callers map[string]int
}

// changeWatch is one subscription's interest: an entity under a tenant path.
type changeWatch struct {
	hub     *changeHub
	entity  string
	path    string
	queue   chan RecordChange
	slow    func()
	dropped atomic.Bool
}

func (h *changeHub) add(w *changeWatch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.watches[w.entity]
	if set == nil {
		set = map[*changeWatch]struct{}{}
		h.watches[w.entity] = set
	}
	set[w] = struct{}{}
}

func (w *changeWatch) stop() {
	h := w.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.watches[w.entity], w)
	if len(h.watches[w.entity]) == 0 {
		delete(h.watches, w.entity)
	}
}

// deliver runs on the bus: a subscription whose queue is full is dropped.
func (h *changeHub) deliver(_ context.Context, e event.Event) {
	var ch RecordChange
	if json.Unmarshal(e.Payload, &ch) != nil {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for w := range h.watches[ch.Entity] {
		if !strings.HasPrefix(ch.Path, w.path) {
			continue
		}
		select {
		case w.queue <- ch:
		default:
			if !w.dropped.Swap(true) {
				go w.slow()
			}
		}
	}
}

// reserve counts an operation of the caller against limit.
func (h *changeHub) reserve(key string, limit int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.callers[key] >= limit {
		return false
	}
	h.callers[key]++
	return true
}

func (h *changeHub) release(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.callers[key]--; h.callers[key] <= 0 {
		delete(h.callers, key)
	}
}
