package calendar

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func nationalFor(t testing.TB) []Holiday {
	t.Helper()
	hs, err := National()
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// harbin closes two days in March 2026 at the city; its district Daoli opens a
// Sunday and reopens one of the city's closed days.
var (
	harbin = Layer{Tenant: "230100", Closures: []Closure{{From: d("2026-03-02"), To: d("2026-03-03"), Reason: "冰雪节"}}}
	daoli  = Layer{Tenant: "230102", WorkingDays: []WorkingDay{{Date: d("2026-03-01"), Reason: "集中办理日"}, {Date: d("2026-03-03"), Reason: "恢复办公"}}}
	// newYear closes days across the turn of 2026/2027, after the national data ends.
	newYear = Layer{Tenant: "230100", Closures: []Closure{{From: d("2026-12-31"), To: d("2027-01-04"), Reason: "系统迁移"}}}
)

func TestAddWorkingDays(t *testing.T) {
	tests := []struct {
		name     string
		layers   []Layer
		from     string
		n        int
		want     string
		coverage bool // a coverage warning is expected
	}{
		{name: "2026 Spring Festival: the Saturday before is worked (调休)", from: "2026-02-13", n: 1, want: "2026-02-14"},
		{name: "2026 Spring Festival: nine days off are skipped", from: "2026-02-13", n: 2, want: "2026-02-24"},
		{name: "2026 Spring Festival: 20 working days (行政许可法 art. 42)", from: "2026-02-12", n: 20, want: "2026-03-18"},
		{name: "accepted during the holiday", from: "2026-02-17", n: 1, want: "2026-02-24"},
		{name: "the Saturday after the holiday is worked", from: "2026-02-27", n: 1, want: "2026-02-28"},
		{name: "accepted on a Saturday: the next Monday is day 1", from: "2026-03-07", n: 1, want: "2026-03-09"},
		{name: "accepted on a Friday: the next Monday is day 1", from: "2026-03-06", n: 1, want: "2026-03-09"},
		{name: "n = 0 is the day itself", from: "2026-02-15", n: 0, want: "2026-02-15"},
		{name: "crossing into 2026: New Year off, Sunday 4 January worked", from: "2025-12-31", n: 1, want: "2026-01-04"},
		{name: "2020 Spring Festival extended to 2 February", from: "2020-01-23", n: 1, want: "2020-02-03"},
		{name: "2020: Sunday 19 January worked", from: "2020-01-17", n: 1, want: "2020-01-19"},
		{name: "National Day and Mid-Autumn 2026", from: "2026-09-30", n: 1, want: "2026-10-08"},
		{name: "Sunday 20 September 2026 worked", from: "2026-09-18", n: 1, want: "2026-09-20"},
		{name: "five working days = a calendar week", from: "2026-03-10", n: 5, want: "2026-03-17"},
		{name: "after the data: weekends only", from: "2026-12-31", n: 1, want: "2027-01-01", coverage: true},
		{name: "before the data: weekends only", from: "2019-12-27", n: 1, want: "2019-12-30", coverage: true},
		{name: "from before the data into it", from: "2019-12-30", n: 2, want: "2020-01-02", coverage: true},
		{name: "long before the data", from: "2005-05-06", n: 10, want: "2005-05-20", coverage: true},
		{name: "a city closure", layers: []Layer{harbin}, from: "2026-02-28", n: 1, want: "2026-03-04"},
		{name: "a district reopens a closed day and works a Sunday", layers: []Layer{harbin, daoli}, from: "2026-02-28", n: 2, want: "2026-03-03"},
		{name: "a closure across years, after the data", layers: []Layer{newYear}, from: "2026-12-30", n: 1, want: "2027-01-05", coverage: true},
		{name: "a year of working days", from: "2025-12-31", n: 248, want: "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(nationalFor(t), tt.layers...)
			got, err := c.AddWorkingDays(d(tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s (%s), want %s", tt.from, tt.n, got, got.Weekday(), tt.want)
			}
			if back := c.WorkingDaysBetween(d(tt.from), got); back != tt.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, got, back, tt.n)
			}
			if w := c.Coverage(d(tt.from), got); (w != "") != tt.coverage {
				t.Errorf("Coverage = %q, want a warning: %v", w, tt.coverage)
			}
		})
	}
}

