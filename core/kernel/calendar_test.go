package kernel_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const (
	addQuery     = `query($t:String!,$f:String!,$n:Int!){addWorkingDays(tenant:$t,from:$f,days:$n){tenant from days date coverage skipped{date weekday kind reason layer} worked{date kind reason layer}}}`
	betweenQuery = `query($t:String!,$f:String!,$to:String!){workingDaysBetween(tenant:$t,from:$f,to:$to){count coverage skipped{date kind layer} worked{date kind layer}}}`
	// harbinClosure closes Harbin's offices on Monday 2 and Tuesday 3 March 2026.
	harbinClosure = "apiVersion: gdbos.io/v1\nkind: Calendar\nmetadata: {tenant: \"230100\", name: local}\nspec:\n  description: 哈尔滨市\n  closures:\n  - {from: 2026-03-02, to: 2026-03-03, reason: 冰雪节}\n"
)

// dueDate asks addWorkingDays and returns the answer's date.
func dueDate(t *testing.T, s *kerneltest.Server, token, tenant, from string, n int) (string, map[string]any) {
	t.Helper()
	data := s.MustDo(t, token, addQuery, map[string]any{"t": tenant, "f": from, "n": n})
	a := data["addWorkingDays"].(map[string]any)
	return a["date"].(string), a
}

// TestCalendarAPI: a closure a city applies moves its districts' deadlines at once,
// not another city's; the answer names each skipped day and who closed it.
func TestCalendarAPI(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		// Accepted on Friday 27 February 2026: Saturday 28 is worked (春节 调休), so
		// two working days end on Monday 2 March everywhere.
		for _, tc := range []string{"230100", "230102", "230200"} {
			if got, _ := dueDate(t, s, admin, tc, "2026-02-27", 2); got != "2026-03-02" {
				t.Fatalf("before the closure, at %s: %s, want 2026-03-02", tc, got)
			}
		}
		// The 2026 Spring Festival, at a district.
		got, a := dueDate(t, s, admin, "230102", "2026-02-12", 20)
		if got != "2026-03-18" || a["coverage"] != nil {
			t.Fatalf("20 working days from 2026-02-12 = %s (%v), want 2026-03-18", got, a["coverage"])
		}

		if r := s.Apply(t, admin, harbinClosure); len(r.Errors) > 0 {
			t.Fatalf("apply: %s", r.Body)
		}
		for tc, want := range map[string]string{"230100": "2026-03-04", "230102": "2026-03-04", "230200": "2026-03-02"} {
			if got, _ := dueDate(t, s, admin, tc, "2026-02-27", 2); got != want {
				t.Errorf("after the closure, at %s: %s, want %s", tc, got, want)
			}
		}
		_, a = dueDate(t, s, admin, "230102", "2026-02-27", 2)
		skipped := a["skipped"].([]any)
		want := []string{"2026-03-01 weekend national", "2026-03-02 closure 230100 冰雪节", "2026-03-03 closure 230100 冰雪节"}
		var gotDays []string
		for _, d := range skipped {
			m := d.(map[string]any)
			s := m["date"].(string) + " " + m["kind"].(string) + " " + m["layer"].(string)
			if m["kind"] == "closure" {
				s += " " + m["reason"].(string)
			}
			gotDays = append(gotDays, s)
		}
		if !slices.Equal(gotDays, want) {
			t.Errorf("skipped = %q, want %q", gotDays, want)
		}
		if w := a["worked"].([]any); len(w) != 1 || w[0].(map[string]any)["date"] != "2026-02-28" || w[0].(map[string]any)["kind"] != "adjusted-workday" {
			t.Errorf("worked = %v, want the adjusted Saturday 2026-02-28", w)
		}
		between := s.MustDo(t, admin, betweenQuery, map[string]any{"t": "230102", "f": "2026-02-27", "to": "2026-03-06"})["workingDaysBetween"].(map[string]any)
		if between["count"] != float64(4) {
			t.Errorf("workingDaysBetween = %v, want 4", between["count"])
		}

		// A district opens a Sunday: only that district's deadline moves back.
		if r := s.Apply(t, admin, "apiVersion: gdbos.io/v1\nkind: Calendar\nmetadata: {tenant: \"230102\", name: local}\nspec:\n  workingDays: [{date: 2026-03-01, reason: 集中办理日}]\n"); len(r.Errors) > 0 {
			t.Fatalf("apply: %s", r.Body)
		}
		for tc, want := range map[string]string{"230102": "2026-03-01", "230103": "2026-03-04"} {
			if got, _ := dueDate(t, s, admin, tc, "2026-02-27", 2); got != want {
				t.Errorf("with the district's working Sunday, at %s: %s, want %s", tc, got, want)
			}
		}

		// Deleting the city's closure takes effect at once too.
		s.MustDo(t, admin, `mutation{deleteResource(kind:"Calendar",tenant:"230100",name:"local")}`, nil)
		if got, _ := dueDate(t, s, admin, "230103", "2026-02-27", 2); got != "2026-03-02" {
			t.Errorf("after deleting the closure: %s, want 2026-03-02", got)
		}

		// Outside the national data the answer says so.
		if _, a := dueDate(t, s, admin, "230100", "2026-12-30", 3); a["coverage"] == nil || !strings.Contains(a["coverage"].(string), "2026-12-31") {
			t.Errorf("coverage = %v, want a warning past 2026-12-31", a["coverage"])
		}
	})
}

