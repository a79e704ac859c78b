package standard

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/division"
	"github.com/gdbos/gdbos/core/stdcode"
)

// formats are the national-standard identifiers a string may have to be.
var formats = map[string]func(string) error{
	"uscc":             stdcode.CreditCode,
	"residentId":       stdcode.ResidentID,
	"organizationCode": stdcode.OrganizationCode,
	"mobile":           stdcode.Mobile,
	"email":            stdcode.Email,
	"divisionCode":     nil, // checked against the divisions table
}

func (e *Element) compileFormat(l *apierr.FieldList, textual bool, tables CodeLookup) {
	s := e.Spec
	if s.Format != "" {
		check, known := formats[s.Format]
		switch {
		case !known:
			l.Add("/spec/format", "unknown format %q: must be uscc, residentId, organizationCode, divisionCode, mobile or email", s.Format)
		case !textual:
			l.Add("/spec/format", "a format applies only to types string and code")
		case s.Format == "divisionCode":
			t, err := lookup(tables, DivisionsTable)
			if err != nil {
				l.Add("/spec/format", "format divisionCode needs the code table %s: %v", DivisionsTable, err)
			}
			e.divisions = t
		default:
			e.format = check
		}
	}
	if s.DivisionLevel != "" {
		lv := division.Level(s.DivisionLevel)
		switch {
		case s.Format != "divisionCode":
			l.Add("/spec/divisionLevel", "a division level applies only to format divisionCode")
		case lv.Rank() < 1:
			l.Add("/spec/divisionLevel", "unknown division level %q: must be province, city, county or township", s.DivisionLevel)
		default:
			e.divLevel = lv
		}
	}
}

func (e *Element) checkDivision(s string, at time.Time, add func(rule, format string, args ...any)) {
	parsed, err := division.Parse(s)
	if err != nil {
		add("format", "not a valid division code (GB/T 2260): %s", strings.TrimPrefix(err.Error(), division.ErrInvalidCode.Error()+" "))
		return
	}
	c, ok := e.divisions.Lookup(s, at)
	switch {
	case c == nil:
		add("format", "%s is not a division in the code table %s", s, e.divisions)
		return
	case !ok:
		add("format", "%s", invalidCode(e.divisions, c, at))
	}
	level := parsed
	if c.Level != "" {
		level = division.Level(c.Level)
	}
	if e.divLevel != "" && level != e.divLevel {
		add("divisionLevel", "%s (%s) is a %s, not a %s", s, c.Name, level, e.divLevel)
	}
}

