package main

import (
	"path/filepath"
	"testing"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// TestCLIDataTour follows the README tour's data step on a server with the standard
// entities published (as serve --demo does): import a CSV whose second row has a bad
// credit code, again with --continue-on-error, query the data API, compute a deadline.
func TestCLIDataTour(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{DemoEntities: true}, func(t *testing.T, s *kerneltest.Server) {
		s.Appoint(t)
		c := newCLI(t, s.URL)
		csv := filepath.Join(t.TempDir(), "e.csv")
		writeFile(t, csv, "uscc,name,division,employees\n91230102MA1B2C3D46,道里科技有限公司,230102,30\n91230102MA1B2C3D4X,坏码公司,230102,3\n")
		runSteps(t, c, []step{
			{name: "login", env: map[string]string{"GDBOS_PASSWORD": kerneltest.AdminPassword}, args: []string{"login", "-u", kerneltest.SecurityAdmin}},
			{name: "a bad credit code imports nothing", args: []string{"import", "--entity", "enterprise", "--tenant", "230102", "-q", csv}, code: 4,
				want: []string{"2\tuscc\tformat: not a valid unified social credit code", "nothing was imported"}},
			{name: "the rest with --continue-on-error", args: []string{"import", "--entity", "enterprise", "--tenant", "230102", "-q", "--continue-on-error", csv}, code: 4,
				want: []string{"imported 1 of 2 rows"}},
			{name: "query the city's data API", args: []string{"query", "--tenant", "230100", `{ enterprises(filter: {employees: {gte: 10}}) { totalCount nodes { name uscc tenant } } }`},
				want: []string{`"totalCount": 1`, `"name": "道里科技有限公司"`, `"tenant": "230102"`}},
			{name: "a deadline across the Spring Festival", args: []string{"calendar", "add", "--from", "2026-02-12", "--days", "20", "--tenant", "230102"},
				want: []string{"2026-03-18"}},
		})
	})
}
