package calendar

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gdbos/gdbos/schemas"
)

// NationalTable is the embedded table of statutory holidays and adjusted working
// days published by the State Council.
const NationalTable = "codetables/cn-holidays-2020-2026.csv"

// Holiday is one row of the national table: a statutory day off, or a weekend day
// worked in exchange (调休上班).
type Holiday struct {
	Date Date
	// Name is the holiday the row belongs to (春节, 国庆节…).
	Name string
	// Work marks an adjusted working day; otherwise the date is a day off.
	Work bool
}

// ParseHolidays reads a table with the header date,name,kind where kind is off or
// work. Every row is checked; the error names each bad line.
func ParseHolidays(r io.Reader) ([]Holiday, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("calendar: holiday table: %w", err)
	}
	if head[0] != "date" || head[1] != "name" || head[2] != "kind" {
		return nil, errors.New("calendar: holiday table: header must be date,name,kind")
	}
	var out []Holiday
	var errs []error
	seen := map[Date]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("calendar: holiday table: %w", err)
		}
		d, err := ParseDate(rec[0])
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		if prev, dup := seen[d]; dup {
			errs = append(errs, fmt.Errorf("line %d: %s is already on line %d", line, rec[0], prev))
			continue
		}
		seen[d] = line
		switch rec[2] {
		case "off", "work":
		default:
			errs = append(errs, fmt.Errorf("line %d: kind %q must be off or work", line, rec[2]))
			continue
		}
		out = append(out, Holiday{Date: d, Name: rec[1], Work: rec[2] == "work"})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("calendar: holiday table: %w", errors.Join(errs...))
	}
	return out, nil
}

var national = sync.OnceValues(func() ([]Holiday, error) {
	f, err := schemas.FS.Open(NationalTable)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	defer f.Close()
	return ParseHolidays(f)
})

// National returns the embedded national table, read once. The slice is shared:
// do not change it.
func National() ([]Holiday, error) { return national() }