func TestNegativeDaysRefused(t *testing.T) {
	_, err := New(nationalFor(t)).AddWorkingDays(d("2026-02-13"), -3)
	if !errors.Is(err, ErrNegativeDays) || err.Error() != "calendar: the number of working days must be 0 or more, got -3" {
		t.Fatalf("err = %v, want ErrNegativeDays", err)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	tests := []struct {
		from, to string
		layers   []Layer
		want     int
	}{
		{from: "2026-02-13", to: "2026-02-24", want: 2},
		{from: "2026-02-24", to: "2026-02-13", want: -2},
		{from: "2026-02-14", to: "2026-02-14", want: 0},
		{from: "2026-02-14", to: "2026-02-23", want: 0},
		{from: "2025-12-31", to: "2026-01-05", want: 2},
		{from: "2025-12-31", to: "2026-12-31", want: 248},
		{from: "2026-02-27", to: "2026-03-06", layers: []Layer{harbin}, want: 4},
		{from: "2026-02-27", to: "2026-03-06", layers: []Layer{harbin, daoli}, want: 6},
		{from: "2026-12-25", to: "2027-01-08", layers: []Layer{newYear}, want: 7},
		{from: "2019-12-20", to: "2020-01-03", want: 9},
	}
	for _, tt := range tests {
		c := New(nationalFor(t), tt.layers...)
		if got := c.WorkingDaysBetween(d(tt.from), d(tt.to)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) with %d layers = %d, want %d", tt.from, tt.to, len(tt.layers), got, tt.want)
		}
	}
}

func TestDaysExplainsEverySkippedDay(t *testing.T) {
	c := New(nationalFor(t), harbin, daoli)
	got := c.Days(d("2026-02-27"), d("2026-03-08"))
	want := []Day{
		{Date: d("2026-02-28"), Working: true, Kind: KindAdjusted, Reason: "春节", Layer: NationalLayer},
		{Date: d("2026-03-01"), Working: true, Kind: KindExtra, Reason: "集中办理日", Layer: "230102"},
		{Date: d("2026-03-02"), Kind: KindClosure, Reason: "冰雪节", Layer: "230100"},
		{Date: d("2026-03-03"), Working: true, Kind: KindExtra, Reason: "恢复办公", Layer: "230102"},
		{Date: d("2026-03-07"), Kind: KindWeekend, Reason: "周末", Layer: NationalLayer},
		{Date: d("2026-03-08"), Kind: KindWeekend, Reason: "周末", Layer: NationalLayer},
	}
	if len(got) != len(want) {
		t.Fatalf("Days = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("day %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	spring := New(nationalFor(t)).Days(d("2026-02-13"), d("2026-02-24"))
	if len(spring) != 10 || spring[0].Kind != KindAdjusted || spring[1].Reason != "春节" || spring[1].Kind != KindHoliday {
		t.Errorf("Spring Festival days = %+v", spring)
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := New(nationalFor(t), harbin)
	for s, want := range map[string]bool{
		"2026-02-14": true, "2026-02-15": false, "2026-02-24": true, "2026-03-02": false,
		"2026-03-04": true, "2027-01-01": true, "2027-01-02": false, "2019-01-01": true,
	} {
		if got := c.IsWorkingDay(d(s)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestAgainstCounting compares the precomputed answers with counting day by day,
// over random dates inside, across and outside the data.
func TestAgainstCounting(t *testing.T) {
	c := New(nationalFor(t), harbin, daoli, newYear)
	naiveAdd := func(from Date, n int) Date {
		for n > 0 {
			from++
			if c.IsWorkingDay(from) {
				n--
			}
		}
		return from
	}
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := d("2017-01-01"), d("2029-12-31")
	for range 5000 {
		from := lo + Date(r.IntN(int(hi-lo)))
		n := r.IntN(400)
		got, _ := c.AddWorkingDays(from, n)
		if want := naiveAdd(from, n); got != want {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, counting gives %s", from, n, got, want)
		}
		to := from + Date(r.IntN(800)) - 400
		want := 0
		for x := min(from, to) + 1; x <= max(from, to); x++ {
			if c.IsWorkingDay(x) {
				want++
			}
		}
		if to < from {
			want = -want
		}
		if got := c.WorkingDaysBetween(from, to); got != want {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, counting gives %d", from, to, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, bad := range []string{"2026-02-30", "2026-2-3", "20260203", "1999-12-31", "2100-01-01", "", "2026-02-03T00:00:00Z"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
	if got := d("2026-02-17"); got.String() != "2026-02-17" || got.Weekday().String() != "Tuesday" {
		t.Errorf("2026-02-17 = %s, %s", got, got.Weekday())
	}
}

func TestNationalTable(t *testing.T) {
	hs := nationalFor(t)
	if len(hs) != 255 {
		t.Errorf("%d rows, want 255", len(hs))
	}
	c := New(hs)
	if w := c.Coverage(d("2020-01-01"), d("2026-12-31")); w != "" {
		t.Errorf("coverage of 2020–2026: %q", w)
	}
	for _, h := range hs {
		if c.IsWorkingDay(h.Date) != h.Work {
			t.Errorf("%s (%s): working %v", h.Date, h.Name, !h.Work)
		}
	}
}
