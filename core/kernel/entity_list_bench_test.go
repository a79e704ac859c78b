package kernel_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// BenchmarkEntityList1M is issue 4's list figure: a page of 20 enterprises filtered
// on an indexed field (founded, one day of ~11,000: ~90 matches) out of 1,000,000
// rows imported once, through POST /data/230000/graphql. It reports the median
// request. Set GDBOS_BENCH_ROWS to change the size and GDBOS_TEST_POSTGRES to add
// PostgreSQL.
func BenchmarkEntityList1M(b *testing.B) {
	rows := benchRows(1_000_000)
	day := time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)
	file := enterpriseCSV(b, rows, func(i int) string { return day.AddDate(0, 0, (i*7919)%11000).Format(time.DateOnly) })
	query := `query($d:String!){enterprises(first:20,filter:{founded:{eq:$d}}){nodes{id uscc name founded}}}`
	for _, db := range benchDatabases(b) {
		b.Run(db.name, func(b *testing.B) {
			s := kerneltest.Start(b, kerneltest.Options{DatabaseURL: db.url()})
			defer s.Close(b)
			admin := s.Admin(b)
			if r := s.Apply(b, admin, enterpriseSchema); len(r.Errors) > 0 {
				b.Fatalf("publish: %s", r.Body)
			}
			importEnterprises(b, s, admin, file, rows)
			days := make([]string, 64)
			for i := range days {
				days[i] = day.AddDate(0, 0, i*171).Format(time.DateOnly)
			}
			if r := s.Data(b, "230000", admin, query, map[string]any{"d": days[1]}); len(r.Errors) > 0 || strings.Count(r.Body, `"uscc"`) != min(20, rows/11000) {
				b.Fatalf("list: %s", r.Body)
			}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				if r := s.Data(b, "230000", admin, query, map[string]any{"d": days[i%len(days)]}); len(r.Errors) > 0 {
					b.Fatalf("list: %s", r.Body)
				}
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/median")
		})
	}
}
