package kernel_test

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// uscc returns a valid unified social credit code for registration number n in the
// given county (GB 32100: check character from weights 3^i mod 31).
func uscc(county string, n int) string {
	const cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := "91" + county + fmt.Sprintf("%09d", n)
	sum, w := 0, 1
	for i := range 17 {
		sum += strings.IndexByte(cs, body[i]) * w
		w = w * 3 % 31
	}
	return body + string(cs[(31-sum%31)%31])
}

// BenchmarkImport1M is issue 4's import figure: 1,000,000 enterprise rows from CSV
// through POST /data/230000/import/enterprise, every row checked against its data
// elements, in one transaction. Set GDBOS_BENCH_ROWS to change the size and
// GDBOS_TEST_POSTGRES to add PostgreSQL.
func BenchmarkImport1M(b *testing.B) {
	rows := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("GDBOS_BENCH_ROWS")); err == nil {
		rows = v
	}
	file := filepath.Join(b.TempDir(), "enterprises.csv")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	counties := []string{"230102", "230103", "230104", "230108", "230109", "230110"}
	fmt.Fprintln(w, "uscc,name,capital,employees,founded,tenant")
	for i := range rows {
		c := counties[i%len(counties)]
		fmt.Fprintf(w, "%s,哈尔滨企业%07d有限公司,%d,%d,%04d-%02d-%02d,%s\n", uscc(c, i), i, 10+i%5000, i%500, 1995+i%30, 1+i%12, 1+i%28, c)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for _, db := range benchDatabases(b) {
		b.Run(db.name, func(b *testing.B) {
			b.StopTimer()
			for range b.N {
				s := kerneltest.Start(b, kerneltest.Options{DatabaseURL: db.url()})
				admin := s.Admin(b)
				if r := s.Apply(b, admin, enterpriseSchema); len(r.Errors) > 0 {
					b.Fatalf("publish: %s", r.Body)
				}
				body, err := os.Open(file)
				if err != nil {
					b.Fatal(err)
				}
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/data/230000/import/enterprise?format=csv", body)
				req.Header.Set("Authorization", "Bearer "+admin)
				b.StartTimer()
				start := time.Now()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				sc := bufio.NewScanner(res.Body)
				last := ""
				for sc.Scan() {
					last = sc.Text()
				}
				res.Body.Close()
				b.StopTimer()
				body.Close()
				if !strings.Contains(last, fmt.Sprintf(`"imported":%d`, rows)) {
					b.Fatalf("import: %s", last)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/import")
				b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
				s.Close(b)
			}
		})
	}
}

// benchDatabase is a database a benchmark runs on; url makes a fresh one.
type benchDatabase struct {
	name string
	url  func() string
}

// benchDatabases is SQLite, and PostgreSQL when GDBOS_TEST_POSTGRES is set.
func benchDatabases(b *testing.B) []benchDatabase {
	dbs := []benchDatabase{{"sqlite", func() string { return "" }}}
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		dbs = append(dbs, benchDatabase{"postgres", func() string { return storetest.NewPostgresDB(b, dsn) }})
	}
	return dbs
}
