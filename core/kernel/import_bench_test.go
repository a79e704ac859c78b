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
	rows := benchRows(1_000_000)
	file := enterpriseCSV(b, rows, func(i int) string { return fmt.Sprintf("%04d-%02d-%02d", 1995+i%30, 1+i%12, 1+i%28) })
	for _, db := range benchDatabases(b) {
		b.Run(db.name, func(b *testing.B) {
			b.StopTimer()
			for range b.N {
				s := kerneltest.Start(b, kerneltest.Options{DatabaseURL: db.url()})
				admin := s.Admin(b)
				if r := s.Apply(b, admin, enterpriseSchema); len(r.Errors) > 0 {
					b.Fatalf("publish: %s", r.Body)
				}
				b.StartTimer()
				took := importEnterprises(b, s, admin, file, rows)
				b.StopTimer()
				b.ReportMetric(took.Seconds(), "s/import")
				b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
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

// benchRows is GDBOS_BENCH_ROWS, or n when it is not set.
func benchRows(n int) int {
	if v, err := strconv.Atoi(os.Getenv("GDBOS_BENCH_ROWS")); err == nil {
		return v
	}
	return n
}

// enterpriseCSV writes n enterprise rows with valid credit codes, spread over six
// Harbin districts, to a CSV file for import and returns its path; founded gives
// row i's establishment date.
func enterpriseCSV(b *testing.B, n int, founded func(i int) string) string {
	b.Helper()
	file := filepath.Join(b.TempDir(), "enterprises.csv")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	counties := []string{"230102", "230103", "230104", "230108", "230109", "230110"}
	fmt.Fprintln(w, "uscc,name,capital,employees,founded,tenant")
	for i := range n {
		c := counties[i%len(counties)]
		fmt.Fprintf(w, "%s,哈尔滨企业%07d有限公司,%d,%d,%s,%s\n", uscc(c, i), i, 10+i%5000, i%500, founded(i), c)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	return file
}

// importEnterprises posts the CSV file to 230000's import endpoint as token, checks
// that all rows were imported and returns how long the import took.
func importEnterprises(b *testing.B, s *kerneltest.Server, token, file string, rows int) time.Duration {
	b.Helper()
	body, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer body.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/data/230000/import/enterprise?format=csv", body)
	req.Header.Set("Authorization", "Bearer "+token)
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
	took := time.Since(start)
	if !strings.Contains(last, fmt.Sprintf(`"imported":%d`, rows)) {
		b.Fatalf("import: %s", last)
	}
	return took
}
