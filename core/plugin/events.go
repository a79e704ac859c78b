package plugin

import (
	"context"
	"log/slog"

	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/sdk/host"
)

// queueSize is how many events wait for one plugin before new ones are dropped.
const queueSize = 1024

// enqueue hands e to the plugin's event worker, starting it on first use.
func (r *runner) enqueue(e event.Event) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if r.events == nil {
		r.events = make(chan event.Event, queueSize)
		go r.deliver(r.events)
	}
	q := r.events
	r.mu.Unlock()
	select {
	case q <- e:
	default:
		r.m.metrics.calls.WithLabelValues(r.entry.ID, "event", "dropped").Inc()
		r.log.Warn("plugin event queue is full; event dropped", slog.String("topic", e.Topic), slog.Int64("id", e.ID))
	}
}

func (r *runner) deliver(q <-chan event.Event) {
	for {
		select {
		case <-r.stop:
			return
		case e := <-q:
			err := r.call(context.Background(), "event", func(ctx context.Context, p *host.Process) error {
				return p.HandleEvent(ctx, host.Call{Tenant: e.Tenant}, host.Event{ID: e.ID, Topic: e.Topic, Payload: e.Payload, Time: e.Time})
			})
			if err != nil {
				r.log.Warn("plugin failed to handle an event", slog.String("topic", e.Topic), slog.Int64("id", e.ID), slog.Any("err", err))
			}
		}
	}
}