// TestCalendarRefusals: bad Calendar resources are refused with every path, bad
// requests with their argument, and reading needs a signed-in caller only.
func TestCalendarRefusals(t *testing.T) {
	kerneltest.Dialects(t, kerneltest.Options{}, func(t *testing.T, s *kerneltest.Server) {
		admin := s.Admin(t)
		tests := []struct {
			name, yaml string
			paths      []string
		}{
			{name: "dates that do not exist, a range backwards, overlaps", paths: []string{"/spec/closures/0/from", "/spec/closures/1/to", "/spec/closures/3", "/spec/workingDays/1/date"},
				yaml: "apiVersion: gdbos.io/v1\nkind: Calendar\nmetadata: {tenant: \"230100\", name: bad}\nspec:\n  closures:\n" +
					"  - {from: 2026-02-30, reason: a}\n  - {from: 2026-03-05, to: 2026-03-04, reason: b}\n  - {from: 2026-04-01, to: 2026-04-05, reason: c}\n  - {from: 2026-04-05, reason: d}\n" +
					"  workingDays:\n  - {date: 2026-03-08, reason: x}\n  - {date: 2026-03-08, reason: y}\n"},
			{name: "schema: unknown field, wrong date form", paths: []string{"/spec/closures/0/from", "/spec/colour"},
				yaml: "apiVersion: gdbos.io/v1\nkind: Calendar\nmetadata: {tenant: \"230100\", name: bad}\nspec:\n  colour: red\n  closures: [{from: 2026-3-1, reason: a}]\n"},
			{name: "a missing reason", paths: []string{"/spec/workingDays/0/reason"},
				yaml: "apiVersion: gdbos.io/v1\nkind: Calendar\nmetadata: {tenant: \"230100\", name: bad}\nspec:\n  workingDays: [{date: 2026-03-01}]\n"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.Apply(t, admin, tt.yaml)
				if r.Code() != "VALIDATION_FAILED" {
					t.Fatalf("code %q, want VALIDATION_FAILED: %s", r.Code(), r.Body)
				}
				var got []string
				for _, f := range r.Errors[0].Extensions["fields"].([]any) {
					got = append(got, f.(map[string]any)["path"].(string))
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.paths) {
					t.Errorf("paths %q, want %q: %s", got, tt.paths, r.Body)
				}
			})
		}

		for _, tt := range []struct {
			name, token, query string
			vars               map[string]any
			code, path         string
		}{
			{"negative days", admin, addQuery, map[string]any{"t": "230100", "f": "2026-02-13", "n": -1}, "VALIDATION_FAILED", "days"},
			{"a date that does not exist", admin, addQuery, map[string]any{"t": "230100", "f": "2026-02-30", "n": 1}, "VALIDATION_FAILED", "from"},
			{"a span too long", admin, betweenQuery, map[string]any{"t": "230100", "f": "2020-01-01", "to": "2040-01-01"}, "VALIDATION_FAILED", "to"},
			{"an unknown tenant", admin, addQuery, map[string]any{"t": "999999", "f": "2026-02-13", "n": 1}, "NOT_FOUND", ""},
			{"not signed in", "", addQuery, map[string]any{"t": "230100", "f": "2026-02-13", "n": 1}, "UNAUTHENTICATED", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := s.Do(t, tt.token, tt.query, tt.vars)
				if r.Code() != tt.code {
					t.Fatalf("code %q, want %s: %s", r.Code(), tt.code, r.Body)
				}
				if tt.path != "" && !strings.Contains(r.Body, `"path":"`+tt.path+`"`) {
					t.Errorf("no field %s in %s", tt.path, r.Body)
				}
			})
		}

		// A user with no role at all may read the calendar.
		sys := s.SystemAdministrator(t)
		s.MustDo(t, sys, `mutation{createUser(input:{username:"clerk",password:"password-123",homeTenant:"230102"}){id}}`, nil)
		clerk := s.Login(t, "clerk", "password-123")
		if got, _ := dueDate(t, s, clerk, "230200", "2026-02-13", 2); got != "2026-02-24" {
			t.Errorf("a clerk's answer: %s, want 2026-02-24", got)
		}
	})
}

// TestCalendarOnOtherReplica: a closure applied through one replica moves deadlines
// on another that had the calendar cached, within a second.
func TestCalendarOnOtherReplica(t *testing.T) {
	a, r, adminA, adminB := kerneltest.Replicas(t, kerneltest.Options{})
	if got, _ := dueDate(t, r, adminB, "230102", "2026-02-27", 2); got != "2026-03-02" {
		t.Fatalf("before: %s", got)
	}
	if res := a.Apply(t, adminA, harbinClosure); len(res.Errors) > 0 {
		t.Fatalf("apply on A: %s", res.Body)
	}
	start := time.Now()
	for {
		got, _ := dueDate(t, r, adminB, "230102", "2026-02-27", 2)
		if got == "2026-03-04" {
			t.Logf("replica B saw the closure after %v", time.Since(start))
			return
		}
		if time.Since(start) > time.Second {
			t.Fatalf("replica B still answers %s after 1s", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
