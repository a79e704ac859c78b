package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// benchKernel starts a SQLite kernel with the module enabled at the province and the
// demo's basic catalog applied.
func benchKernel(b *testing.B) (*Catalog, *kerneltest.Server, Demo) {
	b.Helper()
	c := New()
	s := kerneltest.Start(b, kerneltest.Options{Modules: []module.Module{c}})
	d := GenerateDemo(DefaultDemo, c.demoTenants(), c.demoNames())
	ctx := context.Background()
	enable := resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: "Module", Metadata: resource.Metadata{Tenant: "230000", Name: "catalog"}, Spec: map[string]any{"enabled": true}}
	if _, err := c.res.Apply(ctx, "bench", []resource.Object{enable}, resource.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := c.res.Apply(ctx, "bench", d.Items, resource.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Logf("applied %d items in %v", len(d.Items), time.Since(start))
	return c, s, d
}

// BenchmarkApplyImplementations applies the demo's 13,315 implementations (city and
// 18 counties) in one all-or-nothing batch on SQLite, from an empty implementation
// list, as gdbos apply does.
func BenchmarkApplyImplementations(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		c, s, d := benchKernel(b)
		b.StartTimer()
		cpu := cpuTime()
		if _, err := c.res.Apply(context.Background(), "bench", d.Implementations, resource.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		b.ReportMetric(float64(len(d.Implementations)), "implementations")
		s.Close(b)
		b.StartTimer()
	}
}

// BenchmarkDevolve hands 467 items implemented at the city to its 18 counties
// (8,406 implementations created, 467 retired) in one batch, on SQLite.
func BenchmarkDevolve(b *testing.B) { benchDevolve(b, false) }

// BenchmarkDevolveSkipRefused is the same batch with skipRefused: one dry run of the
// whole batch first (nothing is refused), then the batch (ADR 0035).
func BenchmarkDevolveSkipRefused(b *testing.B) { benchDevolve(b, true) }

func benchDevolve(b *testing.B, skip bool) {
	for b.Loop() {
		b.StopTimer()
		c, s, d := benchKernel(b)
		var city []resource.Object
		var codes []string
		for _, im := range d.Implementations {
			if im.Metadata.Tenant == demoCity && len(codes) < 467 && countyTier(d, im.Metadata.Name) {
				city = append(city, im)
				codes = append(codes, im.Metadata.Name)
			}
		}
		if _, err := c.res.Apply(context.Background(), "bench", city, resource.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		req := DevolveRequest{From: demoCity, Codes: codes, SkipRefused: skip}
		for i, t := range c.demoTenants() {
			req.Targets = append(req.Targets, Target{Tenant: t, BodyName: t + "行政审批局", CreditCode: GovernmentCreditCode(t, 7000+i)})
		}
		b.StartTimer()
		cpu := cpuTime()
		dv, err := c.Devolve(context.Background(), "bench", req, false, false)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		if dv.Report.Created != 467*18 || dv.Report.Retired != 467 {
			b.Fatalf("report %+v", dv.Report)
		}
		s.Close(b)
		b.StartTimer()
	}
}

func countyTier(d Demo, code string) bool {
	for _, it := range d.Items {
		if it.Metadata.Name == code {
			for _, t := range it.Spec["tiers"].([]any) {
				if t == "county" {
					return true
				}
			}
		}
	}
	return false
}

// BenchmarkEffectiveList reads the implementation list in force at one county when
// 13,000 items are implemented at the city: the first page of 50 (what a client
// asks) and all 13,000 entries in pages of 1,000.
func BenchmarkEffectiveList(b *testing.B) {
	benchDialects(b, benchEffectiveList)
}

// benchDialects runs fn on SQLite and, when GDBOS_TEST_POSTGRES is set, PostgreSQL.
func benchDialects(b *testing.B, fn func(b *testing.B, opts kerneltest.Options)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, kerneltest.Options{DataDir: b.TempDir()}) })
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, kerneltest.Options{DatabaseURL: storetest.NewPostgresDB(b, dsn)}) })
	}
}

func benchEffectiveList(b *testing.B, opts kerneltest.Options) {
	c := New()
	opts.Modules = []module.Module{c}
	s := kerneltest.Start(b, opts)
	defer s.Close(b)
	ctx := context.Background()
	seedFlat(b, c, 13000)
	analyze(b, c)
	b.Run("first-page", func(b *testing.B) {
		for b.Loop() {
			p, err := c.Effective(ctx, "230102", Filter{}, 50, "")
			if err != nil || len(p.Items) != 50 {
				b.Fatal(err, len(p.Items))
			}
			if n, err := p.Total(ctx); err != nil || n != 13000 {
				b.Fatal(err, n)
			}
		}
	})
	b.Run("all-13000", func(b *testing.B) {
		for b.Loop() {
			n, after := 0, ""
			for {
				p, err := c.Effective(ctx, "230102", Filter{}, 1000, after)
				if err != nil {
					b.Fatal(err)
				}
				n += len(p.Items)
				if !p.HasNext {
					break
				}
				after = p.EndCursor
			}
			if n != 13000 {
				b.Fatal(n)
			}
		}
	})
}

