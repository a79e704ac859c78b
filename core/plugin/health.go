package plugin

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gdbos/gdbos/sdk/host"
)

// The states a plugin's process can be in, as Health reports them.
const (
	// StateIdle: not started yet; the process starts on first use.
	StateIdle = "idle"
	// StateStarting: a start is in progress.
	StateStarting = "starting"
	// StateRunning: the process runs.
	StateRunning = "running"
	// StateRestarting: the process exited or did not start; the next attempt is at
	// Health.NextAttempt (at once after a first crash, later after repeated ones).
	StateRestarting = "restarting"
)

// Fault kinds, as Fault.Kind reports them: the call outcomes of the metrics, and
// the process's own.
const (
	FaultTimeout     = "timeout"
	FaultBadResponse = "bad_response"
	FaultUnavailable = "unavailable"
	FaultCrash       = "crash"
	FaultStart       = "start_failed"
)

// maxFaults is how many recent faults the kernel keeps per plugin.
const maxFaults = 20

// Fault is one thing that went wrong with a plugin: a call that timed out, was
// answered badly or found the plugin unavailable, a crash, a failed start.
type Fault struct {
	At time.Time
	// Op is the call's operation (resolve, action, quality, source, event), or ""
	// for a crash and "start" for a failed start.
	Op      string
	Kind    string
	Message string
}

// OutcomeCount is how many calls of one operation had one outcome.
type OutcomeCount struct {
	Op, Outcome string
	Count       int64
}

// Health is what the kernel knows about one installed plugin: its process now, and
// its starts, crashes and calls since the kernel started (the figures of /metrics).
type Health struct {
	ID    string
	State string
	// StartedAt is when the running process started (zero when it does not run).
	StartedAt time.Time
	// NextAttempt is when a plugin that is restarting is started again.
	NextAttempt time.Time
	// CrashesInARow counts crashes and failed starts since the plugin last stayed up
	// for 10 s; the backoff between restarts grows with it.
	CrashesInARow int
	// LastError says why the process last went down or did not start.
	LastError string

	Starts, FailedStarts, Crashes int64
	// Calls counts every call; Errors those that failed (a handler's own error and
	// a dropped event among them); Timeouts, BadResponses and Unavailable the
	// calls that failed for a fault of the plugin.
	Calls, Errors, Timeouts, BadResponses, Unavailable int64
	Outcomes                                           []OutcomeCount
	// MeanCallSeconds is the mean duration of the calls, 0 without calls.
	MeanCallSeconds float64
	LogLinesDropped int64
	// Faults are the recent faults, newest first (at most 20).
	Faults []Fault
}

// Running reports whether the plugin's process runs.
func (h Health) Running() bool { return h.State == StateRunning }

// faultLogs keeps each plugin's recent faults and how many of each kind there were,
// by ID, across upgrades like the metrics. The zero value is ready to use.
type faultLogs struct {
	mu     sync.Mutex
	byID   map[string][]Fault
	totals map[string]map[string]int64
}

func (f *faultLogs) add(id string, x Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byID == nil {
		f.byID, f.totals = map[string][]Fault{}, map[string]map[string]int64{}
	}
	if f.totals[id] == nil {
		f.totals[id] = map[string]int64{}
	}
	f.totals[id][x.Kind]++
	l := append(f.byID[id], x)
	if len(l) > maxFaults {
		l = slices.Clone(l[len(l)-maxFaults:])
	}
	f.byID[id] = l
}

// list returns id's faults, newest first, and how many of each kind there were.
func (f *faultLogs) list(id string) ([]Fault, map[string]int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := slices.Clone(f.byID[id])
	slices.Reverse(l)
	totals := map[string]int64{}
	for k, n := range f.totals[id] {
		totals[k] = n
	}
	return l, totals
}

// fault records a crash or a failed start (op "start").
func (r *runner) fault(op, kind, message string) {
	r.m.faults.add(r.entry.ID, Fault{At: time.Now(), Op: op, Kind: kind, Message: message})
}

