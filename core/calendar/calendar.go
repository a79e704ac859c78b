// Package calendar answers working-day questions for deadlines under the
// Administrative Licensing Law (行政许可法, art. 82: periods in working days, statutory
// holidays excluded): which days are working days, the date n working days after
// another, and how many working days lie between two dates.
//
// A Calendar is the national table (statutory holidays and adjusted working days)
// with layers on top, root tenant first: each layer closes days (local holidays,
// extraordinary closures) or opens weekend days for work. Outside the years the
// national table covers only weekends are days off, plus the layers' own entries;
// Coverage says when an answer relies on that.
//
// The package is a leaf: it imports nothing from the kernel but core/apierr.
package calendar

import (
	"errors"
	"fmt"
	"time"
)

// NationalLayer names the national table in answers; tenant layers are named by
// their tenant code.
const NationalLayer = "national"

// Kind says why a day differs from the ordinary Monday-to-Friday rule.
type Kind string

// The kinds of days a Calendar reports.
const (
	KindWeekend  Kind = "weekend"          // a Saturday or Sunday
	KindHoliday  Kind = "holiday"          // a national statutory day off
	KindAdjusted Kind = "adjusted-workday" // a weekend day worked in exchange (调休上班)
	KindClosure  Kind = "closure"          // closed by a tenant
	KindExtra    Kind = "extra-workday"    // opened for work by a tenant
)

// Day is a date that is not an ordinary weekday, with the reason and the layer
// that decided it: what a citizen needs to see why a deadline moved.
type Day struct {
	Date    Date
	Working bool
	Kind    Kind
	// Reason is the holiday's name or the tenant's reason; 周末 for weekends.
	Reason string
	// Layer is NationalLayer or the tenant code that decided the day.
	Layer string
}

// Layer is what one tenant adds to the calendar of its subtree.
type Layer struct {
	Tenant      string
	Closures    []Closure
	WorkingDays []WorkingDay
}

// Closure closes the days From to To, both included.
type Closure struct {
	From, To Date
	Reason   string
}

// WorkingDay opens a day for work that would otherwise be closed.
type WorkingDay struct {
	Date   Date
	Reason string
}

// ErrNegativeDays is returned for a negative number of working days: a deadline
// counts forward from the day of acceptance.
var ErrNegativeDays = errors.New("calendar: the number of working days must be 0 or more")

// Calendar answers working-day questions in O(1). It is immutable and safe for
// concurrent use.
type Calendar struct {
	// lo and n delimit the precomputed span [lo, lo+n): whole years from the first
	// to the last year with any entry. Outside it only weekends are days off.
	lo Date
	n  int
	// day holds, per day of the span, whether it is worked and why it differs
	// from the weekday rule (an index into notes, or -1).
	day []dayInfo
	// diff[i] is the number of working days in [lo, lo+i) minus the number of
	// weekdays there: the span's correction to weekday counting (len n+1).
	diff []int32
	// nth[k] is the offset from lo of the span's (k+1)-th working day.
	nth   []int32
	notes []note
	// dataFrom and dataTo delimit the national table's years.
	dataFrom, dataTo Date
}

type dayInfo struct {
	working bool
	note    int32
}

type note struct {
	kind   Kind
	reason string
	layer  string
}

// New builds the calendar of national data and layers, root first: a deeper layer
// decides a day over the layers above it; within one layer a closure wins over a
// working day.
func New(nationalDays []Holiday, layers ...Layer) *Calendar {
	c := &Calendar{}
	first, last := MaxYear+1, MinYear-1
	see := func(d Date) {
		y := d.Year()
		first, last = min(first, y), max(last, y)
	}
	for _, h := range nationalDays {
		see(h.Date)
	}
	if first <= last {
		c.dataFrom, c.dataTo = DateOf(first, 1, 1), DateOf(last, 12, 31)
	} else {
		c.dataFrom, c.dataTo = 1, 0 // no data: every date is outside
	}
	for _, l := range layers {
		for _, cl := range l.Closures {
			see(cl.From)
			see(cl.To)
		}
		for _, w := range l.WorkingDays {
			see(w.Date)
		}
	}
	if first > last {
		c.diff = []int32{0}
		return c
	}
	c.lo = DateOf(first, 1, 1)
	c.n = int(DateOf(last+1, 1, 1) - c.lo)
	c.day = make([]dayInfo, c.n)
	weekend := make([]bool, c.n)
	for i, wd := 0, c.lo.Weekday(); i < c.n; i, wd = i+1, (wd+1)%7 {
		weekend[i] = wd == time.Saturday || wd == time.Sunday
		c.day[i] = dayInfo{working: !weekend[i], note: -1}
	}
	set := func(d Date, working bool, n note) {
		c.notes = append(c.notes, n)
		c.day[d-c.lo] = dayInfo{working: working, note: int32(len(c.notes) - 1)}
	}
	for _, h := range nationalDays {
		if h.Work {
			set(h.Date, true, note{KindAdjusted, h.Name, NationalLayer})
		} else {
			set(h.Date, false, note{KindHoliday, h.Name, NationalLayer})
		}
	}
	for _, l := range layers {
		for _, w := range l.WorkingDays {
			set(w.Date, true, note{KindExtra, w.Reason, l.Tenant})
		}
		for _, cl := range l.Closures {
			c.notes = append(c.notes, note{KindClosure, cl.Reason, l.Tenant})
			for d := cl.From; d <= cl.To; d++ {
				c.day[d-c.lo] = dayInfo{working: false, note: int32(len(c.notes) - 1)}
			}
		}
	}
	c.diff = make([]int32, c.n+1)
	c.nth = make([]int32, 0, c.n*5/7+len(nationalDays))
	for i, di := range c.day {
		c.diff[i+1] = c.diff[i]
		if di.working {
			c.diff[i+1]++
			c.nth = append(c.nth, int32(i))
		}
		if !weekend[i] {
			c.diff[i+1]--
		}
	}
	return c
}

