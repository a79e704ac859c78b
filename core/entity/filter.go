package entity

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// Operators a field filter may use.
var operators = []string{"eq", "ne", "in", "lt", "lte", "gt", "gte", "contains", "startsWith", "isNull"}

var comparisons = map[string]string{"eq": " = ", "ne": " <> ", "lt": " < ", "lte": " <= ", "gt": " > ", "gte": " >= "}

// filter writes the SQL of a filter input: {and: [...], or: [...], not: {...},
// FIELD: {eq, ne, in, lt, lte, gt, gte, contains, startsWith, isNull}}, the fields
// of one object ANDed. Values are bound, never spliced.
// A relation's filter is the related entity's filter (manyToOne) or {some, none} of
// it (oneToMany, manyToMany), limited by the caller's reads of that entity (scope).
func (t Table) filter(b *builder, f map[string]any, path string, scope ScopeFunc, hidden HiddenFunc) error {
	st := &filterState{scope: scope, hidden: hidden}
	t.filterInto(b, f, path, st)
	if st.err != nil {
		return st.err
	}
	if err := st.l.Err("invalid filter"); err != nil {
		return err
	}
	return hiddenErr(st.hid)
}

// HiddenFunc reports whether the caller may not see field f of entity in clear
// (a mask applies to it somewhere the caller reads). Such a field may not be
// filtered, ordered, grouped or aggregated on: the answers would reveal what the
// mask hides (a filter on the first digits of an ID number, one digit at a time).
type HiddenFunc func(entity string, f Field) bool

// hiddenErr is the FORBIDDEN error naming every use of a hidden field, or nil.
func hiddenErr(l apierr.FieldList) error {
	if len(l) == 0 {
		return nil
	}
	e := apierr.New(apierr.Forbidden, "masked fields cannot be filtered, ordered, grouped or aggregated on")
	e.Fields = l
	return e
}

// hide records a use of a hidden field at path; it reports whether it did.
func hide(l *apierr.FieldList, hidden HiddenFunc, entity string, f Field, path string) bool {
	if hidden == nil || !hidden(entity, f) {
		return false
	}
	l.Add(path, "%s is masked for you: using it here would reveal it", f.Name)
	return true
}

// filterState collects a filter's problems; scope finds related entities' scopes,
// hidden the fields the caller may not use (their uses are collected in hid).
type filterState struct {
	l      apierr.FieldList
	hid    apierr.FieldList
	scope  ScopeFunc
	hidden HiddenFunc
	err    error
}

func (t Table) filterInto(b *builder, f map[string]any, path string, st *filterState) {
	l := &st.l
	conjunction(b, f, func(k string, v any) {
		p := path + "/" + k
		switch k {
		case "and", "or":
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				l.Add(p, "must be a non-empty list of filters")
				b.add("1 = 1")
				return
			}
			b.add("(")
			for j, sub := range list {
				if j > 0 {
					b.add(map[string]string{"and": " AND ", "or": " OR "}[k])
				}
				m, _ := sub.(map[string]any)
				t.filterInto(b, m, fmt.Sprintf("%s/%d", p, j), st)
			}
			b.add(")")
		case "not":
			m, _ := v.(map[string]any)
			b.add("NOT ")
			t.filterInto(b, m, p, st)
		default:
			if r, ok := t.relation(k); ok {
				t.relationFilter(b, r, v, p, st)
				return
			}
			if f, ok := t.field(k); ok && hide(&st.hid, st.hidden, t.Name, f, p) {
				b.add("1 = 1")
				return
			}
			t.fieldFilter(b, k, v, p, l)
		}
	})
}

// conjunction writes "(part AND part …)", one part per key of m in key order, or
// "(1 = 1)" when m is empty.
func conjunction(b *builder, m map[string]any, part func(k string, v any)) {
	b.add("(")
	if len(m) == 0 {
		b.add("1 = 1")
	}
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.add(" AND ")
		}
		part(k, m[k])
	}
	b.add(")")
}