// callFault records a call that failed for the plugin's fault: not a handler's own
// error, which is an answer (counted with the calls, not listed).
func (r *runner) callFault(op string, err error) {
	var f *host.Failure
	if err == nil || errors.As(err, &f) {
		return
	}
	r.fault(op, outcomeOf(err), err.Error())
}

// Health reports on the installed plugin id; false when none is installed.
func (m *Manager) Health(id string) (Health, bool) {
	r, ok := m.runner(id)
	if !ok {
		return Health{}, false
	}
	h := Health{ID: id, State: StateIdle}
	r.mu.Lock()
	switch {
	case r.proc != nil && !r.proc.Exited():
		h.State, h.StartedAt = StateRunning, r.started
	case r.starting != nil:
		h.State = StateStarting
	case r.proc != nil || r.lastErr != nil:
		h.State, h.NextAttempt = StateRestarting, r.next
	}
	h.CrashesInARow = r.crashes
	if r.lastErr != nil {
		h.LastError = r.lastErr.Error()
	}
	r.mu.Unlock()
	if h.State == StateRestarting && time.Until(h.NextAttempt) <= 0 {
		h.NextAttempt = time.Time{} // due: the watcher starts it within 50 ms
	}

	x := m.metrics
	for _, s := range series(x.starts, id) {
		if s.labels["outcome"] == "ok" {
			h.Starts += s.count
		} else {
			h.FailedStarts += s.count
		}
	}
	for _, s := range series(x.crashes, id) {
		h.Crashes += s.count
	}
	for _, s := range series(x.logsDropped, id) {
		h.LogLinesDropped += s.count
	}
	for _, s := range series(x.calls, id) {
		o := OutcomeCount{Op: s.labels["op"], Outcome: s.labels["outcome"], Count: s.count}
		h.Outcomes = append(h.Outcomes, o)
		h.Calls += o.Count
		if o.Outcome == "error" || o.Outcome == "dropped" {
			h.Errors += o.Count
		}
	}
	slices.SortFunc(h.Outcomes, func(a, b OutcomeCount) int {
		return strings.Compare(a.Op+"\x00"+a.Outcome, b.Op+"\x00"+b.Outcome)
	})
	var n int64
	var sum float64
	for _, s := range series(x.callSeconds, id) {
		n += s.count
		sum += s.sum
	}
	if n > 0 {
		h.MeanCallSeconds = sum / float64(n)
	}
	// The faults come from the fault log, not the metrics: an answer that does not
	// fit its SDL is found after the call, which the metrics count as ok.
	faults, totals := m.faults.list(id)
	h.Faults = faults
	h.Timeouts, h.BadResponses, h.Unavailable = totals[FaultTimeout], totals[FaultBadResponse], totals[FaultUnavailable]
	h.Errors += h.Timeouts + h.BadResponses + h.Unavailable
	return h, true
}

// sample is one series of a metric: its labels, its count (a counter's value or a
// histogram's sample count) and a histogram's sum.
type sample struct {
	labels map[string]string
	count  int64
	sum    float64
}

// series reads the series of c labelled plugin=id.
func series(c prometheus.Collector, id string) []sample {
	ch := make(chan prometheus.Metric, 16)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	var out []sample
	for metric := range ch {
		var d dto.Metric
		if err := metric.Write(&d); err != nil {
			continue
		}
		s := sample{labels: map[string]string{}}
		for _, l := range d.GetLabel() {
			s.labels[l.GetName()] = l.GetValue()
		}
		if s.labels["plugin"] != id {
			continue
		}
		switch {
		case d.Counter != nil:
			s.count = int64(d.GetCounter().GetValue())
		case d.Histogram != nil:
			s.count = int64(d.GetHistogram().GetSampleCount())
			s.sum = d.GetHistogram().GetSampleSum()
		}
		out = append(out, s)
	}
	return out
}
