package host_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdbos/gdbos/sdk/host"
)

// median reports the median of ds in microseconds as a benchmark metric.
func median(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "median-µs")
}

func startEcho(b *testing.B) *host.Process {
	b.Helper()
	path := filepath.Join(bin, "echo")
	sum, err := host.FileSHA256(path)
	if err != nil {
		b.Fatal(err)
	}
	p, err := host.Start(context.Background(), host.Config{ID: "echo", Path: path, SHA256: sum, DataDir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Kill)
	return p
}

// BenchmarkRoundTrip is one Resolve call, kernel to plugin process and back
// (protobuf over gRPC over a local socket, AutoMTLS).
func BenchmarkRoundTrip(b *testing.B) {
	p := startEcho(b)
	ctx := context.Background()
	args := map[string]any{"s": "91230102MA1AB3CD4E"}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := p.Resolve(ctx, host.Call{Tenant: "230102", User: "bench"}, "echo", args); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	median(b, ds)
}

// BenchmarkThroughput is calls per second from many concurrent callers.
func BenchmarkThroughput(b *testing.B) {
	p := startEcho(b)
	ctx := context.Background()
	args := map[string]any{"s": "x"}
	var n atomic.Int64
	b.SetParallelism(16)
	began := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Resolve(ctx, host.Call{Tenant: "230102"}, "echo", args); err != nil {
				b.Error(err)
				return
			}
			n.Add(1)
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(began).Seconds(), "calls/s")
}

// BenchmarkColdStart starts a plugin: process, handshake, mutual TLS, manifest,
// setup; stopping it is not timed. "checked" starts a binary already checked, as the
// kernel's first call to a plugin and every restart after a crash do (the kernel checks
// a binary when it loads the catalog, ADR 27); "checkAndStart" also reads, copies and
// hashes the binary (OpenBinary), as installing a plugin does.
func BenchmarkColdStart(b *testing.B) {
	path := filepath.Join(bin, "echo")
	sum, err := host.FileSHA256(path)
	if err != nil {
		b.Fatal(err)
	}
	checked, err := host.OpenBinary(path, sum)
	if err != nil {
		b.Fatal(err)
	}
	defer checked.Close()
	for _, bc := range []struct {
		name string
		cfg  host.Config
	}{
		{"checked", host.Config{Binary: checked}},
		{"checkAndStart", host.Config{Path: path, SHA256: sum}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := bc.cfg
			cfg.ID, cfg.DataDir, cfg.Logger = "echo", b.TempDir(), slog.New(slog.DiscardHandler)
			ds := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				p, err := host.Start(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
				b.StopTimer()
				p.Kill()
				b.StartTimer()
			}
			median(b, ds)
		})
	}
}
