// Package standard holds GDBOS's data standards: data elements (标准数据元), which
// say what a value of one kind must look like, and code tables (代码表), the
// versioned code lists that values refer to. A DataElementSpec compiles into an
// Element that checks values and reports every broken rule in words; a
// CodeTableSpec builds a CodeTable after its hierarchy is checked.
//
// The package imports no kernel package: the kernel decodes resources into these
// specs and hands Compile a CodeLookup over the code tables in effect at a tenant.
package standard

import (
	"fmt"
	"math/big"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/division"
)

// DataElementSpec is the spec of a DataElement resource (schemas/kinds/DataElement.json).
type DataElementSpec struct {
	// Code is the element's identifier in a data standard, e.g. DE00001.
	Code string `json:"code,omitempty"`
	// Name is its name for people, e.g. 统一社会信用代码.
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is string, integer, decimal, boolean, date, datetime or code.
	Type string `json:"type,omitempty"`
	// MinLength and MaxLength count characters of a string or code.
	MinLength *int `json:"minLength,omitempty"`
	MaxLength *int `json:"maxLength,omitempty"`
	// Scale is the most digits a decimal may have after the point.
	Scale *int `json:"scale,omitempty"`
	// Format is a national-standard identifier the value must be: uscc, residentId,
	// organizationCode, divisionCode, mobile or email.
	Format string `json:"format,omitempty"`
	// DivisionLevel, with format divisionCode, is the level the division must have.
	DivisionLevel string `json:"divisionLevel,omitempty"`
	// Pattern is a Go (RE2) regular expression the whole value must match.
	Pattern string `json:"pattern,omitempty"`
	// Minimum and Maximum bound numbers (a number) and dates (YYYY-MM-DD, RFC 3339
	// for datetime, or "today"/"now"), both inclusive.
	Minimum any `json:"minimum,omitempty"`
	Maximum any `json:"maximum,omitempty"`
	// Enum lists the only values allowed.
	Enum []any `json:"enum,omitempty"`
	// CodeTable names the code table a value of type code must be a valid code of.
	CodeTable string `json:"codeTable,omitempty"`
	// Unit of measurement, e.g. 万元.
	Unit string `json:"unit,omitempty"`
	// Classification is the personal-data level: public, internal, personal, sensitive.
	Classification string `json:"classification,omitempty"`
}

// The value types of a data element.
const (
	TypeString   = "string"
	TypeInteger  = "integer"
	TypeDecimal  = "decimal"
	TypeBoolean  = "boolean"
	TypeDate     = "date"
	TypeDatetime = "datetime"
	TypeCode     = "code"
)

// DivisionsTable is the code table that format divisionCode looks codes up in.
const DivisionsTable = "divisions"

var types = []string{TypeString, TypeInteger, TypeDecimal, TypeBoolean, TypeDate, TypeDatetime, TypeCode}

var classifications = []string{"public", "internal", "personal", "sensitive"}

// CodeLookup finds the code tables a data element refers to, as in effect where the
// element is used.
type CodeLookup interface {
	// CodeTable returns the table called name, or an error saying why there is none.
	CodeTable(name string) (*CodeTable, error)
}

// Tables is a CodeLookup over a fixed set of tables.
type Tables map[string]*CodeTable

// CodeTable returns the table called name.
func (t Tables) CodeTable(name string) (*CodeTable, error) {
	if c, ok := t[name]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("there is no code table %s", name)
}

// Problem is one rule a value breaks.
type Problem struct {
	// Path locates the value inside what was checked; "" is the value itself.
	Path string `json:"path"`
	// Rule is the rule's stable name: type, minLength, maxLength, pattern, format,
	// divisionLevel, minimum, maximum, scale, enum or codeTable.
	Rule string `json:"rule"`
	// Message says what is wrong, for the person who entered the value.
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Rule + ": " + p.Message
	}
	return p.Path + ": " + p.Rule + ": " + p.Message
}

// FieldErrors turns problems into field errors under path (a JSON pointer), for an
// apierr.Invalid answer.
func FieldErrors(path string, ps []Problem) []apierr.FieldError {
	out := make([]apierr.FieldError, len(ps))
	for i, p := range ps {
		out[i] = apierr.FieldError{Path: path + p.Path, Message: p.Message + " (" + p.Rule + ")"}
	}
	return out
}

// Element is a compiled data element: it checks values. It is safe for concurrent use.
type Element struct {
	// Name is the element's resource name (uscc), Spec what it was compiled from.
	Name string
	Spec DataElementSpec

	pattern    *regexp.Regexp
	format     func(string) error
	min, max   bound
	enum       []any
	table      *CodeTable
	divisions  *CodeTable
	divLevel   division.Level
	minLen     int
	maxLen     int // -1: unbounded
	scale      int // -1: unbounded
	enumWords  string
	tableWords string
}

// bound is a minimum or maximum: a fixed value, or today/now at check time.
type bound struct {
	set      bool
	value    any // int64, *big.Rat or time.Time
	relative string
	text     string
}

