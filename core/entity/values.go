package entity

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gdbos/gdbos/core/apierr"
)

// ElementCheck checks a value against a data element as published at a tenant and
// returns each rule it breaks, in words.
type ElementCheck func(tenant, element string, value any) []string

// normalize checks input against fields and converts it to column values: every
// problem with its path (/input/FIELD). On create, required fields must be present;
// on update only the given fields are checked.
func normalize(fields []Field, in map[string]any, create bool, at string, check ElementCheck) (map[string]any, error) {
	var l apierr.FieldList
	out := map[string]any{}
	byName := map[string]Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	for name := range in {
		if _, ok := byName[name]; !ok {
			l.Add("/input/"+name, "no field %q here", name)
		}
	}
	for _, f := range fields {
		v, given := in[f.Name]
		path := "/input/" + f.Name
		if f.Column == "" {
			switch {
			case given:
				l.Add(path, "cannot be written through this version: the storage version stores it with another type; write it through the storage version")
			case f.Required && create:
				l.Add(path, "is required, but cannot be written through this version (the storage version stores it with another type): create the record through the storage version")
			}
			continue
		}
		if !given || v == nil {
			if f.Required && (create || given) {
				l.Add(path, "is required")
			}
			if given {
				out[f.Column] = nil
			}
			continue
		}
		cv, problems := convert(f, v)
		if len(problems) == 0 && f.Element != "" && check != nil {
			problems = check(at, f.Element, v)
		}
		for _, p := range problems {
			l.Add(path, "%s", p)
		}
		out[f.Column] = cv
	}
	return out, l.Err("invalid record")
}

func convert(f Field, v any) (any, []string) {
	var problems []string
	switch f.Type {
	case TypeInteger:
		n, ok := toFloat(v)
		if !ok || n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return nil, []string{fmt.Sprintf("must be a whole number, not %v", v)}
		}
		problems = bounds(f, n)
		return int64(n), problems
	case TypeDecimal:
		n, ok := toFloat(v)
		if !ok {
			return nil, []string{fmt.Sprintf("must be a number, not %v", v)}
		}
		return n, bounds(f, n)
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, []string{"must be true or false"}
		}
		return b, nil
	case TypeDate:
		s, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return nil, []string{"must be a date, YYYY-MM-DD"}
		}
		return s, nil
	case TypeDateTime:
		s, ok := v.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if !ok || err != nil {
			return nil, []string{"must be a date and time in RFC 3339, 2006-01-02T15:04:05Z"}
		}
		return t.UTC().Format(time.RFC3339Nano), nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, []string{"must be a string"}
	}
	if f.Length > 0 && utf8.RuneCountInString(s) > f.Length {
		problems = append(problems, fmt.Sprintf("is %d characters long; at most %d", utf8.RuneCountInString(s), f.Length))
	}
	if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
		problems = append(problems, fmt.Sprintf("must be one of %v", f.Enum))
	}
	if f.Pattern != "" {
		if re, err := regexp.Compile(f.Pattern); err == nil && !re.MatchString(s) {
			problems = append(problems, fmt.Sprintf("does not match %s", f.Pattern))
		}
	}
	return s, problems
}

func bounds(f Field, n float64) []string {
	var p []string
	if f.Min != nil && n < *f.Min {
		p = append(p, fmt.Sprintf("must be at least %v", *f.Min))
	}
	if f.Max != nil && n > *f.Max {
		p = append(p, fmt.Sprintf("must be at most %v", *f.Max))
	}
	return p
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

// fromColumn converts what a driver returns to the field's Go value.
func fromColumn(typ string, v any) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		return nil
	}
	switch typ {
	case TypeInteger:
		if f, ok := toFloat(v); ok {
			return int64(f)
		}
	case TypeDecimal:
		if f, ok := toFloat(v); ok {
			return f
		}
	case TypeBoolean:
		switch b := v.(type) {
		case int64:
			return b != 0
		case bool:
			return b
		}
	}
	return v
}
