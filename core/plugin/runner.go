package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/sdk/host"
)

// Lifecycle timings.
const (
	// watchEvery is how often a running plugin's process is checked for having
	// exited; a crashed plugin is started again within this plus its start time.
	watchEvery = 50 * time.Millisecond
	// healthEvery and healthTimeout: a plugin that does not answer a health check in
	// time (hung) is killed and started again.
	healthEvery   = 2 * time.Second
	healthTimeout = time.Second
	// The first restart after a crash is immediate; later ones wait twice as long
	// each time, up to maxBackoff, until the plugin stays up for stableAfter.
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 10 * time.Second
	stableAfter  = 10 * time.Second
)

// errStarting: a call's time ran out while the plugin was starting.
var errStarting = errors.New("still starting")

// runner owns one plugin's process: it starts it on first use and again after a
// crash, and bounds every call.
type runner struct {
	m     *Manager
	entry Entry
	log   *slog.Logger
	sem   chan struct{}

	mu       sync.Mutex
	proc     *host.Process
	started  time.Time
	crashes  int // crashes since the plugin last stayed up for stableAfter
	next     time.Time
	lastErr  error
	watching bool
	// starting is closed when the start in progress, if any, has ended.
	starting chan struct{}
	closed   bool
	stop     chan struct{}
	events   chan event.Event
	// dropped is how many of the current process's log lines were counted as dropped.
	dropped int64

	// binMu guards bin, the binary checked against the catalog's checksum when the
	// runner is made (in the background) or at the latest by the first start, and
	// started from then on without hashing it again (ADR 27).
	binMu     sync.Mutex
	bin       *host.Binary
	binClosed bool
}

func newRunner(m *Manager, e Entry) *runner {
	return &runner{m: m, entry: e, log: m.log.With(slog.String("plugin", e.ID)),
		sem: make(chan struct{}, e.concurrency()), stop: make(chan struct{})}
}

// process returns the running process, starting it when it is down and its backoff
// has passed. The start runs on its own, so a caller waits for it only as long as its
// context allows, and concurrent first callers share one start.
func (r *runner) process(ctx context.Context) (*host.Process, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, fmt.Errorf("%w: plugin %s was removed or upgraded", host.ErrUnavailable, r.entry.ID)
	}
	if r.proc != nil && !r.proc.Exited() {
		p := r.proc
		r.mu.Unlock()
		return p, nil
	}
	if r.proc != nil {
		r.down("the process exited")
	}
	done := r.starting
	if done == nil {
		if wait := time.Until(r.next); wait > 0 {
			r.mu.Unlock()
			return nil, fmt.Errorf("%w: plugin %s is restarting after %d crashes (next attempt in %s): %v", host.ErrUnavailable, r.entry.ID, r.crashes, wait.Round(time.Millisecond), r.lastErr)
		}
		done = r.startLocked()
	}
	r.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: plugin %s: %w", host.ErrTimeout, r.entry.ID, errStarting)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc == nil {
		return nil, fmt.Errorf("%w: plugin %s did not start: %w", host.ErrUnavailable, r.entry.ID, r.lastErr)
	}
	return r.proc, nil
}

// startLocked starts the process in the background and returns a channel closed
// when the attempt has ended. r.mu is held.
func (r *runner) startLocked() chan struct{} {
	done := make(chan struct{})
	r.starting = done
	if !r.watching {
		r.watching = true
		go r.watch()
	}
	go r.start(done)
	return done
}

// binary returns the checked binary, checking it on first use; a binary that fails
// the check is checked again at the next start.
func (r *runner) binary() (*host.Binary, error) {
	r.binMu.Lock()
	defer r.binMu.Unlock()
	if r.binClosed {
		return nil, fmt.Errorf("%w: plugin %s was removed or upgraded", host.ErrUnavailable, r.entry.ID)
	}
	if r.bin == nil {
		b, err := host.OpenBinary(r.entry.Spec.Binary, r.entry.Spec.SHA256)
		if err != nil {
			return nil, err
		}
		r.bin = b
	}
	return r.bin, nil
}

func (r *runner) start(done chan struct{}) {
	began := time.Now()
	bin, err := r.binary()
	var p *host.Process
	if err == nil {
		p, err = host.Start(context.Background(), host.Config{
			ID: r.entry.ID, Binary: bin,
			DataDir: filepath.Join(r.m.cfg.DataDir, r.entry.ID), Logger: r.m.log, Kernel: r.m.kernelFunc(r.entry.ID),
		})
	}
	r.m.metrics.starts.WithLabelValues(r.entry.ID, outcomeOf(err)).Inc()
	r.mu.Lock()
	defer r.mu.Unlock()
	defer close(done)
	r.starting = nil
	if r.closed {
		if p != nil {
			go p.Kill()
		}
		return
	}
	if err != nil {
		r.lastErr = err
		r.crashes++
		r.next = time.Now().Add(r.backoff())
		r.fault("start", FaultStart, err.Error())
		r.log.Error("plugin did not start", slog.Any("err", err), slog.Int("attempt", r.crashes))
		return
	}
	r.m.metrics.startSeconds.WithLabelValues(r.entry.ID).Observe(time.Since(began).Seconds())
	r.m.metrics.up.WithLabelValues(r.entry.ID).Set(1)
	r.proc, r.started, r.dropped = p, time.Now(), 0
	r.log.Info("plugin started", slog.String("version", p.Manifest().Version), slog.Int("protocol", p.Protocol()), slog.Duration("took", time.Since(began)))
}

// backoff is how long to wait before the next start after r.crashes crashes.
func (r *runner) backoff() time.Duration {
	if r.crashes <= 1 {
		return 0
	}
	d := firstBackoff << min(r.crashes-2, 10)
	return min(d, maxBackoff)
}

