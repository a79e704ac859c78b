package event

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/outboxevent"
)

const (
	claimBatch = 100
	// retention is how long published rows stay in the outbox.
	retention = 7 * 24 * time.Hour
)

// Emit writes an event to the outbox inside the caller's transaction, so the
// change and its event commit together or not at all. payload is encoded as JSON
// (a json.RawMessage is kept as is). Call Kick after the commit.
func (b *Bus) Emit(ctx context.Context, tx *ent.Tx, topic, tenant string, payload any) error {
	if err := checkTopic(topic); err != nil {
		return err
	}
	raw, ok := payload.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(payload); err != nil {
			return fmt.Errorf("event: encode %s payload: %w", topic, err)
		}
	}
	err := tx.OutboxEvent.Create().SetTopic(topic).SetTenant(tenant).SetPayload(string(raw)).
		SetCreatedAt(time.Now().UTC()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("event: emit %s: %w", topic, err)
	}
	return nil
}

// checkTopic keeps topics usable as NATS subject tokens.
func checkTopic(topic string) error {
	if topic == "" || strings.ContainsAny(topic, " \t\r\n*>") || strings.HasPrefix(topic, ".") ||
		strings.HasSuffix(topic, ".") || strings.Contains(topic, "..") {
		return fmt.Errorf("event: invalid topic %q", topic)
	}
	return nil
}

// dispatchOnce publishes one batch of unpublished events and reports how many it
// handled. With NATS the batch is published while its rows are locked, so another
// replica cannot claim it too; without NATS the rows are marked first and the
// events delivered after commit, so subscribers may write to the database.
func (b *Bus) dispatchOnce(ctx context.Context) (int, error) {
	pending, err := b.st.Client.OutboxEvent.Query().Where(outboxevent.PublishedAtIsNil()).Exist(ctx)
	if err != nil || !pending {
		return 0, err
	}
	var events []Event
	err = b.st.Tx(ctx, func(tx *ent.Tx) error {
		rows, err := b.claim(ctx, tx)
		if err != nil || len(rows) == 0 {
			return err
		}
		events = toEvents(rows)
		if b.js != nil {
			if err := b.publish(ctx, events); err != nil {
				return err
			}
		}
		return markPublished(ctx, tx, events)
	})
	if err != nil {
		return 0, err
	}
	if b.js == nil {
		for _, e := range events {
			b.deliver(ctx, e)
		}
	}
	return len(events), nil
}

func (b *Bus) claim(ctx context.Context, tx *ent.Tx) ([]*ent.OutboxEvent, error) {
	q := tx.OutboxEvent.Query().Where(outboxevent.PublishedAtIsNil()).
		Order(ent.Asc(outboxevent.FieldID)).Limit(claimBatch)
	if b.st.IsPostgres() {
		q = q.ForUpdate(entsql.WithLockAction(entsql.SkipLocked))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("event: claim: %w", err)
	}
	return rows, nil
}

func markPublished(ctx context.Context, tx *ent.Tx, events []Event) error {
	ids := make([]int, len(events))
	for i, e := range events {
		ids[i] = int(e.ID)
	}
	err := tx.OutboxEvent.Update().Where(outboxevent.IDIn(ids...)).SetPublishedAt(time.Now().UTC()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("event: mark published: %w", err)
	}
	return nil
}

func toEvents(rows []*ent.OutboxEvent) []Event {
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = Event{ID: int64(r.ID), Topic: r.Topic, Tenant: r.Tenant,
			Payload: json.RawMessage(r.Payload), Time: r.CreatedAt.UTC()}
	}
	return events
}

// prune deletes events published longer ago than the retention period.
func (b *Bus) prune(ctx context.Context) error {
	_, err := b.st.Client.OutboxEvent.Delete().
		Where(outboxevent.PublishedAtLT(time.Now().UTC().Add(-retention))).Exec(ctx)
	if err != nil {
		return fmt.Errorf("event: prune outbox: %w", err)
	}
	return nil
}
