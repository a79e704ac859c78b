package policy

import (
	"context"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
)

// FuzzCompile feeds arbitrary Rego to Compile and, when it compiles, to the engine:
// nothing panics, a refusal is always a coded, located VALIDATION_FAILED, and a
// policy that compiles loads and answers.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		"package p\n\nallow if input.row.tenant == \"230102\"\n",
		"package p\n\nallow if not input.row.disabled\n",
		"package p\n\nallow if {\n",
		"package p\n\ndeny contains \"no\" if input.action == \"delete\"\n",
		"package p\nimport data.x\nallow if http.send({})\n",
		"package p\n\nallow if startswith(input.row.path, input.subject.tenants[_])\n",
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, module string, rows bool) {
		p := Policy{Tenant: "230000", Name: "fuzz", Purpose: PurposeGuard, Target: AnyTarget, Module: module}
		if rows {
			p.Purpose, p.Target = PurposeRows, "User"
		}
		err := Compile(p)
		if err != nil {
			e, ok := apierr.As(err)
			if !ok || e.Code != apierr.ValidationFailed || len(e.Fields) == 0 {
				t.Fatalf("refusal without code or fields: %v", err)
			}
			return
		}
		e := NewEngine()
		if err := e.Load([]Policy{p}); err != nil {
			t.Fatalf("compiled but does not load: %v", err)
		}
		subj := Subject{User: "u", Tenants: []string{"230102"}}
		ctx := context.Background()
		if rows {
			_, _ = e.RowFilter(ctx, "User", []string{"230000"}, subj, Table{Dialect: "sqlite", Columns: map[string]string{"tenant": "tenant", "path": "path", "disabled": "disabled"}})
			_, _ = e.AllowRow(ctx, "User", []string{"230000"}, subj, map[string]any{"tenant": "230102", "path": "/230000/230102/", "disabled": false})
			return
		}
		_, _ = e.Guard(ctx, []string{"230000"}, GuardInput{Subject: subj, Action: "write", Kind: "Module", Tenant: "230000", Object: map[string]any{}})
	})
}
