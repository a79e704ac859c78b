package calendar

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		name  string
		spec  string
		paths []string // every reported path, in order; none: valid
	}{
		{name: "closures and working days", spec: `{"description":"哈尔滨","closures":[{"from":"2026-03-02","to":"2026-03-03","reason":"冰雪节"},{"from":"2026-05-06","reason":"停电"}],"workingDays":[{"date":"2026-03-08","reason":"集中办理日"}]}`},
		{name: "empty", spec: `{}`},
		{name: "dates that do not exist", spec: `{"closures":[{"from":"2026-02-30","reason":"x"},{"from":"2026-03-01","to":"2026-13-01","reason":"x"}],"workingDays":[{"date":"2026-2-1","reason":"x"}]}`,
			paths: []string{"/spec/closures/0/from", "/spec/closures/1/to", "/spec/workingDays/0/date"}},
		{name: "years outside the range", spec: `{"closures":[{"from":"1999-12-31","reason":"x"}],"workingDays":[{"date":"2100-01-02","reason":"x"}]}`,
			paths: []string{"/spec/closures/0/from", "/spec/workingDays/0/date"}},
		{name: "a range that ends before it starts", spec: `{"closures":[{"from":"2026-03-03","to":"2026-03-02","reason":"x"}]}`,
			paths: []string{"/spec/closures/0/to"}},
		{name: "overlapping closures", spec: `{"closures":[{"from":"2026-03-01","to":"2026-03-10","reason":"a"},{"from":"2026-04-01","reason":"b"},{"from":"2026-03-10","to":"2026-03-12","reason":"c"}]}`,
			paths: []string{"/spec/closures/2"}},
		{name: "a working day twice, and one also closed", spec: `{"closures":[{"from":"2026-03-01","to":"2026-03-10","reason":"a"}],"workingDays":[{"date":"2026-03-14","reason":"x"},{"date":"2026-03-14","reason":"y"},{"date":"2026-03-07","reason":"z"}]}`,
			paths: []string{"/spec/workingDays/1/date", "/spec/workingDays/2/date"}},
		{name: "missing reasons and dates, wrong types", spec: `{"closures":[{"to":"2026-03-01"},"2026-03-02",{"from":20260303,"reason":""}],"workingDays":{"date":"2026-03-01"},"description":3,"colour":"red"}`,
			paths: []string{"/spec/closures/0/from", "/spec/closures/0/reason", "/spec/closures/1", "/spec/closures/2/from", "/spec/closures/2/reason", "/spec/workingDays", "/spec/description", "/spec/colour"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spec map[string]any
			if err := json.Unmarshal([]byte(tt.spec), &spec); err != nil {
				t.Fatal(err)
			}
			_, err := ParseSpec("230100", spec)
			var got []string
			if err != nil {
				e, ok := apierr.As(err)
				if !ok || e.Code != apierr.ValidationFailed {
					t.Fatalf("err = %v, want VALIDATION_FAILED", err)
				}
				for _, f := range e.Fields {
					got = append(got, f.Path)
				}
			}
			if !slices.Equal(got, tt.paths) {
				t.Errorf("paths = %q, want %q (%v)", got, tt.paths, err)
			}
		})
	}
}

func TestParseSpecMessages(t *testing.T) {
	var spec map[string]any
	_ = json.Unmarshal([]byte(`{"closures":[{"from":"2026-03-01","to":"2026-03-10","reason":"a"},{"from":"2026-03-05","reason":"b"}]}`), &spec)
	_, err := ParseSpec("230100", spec)
	if want := "invalid calendar: /spec/closures/1: overlaps /spec/closures/0: 2026-03-05 is closed twice"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// FuzzParseSpec feeds any JSON to the parser: it must not panic, and whatever it
// accepts must build a calendar whose closed days are closed and whose answers
// agree with each other.
func FuzzParseSpec(f *testing.F) {
	f.Add(`{"closures":[{"from":"2026-03-02","to":"2026-03-03","reason":"冰雪节"}],"workingDays":[{"date":"2026-03-08","reason":"x"}]}`)
	f.Add(`{"closures":[{"from":"2026-12-31","to":"2027-01-04","reason":"x"},{"from":"2027-01-04","reason":"y"}]}`)
	f.Add(`{"workingDays":[{"date":"2099-12-31","reason":"x"},{"date":"2000-01-01","reason":"y"}]}`)
	f.Add(`{"closures":"x","workingDays":[null,1,{"date":null}]}`)
	hs, err := National()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var spec map[string]any
		if json.Unmarshal([]byte(in), &spec) != nil {
			return
		}
		l, err := ParseSpec("230100", spec)
		if err != nil {
			if e, ok := apierr.As(err); !ok || len(e.Fields) == 0 {
				t.Fatalf("error without paths: %v", err)
			}
			return
		}
		c := New(hs, l)
		for _, cl := range l.Closures {
			if c.IsWorkingDay(cl.From) || c.IsWorkingDay(cl.To) {
				t.Fatalf("closed day %s or %s is a working day", cl.From, cl.To)
			}
			to, err := c.AddWorkingDays(cl.From-1, 3)
			if err != nil || c.WorkingDaysBetween(cl.From-1, to) != 3 || !c.IsWorkingDay(to) {
				t.Fatalf("AddWorkingDays(%s, 3) = %s, %v: not consistent", cl.From-1, to, err)
			}
		}
		for _, w := range l.WorkingDays {
			if !c.IsWorkingDay(w.Date) {
				t.Fatalf("working day %s is closed", w.Date)
			}
		}
	})
}