// seedFlat applies n items at the province and their implementations at the city.
func seedFlat(b *testing.B, c *Catalog, n int) {
	b.Helper()
	ctx := context.Background()
	enable := resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: "Module", Metadata: resource.Metadata{Tenant: "230000", Name: "catalog"}, Spec: map[string]any{"enabled": true}}
	if _, err := c.res.Apply(ctx, "bench", []resource.Object{enable}, resource.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	body := Body{Tenant: demoCity, Name: "哈尔滨市行政审批局", CreditCode: GovernmentCreditCode(demoCity, 1), Department: "230100-sp"}
	var items, impls []resource.Object
	for i := range n {
		code := fmt.Sprintf("01%03d%05d00", i%100, i)
		name := fmt.Sprintf("第%d号事项许可", i)
		items = append(items, resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindItem, Metadata: resource.Metadata{Tenant: "230000", Name: code},
			Spec: map[string]any{"code": code, "name": name, "type": "01", "legalBasis": []any{map[string]any{"law": "行政许可法"}},
				"tiers": []any{"city", "county"}}, Locks: DefaultLockedFields})
		impls = append(impls, demoImplementation(benchRand(i), demoCity, code, name, "企业", body, "01"))
	}
	for _, batch := range [][]resource.Object{items, impls} {
		if _, err := c.res.Apply(ctx, "bench", batch, resource.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRand(i int) *rand.Rand { return rand.New(rand.NewPCG(uint64(i), 1)) }

// BenchmarkSearch searches 100,000 implementations spread over Harbin's counties
// for names, conditions and materials in Chinese, province-wide and in one county,
// and reports the median of the queries. The rows are written with the projection
// the module keeps for applied implementations (upsert), without the resources
// behind them: search reads only the projection.
func BenchmarkSearch(b *testing.B) {
	benchDialects(b, benchSearch)
}

func benchSearch(b *testing.B, opts kerneltest.Options) {
	c := New()
	opts.Modules = []module.Module{c}
	s := kerneltest.Start(b, opts)
	defer s.Close(b)
	ctx := context.Background()
	d := GenerateDemo(DefaultDemo, c.demoTenants(), c.demoNames())
	var ps []projected
	tenants := append([]string{demoCity}, c.demoTenants()...)
	memo := newSettingsMemo(c)
	for i := 0; len(ps) < 100000; i++ {
		im := d.Implementations[i%len(d.Implementations)]
		item := d.Items[0]
		for _, it := range d.Items {
			if it.Metadata.Name == im.Metadata.Name {
				item = it
				break
			}
		}
		spec := map[string]any{}
		for k, v := range item.Spec {
			spec[k] = v
		}
		for k, v := range im.Spec {
			spec[k] = v
		}
		t := tenants[(i/len(d.Implementations)+i)%len(tenants)]
		code := fmt.Sprintf("%s%06d", im.Metadata.Name[:6], i)
		ps = append(ps, c.projection(ctx, resource.Effective{Kind: KindImplementation, Tenant: t, Name: code, Spec: spec}, memo))
	}
	start := time.Now()
	err := c.st.Tx(ctx, func(tx *ent.Tx) error {
		for i := 0; i < len(ps); i += projectChunk {
			if err := c.upsert(ctx, tx, ps[i:min(i+projectChunk, len(ps))]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	analyze(b, c)
	var n int
	_ = c.st.DB.QueryRow(`SELECT COUNT(*) FROM catalog_impls`).Scan(&n)
	b.Logf("indexed %d implementations in %v", n, time.Since(start))
	queries := []struct{ tenant, q string }{
		{"230000", "企业设立"}, {"230000", "食品经营许可"}, {"230102", "营业执照"}, {"230000", "养老保险"},
		{"230103", "申请表"}, {"230000", "施工 许可"}, {"230184", "身份证明"}, {"230000", "不存在的词语"},
	}
	var times []time.Duration
	per := make([]time.Duration, len(queries))
	for b.Loop() {
		for i, q := range queries {
			t0 := time.Now()
			if _, err := c.Search(ctx, q.tenant, q.q, Filter{}, 20, ""); err != nil {
				b.Fatal(err)
			}
			took := time.Since(t0)
			times = append(times, took)
			per[i] = max(per[i], took)
		}
	}
	for i, q := range queries {
		b.Logf("%s at %s: slowest %v", q.q, q.tenant, per[i])
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
}

// cpuTime is the process's CPU time (user + system): on a machine shared with other
// work, wall time measures the neighbours too, so the benchmarks report both.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// analyze refreshes the planner's statistics after a bulk load, as autovacuum (on
// PostgreSQL) does within a minute of it in production.
func analyze(b *testing.B, c *Catalog) {
	b.Helper()
	if _, err := c.st.DB.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
