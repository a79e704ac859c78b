package calendar

import (
	"fmt"
	"time"
)

// Date is a calendar day, counted in days since 1970-01-01. Dates carry no time of
// day or zone: a deadline falls on a date, and offices close at the end of it.
type Date int32

// layoutDate is how dates are written everywhere: YYYY-MM-DD.
const layoutDate = "2006-01-02"

// The years a date may name in a Calendar resource or a request: wide enough for any
// deadline, narrow enough that a precomputed span stays small.
const (
	MinYear = 2000
	MaxYear = 2099
)

// DateOf returns the date of a year, month and day; out-of-range days roll over as
// time.Date does.
func DateOf(year int, month time.Month, day int) Date {
	return Date(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDate reads a YYYY-MM-DD date that exists (2026-02-30 does not) in the years
// MinYear to MaxYear.
func ParseDate(s string) (Date, error) {
	if len(s) != len(layoutDate) {
		return 0, fmt.Errorf("calendar: %q is not a date (YYYY-MM-DD)", s)
	}
	t, err := time.Parse(layoutDate, s)
	if err != nil {
		return 0, fmt.Errorf("calendar: %q is not a date (YYYY-MM-DD)", s)
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return 0, fmt.Errorf("calendar: %s is outside the years %d to %d", s, MinYear, MaxYear)
	}
	return Date(t.Unix() / 86400), nil
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Year is the year of d.
func (d Date) Year() int { return d.Time().Year() }

// String writes d as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(layoutDate) }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday { return time.Weekday(floorMod(int(d)+4, 7)) } // 1970-01-01 was a Thursday

// IsWeekend reports whether d is a Saturday or a Sunday.
func (d Date) IsWeekend() bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// firstMonday is 1970-01-05, the origin of weekday counting.
const firstMonday = 4

// weekdaysBefore counts the Mondays to Fridays in [1970-01-05, d), negatively for
// dates before it: the difference of two calls counts the weekdays between them.
func weekdaysBefore(d Date) int {
	x := int(d) - firstMonday
	return 5*floorDiv(x, 7) + min(floorMod(x, 7), 5)
}

// nthWeekday is the weekday d with weekdaysBefore(d+1) == t: the inverse of
// weekdaysBefore on weekdays.
func nthWeekday(t int) Date {
	return Date(firstMonday + 7*floorDiv(t-1, 5) + floorMod(t-1, 5))
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - b*floorDiv(a, b) }
