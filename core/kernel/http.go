package kernel

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gdbos/gdbos/console"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/ratelimit"
)

// Handler serves the GraphQL endpoint, health and readiness probes, Prometheus
// metrics and the console.
func (k *Kernel) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gdbos_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gdbos_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	reg.MustRegister(requests, latency)
	reg.MustRegister(k.plugins.Collectors()...)

	mux := http.NewServeMux()
	route := func(pattern, name string, h http.Handler) {
		mux.Handle(pattern, k.observe(name, h, requests, latency))
	}
	route("/graphql", "graphql", k.graph)
	// WebSocket upgrades (subscriptions) bypass observe: a connection's lifetime is no request latency.
	mux.Handle("/data/{tenant}/graphql", k.graph.Subscriptions(graph.SubscriptionOptions{}, k.observe("data", k.graph.DataHandler(), requests, latency)))
	route("POST /data/{tenant}/import/{entity}", "import", k.graph.ImportHandler())
	route("GET /data/{tenant}/export/{entity}", "export", k.graph.ExportHandler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", k.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	route("/auth/oidc/", "oidc", k.limitByAddress(k.federation))
	for _, h := range k.modules {
		for _, r := range h.routes {
			route(r.pattern, "module."+module.Name(h.info.ID), k.limitByAddress(r.h))
		}
	}
	route("/", "console", console.Handler())
	return mux
}

func (k *Kernel) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !k.Ready() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("starting or stopping\n"))
		return
	}
	if err := k.store.DB.PingContext(ctx); err != nil {
		k.log.WarnContext(ctx, "readiness: database unreachable", slog.Any("err", err))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func (k *Kernel) observe(name string, h http.Handler, requests *prometheus.CounterVec, latency *prometheus.HistogramVec) http.Handler {
	obs := latency.WithLabelValues(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		d := time.Since(start)
		obs.Observe(d.Seconds())
		requests.WithLabelValues(name, strconv.Itoa(sw.code)).Inc()
		if sw.code >= 500 {
			k.log.WarnContext(r.Context(), "request failed", slog.String("route", name), slog.Int("status", sw.code), slog.Duration("took", d))
		} else if k.log.Enabled(r.Context(), slog.LevelDebug) {
			k.log.DebugContext(r.Context(), "request", slog.String("route", name), slog.String("method", r.Method), slog.Int("status", sw.code), slog.Duration("took", d))
		}
	})
}

// limitByAddress applies the anonymous rate to h per client address: sign-in
// endpoints are open to anyone, and each refusal they record costs an audit entry.
func (k *Kernel) limitByAddress(h http.Handler) http.Handler {
	rate := k.cfg.Limits.AnonymousRate
	if rate == 0 {
		rate = graph.DefaultLimits.AnonymousRate
	}
	lim := ratelimit.New(max(rate, 0), 2*max(rate, 0))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := lim.Allow(graph.ClientIP(r), time.Now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"errors":[{"message":"too many requests","extensions":{"code":"RATE_LIMITED"}}]}` + "\n"))
			return
		}
		h.ServeHTTP(w, r)
	})
}
