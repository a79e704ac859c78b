package calendar

import "testing"

// The benchmarks draw dates across 2019–2027, so that answers start and end inside,
// across and outside the national data, with a city's and a district's layers.

func benchDates() []Date {
	out := make([]Date, 1024)
	lo := DateOf(2019, 1, 1)
	for i := range out {
		out[i] = lo + Date((i*7919)%(9*365))
	}
	return out
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := New(nationalFor(b), harbin, daoli, newYear)
	dates := benchDates()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.AddWorkingDays(dates[i%len(dates)], 20+i%40); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkWorkingDaysBetween(b *testing.B) {
	c := New(nationalFor(b), harbin, daoli, newYear)
	dates := benchDates()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = c.WorkingDaysBetween(dates[i%len(dates)], dates[(i+1)%len(dates)])
		i++
	}
}

// BenchmarkNew is what a tenant's first request after a Calendar change costs.
func BenchmarkNew(b *testing.B) {
	hs := nationalFor(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = New(hs, harbin, daoli)
	}
}
