package event

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers carried by each NATS message besides Nats-Msg-Id (the outbox id).
const (
	headerTenant = "Gdbos-Tenant"
	headerTime   = "Gdbos-Time"
)

// streamMaxAge bounds how long JetStream keeps events; replicas only read new ones.
const streamMaxAge = 24 * time.Hour

// connect opens the NATS connection, creates or updates the stream and starts an
// ordered consumer that delivers only messages published from now on.
func (b *Bus) connect(ctx context.Context) error {
	nc, err := nats.Connect(b.opts.NATSURL, nats.Name("gdbos "+b.opts.Replica), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("event: connect nats: %w", err)
	}
	b.nc = nc
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("event: jetstream: %w", err)
	}
	stream := streamName(b.opts.Subject)
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: stream, Subjects: []string{b.opts.Subject + ".>"}, MaxAge: streamMaxAge,
		Duplicates: 2 * time.Minute,
	})
	if err != nil {
		return fmt.Errorf("event: stream %s: %w", stream, err)
	}
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{b.opts.Subject + ".>"}, DeliverPolicy: jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return fmt.Errorf("event: consumer: %w", err)
	}
	b.cc, err = cons.Consume(b.onMessage(ctx))
	if err != nil {
		return fmt.Errorf("event: consume: %w", err)
	}
	b.js = js
	return nil
}

func (b *Bus) closeNATS() {
	if b.cc != nil {
		b.cc.Stop()
	}
	if b.nc != nil {
		b.nc.Close()
	}
}

// streamName turns the subject prefix into a valid stream name ("gdbos" → "GDBOS").
func streamName(subject string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, subject)
}

// publish sends events to JetStream; the outbox id as Nats-Msg-Id lets the server
// drop a repeat when a commit fails after publishing.
func (b *Bus) publish(ctx context.Context, events []Event) error {
	for _, e := range events {
		msg := nats.NewMsg(b.opts.Subject + "." + e.Topic)
		msg.Data = e.Payload
		msg.Header.Set(headerTenant, e.Tenant)
		msg.Header.Set(headerTime, e.Time.Format(time.RFC3339Nano))
		if _, err := b.js.PublishMsg(ctx, msg, jetstream.WithMsgID(strconv.FormatInt(e.ID, 10))); err != nil {
			return fmt.Errorf("event: publish %s: %w", e.Topic, err)
		}
	}
	return nil
}

func (b *Bus) onMessage(ctx context.Context) jetstream.MessageHandler {
	prefix := b.opts.Subject + "."
	return func(msg jetstream.Msg) {
		h := msg.Headers()
		id, _ := strconv.ParseInt(h.Get(jetstream.MsgIDHeader), 10, 64)
		t, _ := time.Parse(time.RFC3339Nano, h.Get(headerTime))
		b.deliver(ctx, Event{
			ID: id, Topic: strings.TrimPrefix(msg.Subject(), prefix), Tenant: h.Get(headerTenant),
			Payload: msg.Data(), Time: t,
		})
	}
}
