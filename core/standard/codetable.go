package standard

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
)

// CodeTableSpec is the spec of a CodeTable resource (schemas/kinds/CodeTable.json):
// a versioned code list, flat or hierarchical. Codes are keyed by code so that a
// tenant's layer adds or changes single codes, as resource inheritance merges
// objects key by key.
type CodeTableSpec struct {
	// Title is the table's name for people, e.g. 行政区划代码.
	Title string `json:"title,omitempty"`
	// Standard names the standard the table follows, e.g. GB/T 2260.
	Standard string `json:"standard,omitempty"`
	// Version of the table, e.g. 2023.
	Version string `json:"version,omitempty"`
	// Codes maps each code to its entry.
	Codes map[string]CodeSpec `json:"codes,omitempty"`
}

// CodeSpec is one code of a table.
type CodeSpec struct {
	Name string `json:"name"`
	// Parent is the code above this one; empty at the top.
	Parent string `json:"parent,omitempty"`
	// Level is an optional tier name (for divisions: province, city, county, township).
	Level string `json:"level,omitempty"`
	// ValidFrom and ValidTo (exclusive) are dates, YYYY-MM-DD; empty is unbounded.
	ValidFrom string `json:"validFrom,omitempty"`
	ValidTo   string `json:"validTo,omitempty"`
	// Retired codes are kept to read old records but no longer accepted.
	Retired bool `json:"retired,omitempty"`
	// Successor is the code that replaces a retired or expired one.
	Successor string `json:"successor,omitempty"`
}

// Code is one entry of a compiled table.
type Code struct {
	Code, Name, Parent, Level string
	// ValidFrom and ValidTo are zero when unbounded; ValidTo is exclusive.
	ValidFrom, ValidTo time.Time
	Retired            bool
	Successor          string
}

// ValidAt reports whether c may be used at t: not retired and within its dates.
func (c Code) ValidAt(t time.Time) bool {
	return !c.Retired && (c.ValidFrom.IsZero() || !t.Before(c.ValidFrom)) && (c.ValidTo.IsZero() || t.Before(c.ValidTo))
}

// CodeTable is a checked, immutable code table.
type CodeTable struct {
	Name, Title, Standard, Version string
	codes                          map[string]*Code
	children                       map[string][]string
	roots                          []string
}

const dateLayout = "2006-01-02"

// NewCodeTable checks spec and builds the table called name. The error is a
// VALIDATION_FAILED *apierr.Error listing every problem with its path
// (/spec/codes/CODE/parent): a parent or successor that is not in the table, a
// cycle of parents, a date that is not YYYY-MM-DD, validTo not after validFrom, a
// code without a name.
func NewCodeTable(name string, spec CodeTableSpec) (*CodeTable, error) {
	t := &CodeTable{Name: name, Title: spec.Title, Standard: spec.Standard, Version: spec.Version,
		codes: make(map[string]*Code, len(spec.Codes)), children: map[string][]string{}}
	var l apierr.FieldList
	keys := slices.Sorted(maps.Keys(spec.Codes))
	for _, code := range keys {
		s := spec.Codes[code]
		path := "/spec/codes/" + escapePointer(code)
		if code == "" {
			l.Add("/spec/codes", "a code may not be empty")
		}
		if s.Name == "" {
			l.Add(path+"/name", "every code needs a name")
		}
		c := &Code{Code: code, Name: s.Name, Parent: s.Parent, Level: s.Level, Retired: s.Retired, Successor: s.Successor}
		var err error
		if c.ValidFrom, err = parseDate(s.ValidFrom); err != nil {
			l.Add(path+"/validFrom", "%v", err)
		}
		if c.ValidTo, err = parseDate(s.ValidTo); err != nil {
			l.Add(path+"/validTo", "%v", err)
		}
		if !c.ValidFrom.IsZero() && !c.ValidTo.IsZero() && !c.ValidTo.After(c.ValidFrom) {
			l.Add(path+"/validTo", "validTo %s must be after validFrom %s", s.ValidTo, s.ValidFrom)
		}
		t.codes[code] = c
	}
	for _, code := range keys {
		c, path := t.codes[code], "/spec/codes/"+escapePointer(code)
		switch {
		case c.Parent == "":
			t.roots = append(t.roots, code)
		case c.Parent == code:
			l.Add(path+"/parent", "code %s cannot be its own parent", code)
		case t.codes[c.Parent] == nil:
			l.Add(path+"/parent", "parent %s is not a code of this table", c.Parent)
		default:
			t.children[c.Parent] = append(t.children[c.Parent], code)
		}
		switch {
		case c.Successor == "":
		case c.Successor == code:
			l.Add(path+"/successor", "code %s cannot succeed itself", code)
		case t.codes[c.Successor] == nil:
			l.Add(path+"/successor", "successor %s is not a code of this table", c.Successor)
		}
	}
	for _, code := range keys {
		if cyc := t.cycleFrom(code); cyc != nil {
			l.Add("/spec/codes/"+escapePointer(code)+"/parent", "parents form a cycle: %s", joinArrow(cyc))
		}
	}
	if err := l.Err("invalid code table " + name); err != nil {
		return nil, err
	}
	return t, nil
}

