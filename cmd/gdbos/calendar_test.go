package main

import (
	"path/filepath"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestCLICalendar: deadlines across the 2026 Spring Festival, then a city closure
// that moves its districts' deadlines and names itself in the answer.
func TestCLICalendar(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		s.Appoint(t)
		c := newCLI(t, s.URL)
		closure := filepath.Join(t.TempDir(), "calendar.yaml")
		writeFile(t, closure, "apiVersion: gdbos.io/v1\nkind: Calendar\nmetadata: {tenant: \"230100\", name: local}\nspec:\n  closures:\n  - {from: 2026-03-02, to: 2026-03-03, reason: 冰雪节}\n")
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		writeFile(t, bad, "apiVersion: gdbos.io/v1\nkind: Calendar\nmetadata: {tenant: \"230100\", name: bad}\nspec:\n  closures:\n  - {from: 2026-02-30, reason: a}\n  - {from: 2026-03-05, to: 2026-03-04, reason: b}\n")
		admin := map[string]string{"GDBOS_PASSWORD": kerneltest.AdminPassword}

		runSteps(t, c, []step{
			{name: "not signed in", args: []string{"calendar", "add", "--from", "2026-02-13", "--days", "2", "--tenant", "230102"}, code: 3},
			{name: "login", env: admin, args: []string{"login", "-u", kerneltest.SecurityAdmin}},
			{name: "across the Spring Festival", args: []string{"calendar", "add", "--from", "2026-02-13", "--days", "2", "--tenant", "230102"},
				want:    []string{"230102: 2 working days after 2026-02-13 end on 2026-02-24", "2026-02-14  Saturday   yes      adjusted-workday  national  春节", "2026-02-23  Monday     no       holiday           national  春节"},
				notWant: []string{"warning:"}},
			{name: "between", args: []string{"calendar", "between", "--from", "2026-02-12", "--to", "2026-03-18", "--tenant", "230102"},
				want: []string{"230102: 20 working days after 2026-02-12 up to 2026-03-18"}},
			{name: "bad calendar refused with paths", args: []string{"apply", "-f", bad}, code: 4,
				errWant: []string{"/spec/closures/0/from", "/spec/closures/1/to"}},
			{name: "apply a city closure", args: []string{"apply", "-f", closure}, want: []string{"Calendar/230100/local created"}},
			{name: "the district inherits it", args: []string{"calendar", "add", "--from", "2026-02-27", "--days", "2", "--tenant", "230102"},
				want: []string{"end on 2026-03-04", "2026-03-02  Monday", "2026-03-02  Monday    no       closure           230100    冰雪节"}},
			{name: "another city does not", args: []string{"calendar", "add", "--from", "2026-02-27", "--days", "2", "--tenant", "230200", "-o", "json"},
				want: []string{`"date": "2026-03-02"`}, notWant: []string{"冰雪节"}},
			{name: "outside the data", args: []string{"calendar", "add", "--from", "2026-12-31", "--days", "1", "--tenant", "230102"},
				want: []string{"end on 2027-01-01", "warning: the national holiday data covers 2020-01-01 to 2026-12-31"}},
			{name: "negative days", args: []string{"calendar", "add", "--from", "2026-02-13", "--days", "-1", "--tenant", "230102"}, code: 4,
				errWant: []string{"days: must be 0 to"}},
			{name: "a missing flag", args: []string{"calendar", "between", "--from", "2026-02-13", "--tenant", "230102"}, code: 1,
				errWant: []string{`"to" not set`}},
		})
	})
}