// down records that the process is gone. r.mu is held.
func (r *runner) down(why string) {
	if r.proc == nil {
		return
	}
	go r.proc.Kill() // Kill waits for a graceful exit and the log pipes: never under r.mu
	r.m.metrics.up.WithLabelValues(r.entry.ID).Set(0)
	r.m.metrics.crashes.WithLabelValues(r.entry.ID).Inc()
	if time.Since(r.started) > stableAfter {
		r.crashes = 0
	}
	r.crashes++
	r.lastErr = errors.New(why)
	r.next = time.Now().Add(r.backoff())
	r.fault("", FaultCrash, why)
	r.log.Warn("plugin is down; restarting", slog.String("why", why), slog.Int("crashes", r.crashes))
	r.proc = nil
}

// watch restarts the process after a crash and kills it when it stops answering
// health checks, until the runner is closed.
func (r *runner) watch() {
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	lastHealth := time.Now()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
		}
		r.mu.Lock()
		p := r.proc
		if p != nil && p.Exited() {
			r.down("the process exited")
			p = nil
		}
		if p == nil && r.starting == nil && time.Until(r.next) <= 0 && !r.closed {
			r.startLocked()
		}
		if p != nil {
			if d := p.DroppedLogLines(); d > r.dropped {
				r.m.metrics.logsDropped.WithLabelValues(r.entry.ID).Add(float64(d - r.dropped))
				r.dropped = d
			}
		}
		r.mu.Unlock()
		if p != nil && time.Since(lastHealth) >= healthEvery {
			lastHealth = time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
			err := p.Health(ctx)
			cancel()
			if err != nil {
				r.mu.Lock()
				if r.proc == p {
					r.down("health check failed: " + err.Error())
				}
				r.mu.Unlock()
			}
		}
	}
}

// close stops the process for good.
func (r *runner) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	close(r.stop)
	r.binMu.Lock()
	r.binClosed = true
	if r.bin != nil {
		r.bin.Close() // a start under way keeps its own descriptor
		r.bin = nil
	}
	r.binMu.Unlock()
	if r.proc != nil {
		r.proc.Kill()
		r.proc = nil
		r.m.metrics.up.WithLabelValues(r.entry.ID).Set(0)
	}
}

// call runs fn against the process within the plugin's timeout and concurrency
// limit, and turns what went wrong into a coded error.
func (r *runner) call(ctx context.Context, op string, fn func(ctx context.Context, p *host.Process) error) error {
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.entry.timeout())
	defer cancel()
	err := r.bounded(ctx, fn)
	r.m.metrics.calls.WithLabelValues(r.entry.ID, op, outcomeOf(err)).Inc()
	r.m.metrics.callSeconds.WithLabelValues(r.entry.ID, op).Observe(time.Since(began).Seconds())
	if err == nil {
		return nil
	}
	return r.coded(op, err)
}

func (r *runner) bounded(ctx context.Context, fn func(ctx context.Context, p *host.Process) error) error {
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	case <-ctx.Done():
		return fmt.Errorf("%w: %d calls already in flight", host.ErrTimeout, cap(r.sem))
	}
	p, err := r.process(ctx)
	if err != nil {
		return err
	}
	err = fn(ctx, p)
	if errors.Is(err, host.ErrUnavailable) {
		r.mu.Lock()
		if r.proc == p && p.Exited() {
			r.down("the process exited during a call")
		}
		r.mu.Unlock()
	}
	return err
}

// coded turns a call's error into what the caller sees.
func (r *runner) coded(op string, err error) error {
	r.callFault(op, err)
	id := r.entry.ID
	var f *host.Failure
	switch {
	case errors.As(err, &f):
		code := apierr.PluginError
		switch apierr.Code(f.Code) {
		case apierr.NotFound, apierr.BadRequest, apierr.Forbidden, apierr.Conflict, apierr.ValidationFailed:
			code = apierr.Code(f.Code)
		}
		return apierr.Wrap(code, err, "plugin %s: %s", id, f.Message)
	case errors.Is(err, errStarting):
		return apierr.Wrap(apierr.PluginTimeout, err, "plugin %s did not start within the call's %s timeout; it goes on starting", id, r.entry.timeout())
	case errors.Is(err, host.ErrTimeout):
		r.log.Warn("plugin call timed out", slog.String("op", op), slog.Duration("timeout", r.entry.timeout()))
		return apierr.Wrap(apierr.PluginTimeout, err, "plugin %s did not answer %s within %s", id, op, r.entry.timeout())
	case errors.Is(err, host.ErrBadResponse):
		r.log.Warn("plugin answered badly", slog.String("op", op), slog.Any("err", err))
		return apierr.Wrap(apierr.PluginBadResponse, err, "plugin %s answered %s badly: %v", id, op, err)
	case errors.Is(err, host.ErrUnavailable), errors.Is(err, host.ErrChecksum), errors.Is(err, host.ErrProtocol):
		r.log.Warn("plugin unavailable", slog.String("op", op), slog.Any("err", err))
		return apierr.Wrap(apierr.PluginUnavailable, err, "plugin %s is unavailable: %v", id, err)
	}
	return apierr.Wrap(apierr.PluginUnavailable, err, "plugin %s is unavailable: %v", id, err)
}

func outcomeOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, host.ErrTimeout):
		return "timeout"
	case errors.Is(err, host.ErrBadResponse):
		return "bad_response"
	case errors.Is(err, host.ErrUnavailable):
		return "unavailable"
	}
	var f *host.Failure
	if errors.As(err, &f) {
		return "error"
	}
	return "unavailable"
}