// Compile checks spec and returns the element called name. tables resolves the code
// table of a code element and, for format divisionCode, the divisions table. The
// error is a VALIDATION_FAILED *apierr.Error listing every problem with its path
// under /spec: an unknown type or format, a pattern that does not compile (with the
// position), minimum above maximum, an enum value of the wrong type, an unknown code
// table.
func Compile(name string, spec DataElementSpec, tables CodeLookup) (*Element, error) {
	e := &Element{Name: name, Spec: spec, maxLen: -1, scale: -1}
	var l apierr.FieldList
	textual := spec.Type == TypeString || spec.Type == TypeCode
	switch {
	case spec.Type == "":
		l.Add("/spec/type", "a data element needs a type: %s", strings.Join(types, ", "))
	case !slices.Contains(types, spec.Type):
		l.Add("/spec/type", "unknown type %q: must be one of %s", spec.Type, strings.Join(types, ", "))
	}
	if spec.Classification != "" && !slices.Contains(classifications, spec.Classification) {
		l.Add("/spec/classification", "unknown classification %q: must be one of %s", spec.Classification, strings.Join(classifications, ", "))
	}
	e.compileLengths(&l, textual)
	if spec.Pattern != "" {
		if !textual {
			l.Add("/spec/pattern", "a pattern applies only to types string and code")
		}
		if _, err := regexp.Compile(spec.Pattern); err != nil {
			l.Add("/spec/pattern", "%s", patternError(spec.Pattern, err))
		} else {
			e.pattern = regexp.MustCompile(`^(?:` + spec.Pattern + `)$`)
		}
	}
	e.compileFormat(&l, textual, tables)
	e.compileRange(&l)
	if spec.Scale != nil {
		if spec.Type != TypeDecimal {
			l.Add("/spec/scale", "a scale applies only to type decimal")
		} else if *spec.Scale < 0 {
			l.Add("/spec/scale", "a scale may not be negative")
		} else {
			e.scale = *spec.Scale
		}
	}
	if slices.Contains(types, spec.Type) {
		words := make([]string, 0, len(spec.Enum))
		for i, v := range spec.Enum {
			c, err := coerce(spec.Type, v)
			if err != nil {
				l.Add(fmt.Sprintf("/spec/enum/%d", i), "%v is not a %s value: %v", v, spec.Type, err)
				continue
			}
			e.enum = append(e.enum, c)
			words = append(words, display(c))
		}
		e.enumWords = strings.Join(words, ", ")
	}
	switch {
	case spec.Type == TypeCode && spec.CodeTable == "":
		l.Add("/spec/codeTable", "a data element of type code needs a code table")
	case spec.CodeTable != "" && spec.Type != TypeCode:
		l.Add("/spec/codeTable", "a code table applies only to type code")
	case spec.CodeTable != "":
		t, err := lookup(tables, spec.CodeTable)
		if err != nil {
			l.Add("/spec/codeTable", "%v", err)
		}
		e.table = t
		if t != nil {
			e.tableWords = t.String()
		}
	}
	if err := l.Err("invalid data element " + name); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Element) compileLengths(l *apierr.FieldList, textual bool) {
	s := e.Spec
	for _, f := range []struct {
		path string
		v    *int
	}{{"/spec/minLength", s.MinLength}, {"/spec/maxLength", s.MaxLength}} {
		if f.v == nil {
			continue
		}
		if !textual {
			l.Add(f.path, "a length applies only to types string and code")
		}
		if *f.v < 0 {
			l.Add(f.path, "a length may not be negative")
		}
	}
	if s.MinLength != nil {
		e.minLen = *s.MinLength
	}
	if s.MaxLength != nil {
		e.maxLen = *s.MaxLength
		if s.MinLength != nil && *s.MinLength > *s.MaxLength {
			l.Add("/spec/maxLength", "maxLength %d is below minLength %d", *s.MaxLength, *s.MinLength)
		}
	}
}

func (e *Element) compileRange(l *apierr.FieldList) {
	s := e.Spec
	var err error
	if e.min, err = parseBound(s.Type, s.Minimum); err != nil {
		l.Add("/spec/minimum", "%v", err)
	}
	if e.max, err = parseBound(s.Type, s.Maximum); err != nil {
		l.Add("/spec/maximum", "%v", err)
	}
	if e.min.set && e.max.set && e.min.relative == "" && e.max.relative == "" && compare(e.min.value, e.max.value) > 0 {
		l.Add("/spec/maximum", "maximum %s is below minimum %s", e.max.text, e.min.text)
	}
}

func lookup(tables CodeLookup, name string) (t *CodeTable, err error) {
	if tables == nil {
		return nil, fmt.Errorf("there is no code table %s", name)
	}
	return tables.CodeTable(name)
}

