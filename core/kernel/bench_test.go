package kernel_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// BenchmarkTenantChildren is the server side of issue 2's throughput target: one
// authenticated tenant(code:"230100"){children{code name}} through the full HTTP
// handler (token check, parse cache, authorization, execution, JSON), without the
// network. bench/tenant-children.sh measures the same over loopback.
func BenchmarkTenantChildren(b *testing.B) {
	s := kerneltest.Start(b, kerneltest.Options{})
	token := s.Admin(b)
	h := s.K.Handler()
	body := `{"query":"{tenant(code:\"230100\"){children{code name}}}"}`
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "230102") {
				b.Fatalf("answer %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}
