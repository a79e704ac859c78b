package console

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"strings"
	"testing"
)

// budget is the limit on the console's own JavaScript and CSS, gzipped;
// GraphiQL (vendor/) is loaded only on its page and counted separately.
const budget = 500 << 10

func TestAssetBudget(t *testing.T) {
	own, vendor := gzippedSize(t, false), gzippedSize(t, true)
	t.Logf("console JS+CSS gzipped: %d bytes (budget %d); GraphiQL and React: %d bytes", own, budget, vendor)
	if own > budget {
		t.Errorf("the console's own JS and CSS are %d bytes gzipped, over the budget of %d", own, budget)
	}
	if own == 0 {
		t.Errorf("found no JavaScript or CSS to measure")
	}
}

func gzippedSize(t *testing.T, vendored bool) int {
	t.Helper()
	total := 0
	err := fs.WalkDir(static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, "/vendor/") != vendored {
			return err
		}
		if !strings.HasSuffix(path, ".js") && !strings.HasSuffix(path, ".css") {
			return nil
		}
		raw, err := static.ReadFile(path)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		total += buf.Len()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