// before counts working days in [1970-01-05, d), negatively before it; only
// differences of two calls mean anything.
func (c *Calendar) before(d Date) int {
	i := min(max(int(d-c.lo), 0), c.n)
	return weekdaysBefore(d) + int(c.diff[i])
}

// IsWorkingDay reports whether offices work on d.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if i := int(d - c.lo); i >= 0 && i < c.n {
		return c.day[i].working
	}
	return !d.IsWeekend()
}

// AddWorkingDays returns the n-th working day after from. The day of acceptance does
// not count (行政许可法 art. 82 with the general rule that a period starts on the
// next day), whether or not it is itself a working day: accepted on a Friday, one
// working day ends on the following Monday. n = 0 returns from.
func (c *Calendar) AddWorkingDays(from Date, n int) (Date, error) {
	if n < 0 {
		return 0, fmt.Errorf("%w, got %d", ErrNegativeDays, n)
	}
	if n == 0 {
		return from, nil
	}
	t := c.before(from+1) + n
	// The answer is the working day d with before(d+1) == t.
	spanStart := weekdaysBefore(c.lo)
	switch spanEnd := weekdaysBefore(c.lo+Date(c.n)) + int(c.diff[c.n]); {
	case t <= spanStart:
		return nthWeekday(t), nil
	case t > spanEnd:
		return nthWeekday(t - int(c.diff[c.n])), nil
	default:
		return c.lo + Date(c.nth[t-spanStart-1]), nil
	}
}

// WorkingDaysBetween counts the working days after from up to and including to, so
// that WorkingDaysBetween(from, AddWorkingDays(from, n)) == n. It is negative when
// to is before from.
func (c *Calendar) WorkingDaysBetween(from, to Date) int {
	return c.before(to+1) - c.before(from+1)
}

// Days lists, in order, the days after from up to and including to that differ from
// the ordinary rule: weekends and holidays skipped, days a tenant closed, and weekend
// days worked. Its cost grows with the range: call it for answers shown to people.
func (c *Calendar) Days(from, to Date) []Day {
	var out []Day
	for d := from + 1; d <= to; d++ {
		i := int(d - c.lo)
		if i < 0 || i >= c.n || c.day[i].note < 0 {
			if d.IsWeekend() {
				out = append(out, Day{Date: d, Kind: KindWeekend, Reason: "周末", Layer: NationalLayer})
			}
			continue
		}
		di := c.day[i]
		nt := c.notes[di.note]
		if di.working && !d.IsWeekend() && nt.layer == NationalLayer {
			continue // a weekday the table lists as worked: nothing to explain
		}
		out = append(out, Day{Date: d, Working: di.working, Kind: nt.kind, Reason: nt.reason, Layer: nt.layer})
	}
	return out
}

// Coverage returns "" when the national table covers every day from from to to,
// else a warning that only weekends (and the tenant's own entries) were counted as
// days off outside it.
func (c *Calendar) Coverage(from, to Date) string {
	from, to = min(from, to), max(from, to)
	if from >= c.dataFrom && to <= c.dataTo {
		return ""
	}
	if c.dataFrom > c.dataTo {
		return "no national holiday data: only weekends and local entries are days off"
	}
	return fmt.Sprintf("the national holiday data covers %s to %s: outside it only weekends and local entries are days off", c.dataFrom, c.dataTo)
}
