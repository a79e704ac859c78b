package calendar

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// Limits of one Calendar resource; the JSON Schema states them too.
const (
	maxEntries = 1000
	maxReason  = 200
)

// ParseSpec reads the spec of a Calendar resource (schemas/kinds/Calendar.json) at
// tenant into a layer, checking what the JSON Schema cannot: dates that exist, within
// MinYear to MaxYear, ranges that do not end before they start, and no date given
// twice (two closures overlapping, a working day listed twice or also closed). It
// reports every problem with its path, as a VALIDATION_FAILED *apierr.Error.
func ParseSpec(tenant string, spec map[string]any) (Layer, error) {
	l := Layer{Tenant: tenant}
	var errs apierr.FieldList
	var closurePaths, workingPaths []string // where each kept entry came from
	for i, item := range list(spec, "closures", &errs) {
		base := fmt.Sprintf("/spec/closures/%d", i)
		m, ok := item.(map[string]any)
		if !ok {
			errs.Add(base, "must be an object")
			continue
		}
		from, okFrom := date(m, "from", base, true, &errs)
		to, okTo := date(m, "to", base, false, &errs)
		if _, given := m["to"]; !given {
			to, okTo = from, okFrom
		}
		reason, okReason := reasonOf(m, base, &errs)
		if !okFrom || !okTo || !okReason {
			continue
		}
		if to < from {
			errs.Add(base+"/to", "%s is before from (%s)", to, from)
			continue
		}
		l.Closures = append(l.Closures, Closure{From: from, To: to, Reason: reason})
		closurePaths = append(closurePaths, base)
	}
	for i, item := range list(spec, "workingDays", &errs) {
		base := fmt.Sprintf("/spec/workingDays/%d", i)
		m, ok := item.(map[string]any)
		if !ok {
			errs.Add(base, "must be an object")
			continue
		}
		d, okDate := date(m, "date", base, true, &errs)
		reason, okReason := reasonOf(m, base, &errs)
		if okDate && okReason {
			l.WorkingDays = append(l.WorkingDays, WorkingDay{Date: d, Reason: reason})
			workingPaths = append(workingPaths, base)
		}
	}
	if d, ok := spec["description"]; ok {
		if _, isString := d.(string); !isString {
			errs.Add("/spec/description", "must be a string")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec)) {
		if k != "closures" && k != "workingDays" && k != "description" {
			errs.Add("/spec/"+k, "unknown field")
		}
	}
	checkOverlaps(l, closurePaths, workingPaths, &errs)
	if err := errs.Err("invalid calendar"); err != nil {
		return Layer{}, err
	}
	return l, nil
}

func list(spec map[string]any, key string, errs *apierr.FieldList) []any {
	v, ok := spec[key]
	if !ok || v == nil {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		errs.Add("/spec/"+key, "must be a list")
		return nil
	}
	if len(items) > maxEntries {
		errs.Add("/spec/"+key, "has %d entries; at most %d", len(items), maxEntries)
		return nil
	}
	return items
}

func date(m map[string]any, key, base string, required bool, errs *apierr.FieldList) (Date, bool) {
	v, ok := m[key]
	if !ok {
		if required {
			errs.Add(base+"/"+key, "is required")
		}
		return 0, false
	}
	s, ok := v.(string)
	if !ok {
		errs.Add(base+"/"+key, "must be a date as a string (YYYY-MM-DD)")
		return 0, false
	}
	d, err := ParseDate(s)
	if err != nil {
		errs.Add(base+"/"+key, "%s", trimPrefix(err))
		return 0, false
	}
	return d, true
}

func reasonOf(m map[string]any, base string, errs *apierr.FieldList) (string, bool) {
	s, ok := m["reason"].(string)
	switch {
	case !ok:
		errs.Add(base+"/reason", "is required: say why, for the citizens who see it")
	case s == "" || len([]rune(s)) > maxReason:
		errs.Add(base+"/reason", "must have 1 to %d characters", maxReason)
	default:
		return s, true
	}
	return "", false
}

// checkOverlaps reports each closure that shares a day with an earlier one, each
// working day listed twice, and each working day that a closure also closes.
func checkOverlaps(l Layer, closurePaths, workingPaths []string, errs *apierr.FieldList) {
	order := make([]int, len(l.Closures))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(l.Closures[a].From - l.Closures[b].From) })
	reach := -1 // the closure, so far in date order, that ends last
	for _, i := range order {
		if reach >= 0 && l.Closures[i].From <= l.Closures[reach].To {
			a, b := min(i, reach), max(i, reach)
			errs.Add(closurePaths[b], "overlaps %s: %s is closed twice", closurePaths[a], max(l.Closures[i].From, l.Closures[reach].From))
		}
		if reach < 0 || l.Closures[i].To > l.Closures[reach].To {
			reach = i
		}
	}
	seen := map[Date]int{}
	for i, w := range l.WorkingDays {
		if j, dup := seen[w.Date]; dup {
			errs.Add(workingPaths[i]+"/date", "%s is already listed at %s", w.Date, workingPaths[j])
			continue
		}
		seen[w.Date] = i
		for k, cl := range l.Closures {
			if w.Date >= cl.From && w.Date <= cl.To {
				errs.Add(workingPaths[i]+"/date", "%s is also closed by %s", w.Date, closurePaths[k])
				break
			}
		}
	}
}

// trimPrefix drops the package prefix of err for a message shown beside a path.
func trimPrefix(err error) string { return strings.TrimPrefix(err.Error(), "calendar: ") }
