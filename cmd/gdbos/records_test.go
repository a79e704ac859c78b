package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const enterpriseYAML = `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230000", name: enterprise}
spec:
  fields:
    - {name: uscc, element: uscc, required: true, unique: true}
    - {name: name, element: enterpriseName, required: true}
    - {name: employees, type: integer, min: 0}
    - {name: listed, type: boolean}
`

// TestCLIImportExport publishes an entity with YAML, imports a CSV with bad rows
// (nothing lands), again with --continue-on-error, then NDJSON and JSON, and exports.
// Each import that lands announces itself once with record.imported.
func TestCLIImportExport(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		s.Appoint(t)
		var mu sync.Mutex
		var imports []string
		unsubscribe := s.K.Events().Subscribe(graph.TopicRecordsImported, func(_ context.Context, e event.Event) {
			var ev graph.RecordsImported
			if err := json.Unmarshal(e.Payload, &ev); err != nil {
				t.Errorf("record.imported payload %s: %v", e.Payload, err)
			}
			mu.Lock()
			imports = append(imports, ev.Entity+"@"+ev.Tenant+"+"+strconv.Itoa(ev.Imported))
			mu.Unlock()
		})
		defer unsubscribe()
		c := newCLI(t, s.URL)
		dir := t.TempDir()
		schema := filepath.Join(dir, "enterprise.yaml")
		writeFile(t, schema, enterpriseYAML)
		bad := filepath.Join(dir, "bad.csv")
		writeFile(t, bad, "uscc,name,employees,listed,tenant\n"+
			"91230102MA1B2C3D46,道里科技有限公司,30,是,230102\n"+
			"91230102MA1B2C3D4X,坏码公司,3,否,230102\n"+ // bad check character
			"91230103MA1B2C3D5P,南岗商贸有限公司,-1,true,230103\n"+ // negative employees
			"91230110MA1B2C3D6Y,香坊食品有限公司,5,maybe,239999\n"+ // bad boolean, unknown tenant
			"91230102MA1B2C3D46,同码公司,1,0,230102\n") // duplicate credit code
		good := filepath.Join(dir, "more.ndjson")
		writeFile(t, good, `{"uscc":"91230200MA1B2C3D7P","name":"齐齐哈尔重工有限公司","employees":900}`+"\n\n"+
			`{"uscc":"91230102MA1B2C3D8J","name":"道里食品有限公司","tenant":"230102"}`+"\n")
		arr := filepath.Join(dir, "one.json")
		writeFile(t, arr, `[{"uscc":"91230102MA1B2C3D9M","name":"道里物流有限公司","listed":false}]`)
		out := filepath.Join(dir, "out.csv")
		pw := map[string]string{"GDBOS_PASSWORD": kerneltest.AdminPassword}
		count := func(want string) func(t *testing.T, out string) {
			return func(t *testing.T, out string) {
				if !strings.Contains(out, `"totalCount": `+want) {
					t.Errorf("want totalCount %s:\n%s", want, out)
				}
			}
		}
		total := `{ enterprises(first: 1) { totalCount } }`
		runSteps(t, c, []step{
			{name: "login", env: pw, args: []string{"login", "-u", kerneltest.SecurityAdmin}},
			{name: "publish", args: []string{"apply", "-f", schema}, want: []string{"EntitySchema/230000/enterprise created"}},
			{name: "bad rows import nothing", args: []string{"import", "--entity", "enterprise", "--tenant", "230100", "-q", bad}, code: 4,
				want: []string{"ROW\tFIELD\tPROBLEM", "2\tuscc\t", "3\temployees\tmust be at least 0", "4\tlisted\tmust be true or false", "4\ttenant\t",
					"5\tuscc\trow 1 has the same uscc", "imported 0 of 5 rows", "nothing was imported"}},
			{name: "nothing landed", args: []string{"query", "--tenant", "230000", total}, check: count("0")},
			{name: "continue on error", args: []string{"import", "-e", "enterprise", "-t", "230100", "-q", "--continue-on-error", bad}, code: 4,
				want: []string{"imported 1 of 5 rows", "4 rows failed"}},
			{name: "ndjson", args: []string{"import", "-e", "enterprise", "-t", "230000", good}, want: []string{"imported 2 of 2 rows"}},
			{name: "json", args: []string{"import", "-e", "enterprise", "-t", "230102", arr}, want: []string{"imported 1 of 1 row in"}},
			{name: "outside the tenant", args: []string{"import", "-e", "enterprise", "-t", "230200", "-q", bad}, code: 4, want: []string{"not 230200 or below it"}},
			{name: "counted", args: []string{"query", "--tenant", "230000", total}, check: count("4")},
			{name: "export", args: []string{"export", "--entity", "enterprise", "--tenant", "230100", "-f", out}},
			{name: "no such entity", args: []string{"export", "--entity", "nosuch", "--tenant", "230100"}, code: 5},
		})
		want := []string{"enterprise@230100+1", "enterprise@230000+2", "enterprise@230102+1"}
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			got := slices.Clone(imports)
			mu.Unlock()
			if slices.Equal(got, want) || time.Now().After(deadline) {
				if !slices.Equal(got, want) {
					t.Errorf("record.imported events: got %q, want %q (one per import that landed, none for those rolled back)", got, want)
				}
				break
			}
		}
		got := readFile(t, out)
		if !strings.HasPrefix(got, "id,tenant,uscc,name,employees,listed\n") || strings.Count(got, "\n") != 4 || !strings.Contains(got, "道里物流有限公司") || strings.Contains(got, "齐齐哈尔") {
			t.Errorf("export of 230100:\n%s", got)
		}
	})
}