// cycleFrom returns the codes of the parent cycle that code's chain ends in when
// code is the smallest code of that cycle (so each cycle is reported once), else nil.
func (t *CodeTable) cycleFrom(code string) []string {
	seen := map[string]int{}
	var chain []string
	for c := code; c != ""; {
		if i, ok := seen[c]; ok {
			cyc := chain[i:]
			if len(cyc) == 1 || slices.Min(cyc) != code { // a code that is its own parent is reported apart
				return nil
			}
			return append(cyc, c)
		}
		seen[c] = len(chain)
		chain = append(chain, c)
		e := t.codes[c]
		if e == nil {
			return nil
		}
		c = e.Parent
	}
	return nil
}

// Lookup returns the entry of code and whether it may be used at time at. An unknown
// code returns nil and false.
func (t *CodeTable) Lookup(code string, at time.Time) (*Code, bool) {
	c := t.codes[code]
	if c == nil {
		return nil, false
	}
	return c, c.ValidAt(at)
}

// Get returns the entry of code whatever its validity, or nil.
func (t *CodeTable) Get(code string) *Code { return t.codes[code] }

// Children returns the codes directly below code ("" for the top), in code order.
func (t *CodeTable) Children(code string) []*Code {
	names := t.roots
	if code != "" {
		names = t.children[code]
	}
	out := make([]*Code, len(names))
	for i, n := range names {
		out[i] = t.codes[n]
	}
	return out
}

// Len is the number of codes, valid or not.
func (t *CodeTable) Len() int { return len(t.codes) }

// Ancestors returns the codes above code, nearest first.
func (t *CodeTable) Ancestors(code string) []*Code {
	var out []*Code
	for c := t.codes[code]; c != nil && c.Parent != ""; {
		c = t.codes[c.Parent]
		out = append(out, c)
	}
	return out
}

// Successor follows successors from a retired or expired code to the first code
// valid at at, or returns nil.
func (t *CodeTable) Successor(code string, at time.Time) *Code {
	seen := map[string]bool{}
	for c := t.codes[code]; c != nil && c.Successor != "" && !seen[c.Code]; {
		seen[c.Code] = true
		c = t.codes[c.Successor]
		if c != nil && c.ValidAt(at) {
			return c
		}
	}
	return nil
}

// String names the table for messages: name (title).
func (t *CodeTable) String() string {
	if t.Title == "" {
		return t.Name
	}
	return t.Name + " (" + t.Title + ")"
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return d, nil
}

func joinArrow(codes []string) string {
	out := ""
	for i, c := range codes {
		if i > 0 {
			out += " → "
		}
		out += c
	}
	return out
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(s string) string {
	out := make([]byte, 0, len(s))
	for i := range len(s) {
		switch s[i] {
		case '~':
			out = append(out, '~', '0')
		case '/':
			out = append(out, '~', '1')
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