func (t Table) fieldFilter(b *builder, name string, v any, path string, l *apierr.FieldList) {
	col := t.column(name)
	ops, ok := v.(map[string]any)
	if col == "" || !ok {
		if col == "" {
			l.Add(path, "no field %q here", name)
		} else {
			l.Add(path, "must be an object of operators %v", operators)
		}
		b.add("1 = 1")
		return
	}
	field, isField := t.field(name)
	conjunction(b, ops, func(op string, arg any) {
		p := path + "/" + op
		value := func(x any) any {
			if !isField || x == nil {
				return x
			}
			cv, problems := convert(field, x)
			for _, pr := range problems {
				if !strings.HasPrefix(pr, "must be one of") && !strings.HasPrefix(pr, "does not match") && !strings.HasPrefix(pr, "is ") {
					l.Add(p, "%s", pr)
				}
			}
			if cv == nil {
				return x
			}
			return cv
		}
		switch {
		case comparisons[op] != "":
			b.add(col+comparisons[op]+"?", value(arg))
		case op == "in":
			list, ok := arg.([]any)
			if !ok || len(list) == 0 || len(list) > 1000 {
				l.Add(p, "must be a list of 1 to 1000 values")
				b.add("1 = 0")
				return
			}
			vals := make([]any, len(list))
			for j, x := range list {
				vals[j] = value(x)
			}
			b.add(col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")", vals...)
		case op == "contains" || op == "startsWith":
			s, ok := arg.(string)
			if !ok {
				l.Add(p, "must be a string")
				b.add("1 = 0")
				return
			}
			pattern := escapeLike(s) + "%"
			if op == "contains" {
				pattern = "%" + pattern
			}
			b.add(col+` LIKE ? ESCAPE '\'`, pattern)
		case op == "isNull":
			isNull, ok := arg.(bool)
			if !ok {
				l.Add(p, "must be true or false")
			}
			if isNull {
				b.add(col + " IS NULL")
			} else {
				b.add(col + " IS NOT NULL")
			}
		default:
			l.Add(p, "unknown operator; use one of %v", operators)
			b.add("1 = 1")
		}
	})
}

func (t Table) field(name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// relationFilter writes a filter on related records as a subquery on their table.
func (t Table) relationFilter(b *builder, r Relation, v any, path string, st *filterState) {
	m, ok := v.(map[string]any)
	target, seen := t.peer(r.Entity)
	if !ok || !seen {
		if !ok {
			st.l.Add(path, "must be a filter of %s", r.Entity)
		} else {
			st.l.Add(path, "entity %s is not seen here", r.Entity)
		}
		b.add("1 = 1")
		return
	}
	var conds []Cond
	if st.scope != nil {
		c, none, err := st.scope(r.Entity)
		if err != nil && st.err == nil {
			st.err = err
		}
		if none {
			conds = []Cond{{SQL: "1 = 0"}}
		} else {
			conds = c
		}
	}
	// records writes the ids of the related records that pass f.
	records := func(f map[string]any, p string) {
		b.add("SELECT id FROM " + q(target.Table) + " WHERE deleted_at IS NULL")
		addConds(b, conds)
		b.add(" AND ")
		target.filterInto(b, f, p, st)
	}
	if r.Kind == ManyToOne {
		b.add(q(r.Column) + " IN (")
		records(m, path)
		b.add(")")
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b.add("(")
	if len(keys) == 0 {
		b.add("1 = 1")
	}
	for i, k := range keys {
		if i > 0 {
			b.add(" AND ")
		}
		sub, _ := m[k].(map[string]any)
		p := path + "/" + k
		switch k {
		case "some":
			b.add("id IN (")
		case "none":
			b.add("id NOT IN (")
		default:
			st.l.Add(p, "use some or none")
			b.add("1 = 1")
			continue
		}
		if r.Kind == OneToMany {
			b.add(fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL AND id IN (", q(r.Column), q(target.Table), q(r.Column)))
		} else {
			b.add(fmt.Sprintf("SELECT %s FROM %s WHERE %s IN (", r.Self, q(r.JoinTable), r.Other))
		}
		records(sub, p)
		b.add("))")
	}
	b.add(")")
}
