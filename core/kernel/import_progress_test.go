package kernel_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestImportProgress: ?progress=N makes an import stream a progress line every N
// rows (the console shows them for small files); a bad N is refused at /progress
// before anything is read, and the import is the same with or without it.
func TestImportProgress(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		if r := s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230102", name: stall}
spec:
  fields:
    - {name: name, type: string, required: true}
    - {name: size, type: integer}
`); len(r.Errors) > 0 {
			t.Fatalf("publish: %s", r.Body)
		}
		csv := func(names ...string) string { return "name,size\n" + strings.Join(names, ",1\n") + ",1\n" }
		for _, c := range []struct {
			name, query, body string
			status            int
			progress          []int
			imported          int
			refusal           string // fragment of the error, for refused requests
		}{
			{"default: none for a small file", "", csv("a1", "a2", "a3"), 200, nil, 3, ""},
			{"every row", "&progress=1", csv("b1", "b2", "b3"), 200, []int{1, 2, 3}, 3, ""},
			{"every second row", "&progress=2", csv("c1", "c2", "c3", "c4", "c5"), 200, []int{2, 4}, 5, ""},
			{"rolled back, progress still told", "&progress=1", "name,size\nd1,1\n,2\n", 200, []int{1, 2}, 0, ""},
			{"zero", "&progress=0", csv("e1"), 400, nil, 0, `"path":"/progress"`},
			{"not a number", "&progress=lots", csv("f1"), 400, nil, 0, `not \"lots\"`},
			{"too large", "&progress=1000001", csv("g1"), 400, nil, 0, "VALIDATION_FAILED"},
		} {
			t.Run(c.name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/data/230102/import/stall?format=csv"+c.query, strings.NewReader(c.body))
				req.Header.Set("Authorization", "Bearer "+admin)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var lines []string
				sc := bufio.NewScanner(res.Body)
				for sc.Scan() {
					lines = append(lines, sc.Text())
				}
				if res.StatusCode != c.status {
					t.Fatalf("status %d, want %d: %v", res.StatusCode, c.status, lines)
				}
				if c.refusal != "" {
					if len(lines) != 1 || !strings.Contains(lines[0], c.refusal) {
						t.Errorf("refusal %v, want it to say %s", lines, c.refusal)
					}
					return
				}
				var progress []int
				var report struct {
					Report struct{ Imported int }
				}
				for _, l := range lines {
					var p struct{ Progress *int }
					if json.Unmarshal([]byte(l), &p) == nil && p.Progress != nil {
						progress = append(progress, *p.Progress)
					} else if err := json.Unmarshal([]byte(l), &report); err != nil {
						t.Fatalf("line %q: %v", l, err)
					}
				}
				if !slices.Equal(progress, c.progress) || report.Report.Imported != c.imported {
					t.Errorf("progress %v imported %d, want %v and %d (%v)", progress, report.Report.Imported, c.progress, c.imported, lines)
				}
			})
		}
		// The imports with and without progress wrote their rows; the rolled-back and refused ones none.
		r := s.Data(t, "230102", admin, `{stalls(first: 20){ totalCount }}`, nil)
		if !strings.Contains(r.Body, `"totalCount":11`) {
			t.Errorf("after the imports: %s", r.Body)
		}
	})
}