var decimalRE = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?$`)

// coerce converts v to the internal form of typ: string, int64, *big.Rat, bool or
// time.Time. Strings are trimmed of surrounding spaces only for numbers, booleans
// and dates; text is kept as entered.
func coerce(typ string, v any) (any, error) {
	if v == nil {
		return nil, errors.New("a value is required")
	}
	switch typ {
	case TypeString, TypeCode:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("expected text, not %s", kindOf(v))
	case TypeInteger:
		return toInteger(v)
	case TypeDecimal:
		return toDecimal(v)
	case TypeBoolean:
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, fmt.Errorf("expected true or false, not %s", kindOf(v))
	case TypeDate:
		switch v := v.(type) {
		case time.Time:
			y, m, d := v.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
		case string:
			if t, err := time.Parse(dateLayout, strings.TrimSpace(v)); err == nil {
				return t, nil
			}
			return nil, fmt.Errorf("%q is not a date: expected YYYY-MM-DD", v)
		}
		return nil, fmt.Errorf("expected a date (YYYY-MM-DD), not %s", kindOf(v))
	case TypeDatetime:
		switch v := v.(type) {
		case time.Time:
			return v.UTC(), nil
		case string:
			if t, err := time.Parse(time.RFC3339, strings.TrimSpace(v)); err == nil {
				return t.UTC(), nil
			}
			return nil, fmt.Errorf("%q is not a date and time: expected RFC 3339, e.g. 2024-05-01T09:30:00+08:00", v)
		}
		return nil, fmt.Errorf("expected a date and time (RFC 3339), not %s", kindOf(v))
	}
	return nil, fmt.Errorf("the element's type %q is unknown", typ)
}

func toInteger(v any) (any, error) {
	switch v := v.(type) {
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case int64:
		return v, nil
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), nil
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= 1<<53 {
			return int64(v), nil
		}
		return nil, fmt.Errorf("%v is not a whole number", v)
	case json.Number:
		return toInteger(string(v))
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, nil
		}
		return nil, fmt.Errorf("%q is not a whole number", v)
	}
	return nil, fmt.Errorf("expected a whole number, not %s", kindOf(v))
}

func toDecimal(v any) (any, error) {
	var text string
	switch v := v.(type) {
	case int, int32, int64, uint64:
		text = fmt.Sprint(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%v is not a number", v)
		}
		text = strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		text = string(v)
	case string:
		text = strings.TrimSpace(v)
		if !decimalRE.MatchString(text) {
			return nil, fmt.Errorf("%q is not a decimal number (digits, optionally a point and more digits)", v)
		}
	default:
		return nil, fmt.Errorf("expected a number, not %s", kindOf(v))
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, fmt.Errorf("%q is not a number", text)
	}
	return r, nil
}

// decimals counts the digits after the point of a decimal as given.
func decimals(v any) int {
	var text string
	switch v := v.(type) {
	case float64:
		text = strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		text = string(v)
	case string:
		text = strings.TrimSpace(v)
	}
	if i := strings.IndexByte(text, '.'); i >= 0 && !strings.ContainsAny(text, "eE") {
		return len(text) - i - 1
	}
	return 0
}

// external turns an internal value into the one Coerce returns.
func external(c, given any) any {
	if r, ok := c.(*big.Rat); ok {
		if d := decimals(given); d > 0 {
			return r.FloatString(d)
		}
		return ratText(r)
	}
	return c
}

func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := r.FloatString(20)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "text"
	case bool:
		return "true/false"
	case int, int32, int64, uint64, float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// compare orders two internal values of the same type; values of different types
// or unordered types compare equal only when identical.
func compare(a, b any) int {
	switch a := a.(type) {
	case int64:
		switch b := b.(type) {
		case int64:
			return cmpInt(a, b)
		case *big.Rat:
			return new(big.Rat).SetInt64(a).Cmp(b)
		}
	case *big.Rat:
		switch b := b.(type) {
		case *big.Rat:
			return a.Cmp(b)
		case int64:
			return a.Cmp(new(big.Rat).SetInt64(b))
		}
	case time.Time:
		if b, ok := b.(time.Time); ok {
			return a.Compare(b)
		}
	case string:
		if b, ok := b.(string); ok {
			return strings.Compare(a, b)
		}
	case bool:
		if b, ok := b.(bool); ok && a == b {
			return 0
		}
		return 1
	}
	return 1
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseBound reads a minimum or maximum for typ.
func parseBound(typ string, v any) (bound, error) {
	if v == nil {
		return bound{}, nil
	}
	switch typ {
	case TypeInteger, TypeDecimal:
		c, err := toDecimal(v)
		if err != nil {
			return bound{}, fmt.Errorf("a bound of a %s must be a number: %v", typ, err)
		}
		return bound{set: true, value: c, text: ratText(c.(*big.Rat))}, nil
	case TypeDate, TypeDatetime:
		s, _ := v.(string)
		if s == "today" || s == "now" {
			return bound{set: true, relative: s, text: s}, nil
		}
		c, err := coerce(typ, v)
		if err != nil {
			return bound{}, fmt.Errorf("a bound of a %s must be a %s or today/now: %v", typ, typ, err)
		}
		return bound{set: true, value: c, text: display(c)}, nil
	}
	return bound{}, fmt.Errorf("minimum and maximum apply only to integer, decimal, date and datetime")
}

// at returns the bound's value at time t.
func (b bound) at(t time.Time) any {
	switch b.relative {
	case "today":
		y, m, d := t.In(chinaTime).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case "now":
		return t.UTC()
	}
	return b.value
}

// chinaTime is Beijing time, in which "today" is judged; fixed, so no tz database
// is needed.
var chinaTime = time.FixedZone("CST", 8*3600)
