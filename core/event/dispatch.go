package event

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// pruneEvery is how often published outbox rows past retention are deleted.
const pruneEvery = time.Hour

// Start connects to NATS when configured and starts the dispatcher. The bus runs
// until Close or until ctx ends.
func (b *Bus) Start(ctx context.Context) error {
	if b.done != nil {
		return errors.New("event: bus already started")
	}
	ctx, cancel := context.WithCancel(ctx)
	if b.opts.NATSURL != "" {
		if err := b.connect(ctx); err != nil {
			cancel()
			b.closeNATS()
			return err
		}
	}
	b.cancel, b.done = cancel, make(chan struct{})
	go b.run(ctx)
	return nil
}

// Close stops the dispatcher and the NATS consumer and waits for them. Events
// still in the outbox are published by the next Start or another replica.
func (b *Bus) Close() error {
	if b.done == nil {
		return nil
	}
	b.cancel()
	<-b.done
	b.closeNATS()
	return nil
}

func (b *Bus) run(ctx context.Context) {
	defer close(b.done)
	tick := time.NewTicker(b.opts.PollInterval)
	defer tick.Stop()
	nextPrune := time.Now()
	for {
		b.drain(ctx)
		if time.Now().After(nextPrune) {
			if err := b.prune(ctx); err != nil && ctx.Err() == nil {
				b.log.Warn("event: prune failed", "err", err)
			}
			nextPrune = time.Now().Add(pruneEvery)
		}
		select {
		case <-ctx.Done():
			return
		case <-b.kick:
		case <-tick.C:
		}
	}
}

// drain dispatches until the outbox holds no unpublished events.
func (b *Bus) drain(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := b.dispatchOnce(ctx)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Warn("event: dispatch failed", "err", fmt.Errorf("event: dispatch: %w", err))
			}
			return
		}
		if n < claimBatch {
			return
		}
	}
}
