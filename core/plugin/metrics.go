package plugin

import "github.com/prometheus/client_golang/prometheus"

// metrics are per plugin, labelled plugin=ID.
type metrics struct {
	calls        *prometheus.CounterVec
	callSeconds  *prometheus.HistogramVec
	starts       *prometheus.CounterVec
	startSeconds *prometheus.HistogramVec
	crashes      *prometheus.CounterVec
	up           *prometheus.GaugeVec
	logsDropped  *prometheus.CounterVec
}

func newMetrics() *metrics {
	return &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gdbos_plugin_calls_total", Help: "Calls to plugins by plugin, operation and outcome (ok, error, timeout, bad_response, unavailable, dropped).",
		}, []string{"plugin", "op", "outcome"}),
		callSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gdbos_plugin_call_duration_seconds", Help: "Plugin call latency by plugin and operation.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05, .25, 1, 5},
		}, []string{"plugin", "op"}),
		starts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gdbos_plugin_starts_total", Help: "Plugin process starts by plugin and outcome.",
		}, []string{"plugin", "outcome"}),
		startSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gdbos_plugin_start_duration_seconds", Help: "Plugin cold start (process, handshake, manifest, setup).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, 1},
		}, []string{"plugin"}),
		crashes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gdbos_plugin_crashes_total", Help: "Plugin processes that exited or stopped answering health checks.",
		}, []string{"plugin"}),
		logsDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gdbos_plugin_log_lines_dropped_total", Help: "Log lines a plugin wrote beyond its rate (200 a second) and the kernel dropped.",
		}, []string{"plugin"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gdbos_plugin_up", Help: "1 while a plugin's process runs.",
		}, []string{"plugin"}),
	}
}

// Collectors are the plugin metrics, for the kernel's /metrics registry.
func (m *Manager) Collectors() []prometheus.Collector {
	x := m.metrics
	return []prometheus.Collector{x.calls, x.callSeconds, x.starts, x.startSeconds, x.crashes, x.up, x.logsDropped}
}
