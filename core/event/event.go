// Package event is the kernel's event bus: a transactional outbox written in the
// same transaction as the change it reports, a dispatcher that publishes committed
// events, and, with NATS JetStream, delivery to every replica.
package event

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gdbos/gdbos/core/store"
)

// Defaults for Options.
const (
	DefaultSubject      = "gdbos"
	DefaultPollInterval = 250 * time.Millisecond
)

// Event is a committed change, as subscribers see it.
type Event struct {
	// ID is the outbox row's id, unique per database.
	ID int64
	// Topic names what happened, dotted: "identity.session.revoked".
	Topic string
	// Tenant is the tenant the change belongs to, if any.
	Tenant string
	// Payload is the JSON the emitter passed.
	Payload json.RawMessage
	// Time is when the event was emitted (UTC).
	Time time.Time
}

// Options configure a Bus.
type Options struct {
	// NATSURL enables delivery across replicas through NATS JetStream; empty keeps
	// events in this process (one replica only).
	NATSURL string
	// Subject prefixes NATS subjects ("<Subject>.<topic>"); default "gdbos".
	Subject string
	// Replica names this process in logs and in its NATS connection.
	Replica string
	// Logger receives dispatcher and subscriber failures; default slog.Default().
	Logger *slog.Logger
	// PollInterval is how often the outbox is polled besides Kick; default 250ms.
	PollInterval time.Duration
}

// Handler receives events. It runs on the bus's delivery goroutine: it should be
// quick and hand long work off. A panic is recovered and logged.
type Handler func(ctx context.Context, e Event)

// Bus publishes outbox events and delivers them to subscribers.
type Bus struct {
	st   *store.Store
	opts Options
	log  *slog.Logger
	kick chan struct{}

	mu     sync.RWMutex
	subs   map[int]subscription
	nextID int

	cancel context.CancelFunc
	done   chan struct{}
	nc     *nats.Conn
	js     jetstream.JetStream
	cc     jetstream.ConsumeContext
}

type subscription struct {
	prefix string
	fn     Handler
}

// New returns a bus over st's outbox. Nothing runs until Start.
func New(st *store.Store, opts Options) *Bus {
	if opts.Subject == "" {
		opts.Subject = DefaultSubject
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Bus{
		st: st, opts: opts, kick: make(chan struct{}, 1), subs: map[int]subscription{},
		log: opts.Logger.With("part", "event", "replica", opts.Replica),
	}
}

// Subscribe calls fn for every event whose topic starts with topicPrefix (""
// subscribes to all). The returned function unsubscribes.
func (b *Bus) Subscribe(topicPrefix string, fn func(ctx context.Context, e Event)) (unsubscribe func()) {
	b.mu.Lock()
	id := b.nextID
	b.nextID++
	b.subs[id] = subscription{prefix: topicPrefix, fn: fn}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

// Kick wakes the dispatcher; call it after the transaction that emitted commits.
func (b *Bus) Kick() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

func (b *Bus) deliver(ctx context.Context, e Event) {
	b.mu.RLock()
	var fns []Handler
	for _, s := range b.subs {
		if strings.HasPrefix(e.Topic, s.prefix) {
			fns = append(fns, s.fn)
		}
	}
	b.mu.RUnlock()
	for _, fn := range fns {
		b.call(ctx, fn, e)
	}
}

func (b *Bus) call(ctx context.Context, fn Handler, e Event) {
	defer func() {
		if v := recover(); v != nil {
			b.log.Error("event: subscriber panicked", "topic", e.Topic, "id", e.ID, "panic", v)
		}
	}()
	fn(ctx, e)
}