// patternError says where a pattern fails to compile: RE2's error names the
// offending part, which is located in the pattern as a character position.
func patternError(pattern string, err error) string {
	var se *syntax.Error
	if e, ok := err.(*syntax.Error); ok {
		se = e
	}
	if se == nil {
		return fmt.Sprintf("the pattern does not compile: %v", err)
	}
	if se.Code == syntax.ErrMissingParen {
		if i := unmatchedParen(pattern); i >= 0 {
			return fmt.Sprintf("the pattern does not compile: %s: the ( at character %d is never closed", se.Code, utf8.RuneCountInString(pattern[:i])+1)
		}
	}
	if i := strings.Index(pattern, se.Expr); se.Expr != "" && i >= 0 {
		return fmt.Sprintf("the pattern does not compile: %s at character %d: %s", se.Code, utf8.RuneCountInString(pattern[:i])+1, se.Expr)
	}
	return fmt.Sprintf("the pattern does not compile: %s: %s", se.Code, se.Expr)
}

// unmatchedParen returns the byte offset of the last ( that no ) closes, skipping
// escapes and character classes, or -1.
func unmatchedParen(pattern string) int {
	var open []int
	inClass := false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
			if i+1 < len(pattern) && pattern[i+1] == ']' {
				i++
			}
		case c == '(':
			open = append(open, i)
		case c == ')' && len(open) > 0:
			open = open[:len(open)-1]
		}
	}
	if len(open) == 0 {
		return -1
	}
	return open[len(open)-1]
}

// Check returns every rule that value breaks, judged now; none means valid.
func (e *Element) Check(value any) []Problem { return e.CheckAt(value, time.Now()) }

// CheckAt is Check with code validity and relative bounds judged at at.
func (e *Element) CheckAt(value any, at time.Time) []Problem {
	_, ps := e.CoerceAt(value, at)
	return ps
}

// Coerce converts value to the element's type — string, int64, decimal text,
// bool, time.Time (UTC) — and checks it now. The value is nil when it cannot be
// converted.
func (e *Element) Coerce(value any) (any, []Problem) { return e.CoerceAt(value, time.Now()) }

// CoerceAt is Coerce judged at at.
func (e *Element) CoerceAt(value any, at time.Time) (any, []Problem) {
	c, err := coerce(e.Spec.Type, value)
	if err != nil {
		return nil, []Problem{{Rule: "type", Message: err.Error()}}
	}
	var ps []Problem
	add := func(rule, format string, args ...any) {
		ps = append(ps, Problem{Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if s, ok := c.(string); ok {
		n := utf8.RuneCountInString(s)
		if n < e.minLen {
			add("minLength", "must have at least %d characters, not %d", e.minLen, n)
		}
		if e.maxLen >= 0 && n > e.maxLen {
			add("maxLength", "must have at most %d characters, not %d", e.maxLen, n)
		}
		if e.pattern != nil && !e.pattern.MatchString(s) {
			add("pattern", "does not match the pattern %s", e.Spec.Pattern)
		}
		if e.format != nil {
			if err := e.format(s); err != nil {
				add("format", "%v", err)
			}
		}
		if e.divisions != nil {
			e.checkDivision(s, at, add)
		}
		if e.table != nil {
			e.checkCode(s, at, add)
		}
	}
	if e.min.set && compare(c, e.min.at(at)) < 0 {
		add("minimum", "must be at least %s", e.min.text)
	}
	if e.max.set && compare(c, e.max.at(at)) > 0 {
		add("maximum", "must be at most %s", e.max.text)
	}
	if _, ok := c.(*big.Rat); ok && e.scale >= 0 && decimals(value) > e.scale {
		add("scale", "may have at most %d digits after the decimal point", e.scale)
	}
	if len(e.enum) > 0 && !slices.ContainsFunc(e.enum, func(v any) bool { return compare(c, v) == 0 }) {
		add("enum", "must be one of: %s", e.enumWords)
	}
	return external(c, value), ps
}

func (e *Element) checkCode(s string, at time.Time, add func(rule, format string, args ...any)) {
	c, ok := e.table.Lookup(s, at)
	switch {
	case c == nil:
		add("codeTable", "%s is not a code of the code table %s", s, e.tableWords)
	case !ok:
		add("codeTable", "%s", invalidCode(e.table, c, at))
	}
}

// invalidCode says why c may not be used at at and what to use instead.
func invalidCode(t *CodeTable, c *Code, at time.Time) string {
	var why string
	switch {
	case c.Retired:
		why = fmt.Sprintf("%s (%s) is retired", c.Code, c.Name)
	case !c.ValidFrom.IsZero() && at.Before(c.ValidFrom):
		why = fmt.Sprintf("%s (%s) is valid only from %s", c.Code, c.Name, c.ValidFrom.Format(dateLayout))
	default:
		why = fmt.Sprintf("%s (%s) expired on %s", c.Code, c.Name, c.ValidTo.Format(dateLayout))
	}
	if next := t.Successor(c.Code, at); next != nil {
		return fmt.Sprintf("%s; use its successor %s (%s)", why, next.Code, next.Name)
	}
	if c.Successor != "" {
		return fmt.Sprintf("%s; its successor %s is not valid either", why, c.Successor)
	}
	return why
}

// display formats a coerced value for a message.
func display(v any) string {
	switch v := v.(type) {
	case *big.Rat:
		return ratText(v)
	case time.Time:
		if v.Equal(v.Truncate(24 * time.Hour)) {
			return v.Format(dateLayout)
		}
		return v.Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}
