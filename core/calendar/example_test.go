package calendar_test

import (
	"fmt"

	"github.com/gdbos/gdbos/core/calendar"
)

// A licence application accepted on Thursday 12 February 2026 must be decided within
// 20 working days (行政许可法 art. 42): the Spring Festival holiday is skipped and
// the two Saturdays worked in exchange count.
func ExampleCalendar_AddWorkingDays() {
	national, err := calendar.National()
	if err != nil {
		panic(err)
	}
	c := calendar.New(national)
	accepted, _ := calendar.ParseDate("2026-02-12")
	due, _ := c.AddWorkingDays(accepted, 20)
	fmt.Println(due, c.WorkingDaysBetween(accepted, due))
	for _, d := range c.Days(accepted, accepted+5) {
		fmt.Println(d.Date, d.Kind, d.Reason, d.Layer)
	}
	// Output:
	// 2026-03-18 20
	// 2026-02-14 adjusted-workday 春节 national
	// 2026-02-15 holiday 春节 national
	// 2026-02-16 holiday 春节 national
	// 2026-02-17 holiday 春节 national
}

// A city closes a day; its districts inherit the closure.
func ExampleParseSpec() {
	national, _ := calendar.National()
	layer, err := calendar.ParseSpec("230100", map[string]any{
		"closures": []any{map[string]any{"from": "2026-03-02", "reason": "冰雪节"}},
	})
	if err != nil {
		panic(err)
	}
	c := calendar.New(national, layer)
	friday, _ := calendar.ParseDate("2026-02-27")
	due, _ := c.AddWorkingDays(friday, 2)
	fmt.Println(due)
	// Output: 2026-03-03
}
