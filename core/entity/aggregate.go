package entity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// Aggregate functions.
const (
	Sum = "sum"
	Avg = "avg"
	Min = "min"
	Max = "max"
)

// Aggregable reports whether function fn applies to a field of type typ: sums and
// averages to numbers, minimums and maximums to numbers, dates and times (never to
// text, which may be masked).
func Aggregable(fn, typ string) bool {
	switch typ {
	case TypeInteger, TypeDecimal:
		return true
	case TypeDate, TypeDateTime:
		return fn == Min || fn == Max
	}
	return false
}

// AggregateOptions select what Aggregate computes.
type AggregateOptions struct {
	// Scope, Filter and RelatedScope select records as List does.
	Scope        []Cond
	Filter       map[string]any
	RelatedScope ScopeFunc
	// Hidden, when set, names the fields the caller may not filter or group on;
	// their sums, averages, minimums and maximums are not computed (null).
	Hidden HiddenFunc
	// GroupBy are fields, "tenant" or manyToOne relations.
	GroupBy []string
	// Funcs are the functions to compute, each over every field it applies to.
	Funcs []string
	// Limit is the most groups returned, in key order.
	Limit int
}

// Group is one group of records: its key (by GroupBy name), how many records it
// has and, per function, each field's value.
type Group struct {
	Key    map[string]any
	Count  int64
	Values map[string]map[string]any
}

// Aggregate counts live records and computes the functions of AggregateOptions,
// per group, in one statement.
func (t Table) Aggregate(ctx context.Context, db DB, o AggregateOptions) ([]Group, error) {
	db = t.on(db)
	var l, hid apierr.FieldList
	type key struct {
		name, col, typ string
	}
	var keys []key
	for i, g := range o.GroupBy {
		switch f, isField := t.field(g); {
		case g == "tenant":
			keys = append(keys, key{g, q("tenant"), TypeString})
		case isField:
			if hide(&hid, o.Hidden, t.Name, f, fmt.Sprintf("/groupBy/%d", i)) {
				continue
			}
			keys = append(keys, key{g, f.expr(), f.Type})
		default:
			if r, ok := t.relation(g); ok && r.Kind == ManyToOne {
				keys = append(keys, key{g, q(r.Column), TypeInteger})
				continue
			}
			l.Add(fmt.Sprintf("/groupBy/%d", i), "cannot group by %q", g)
		}
	}
	type value struct {
		fn  string
		f   Field
		col string
	}
	var vals []value
	for _, fn := range o.Funcs {
		if !slices.Contains([]string{Sum, Avg, Min, Max}, fn) {
			l.Add("/funcs", "no function %q", fn)
			continue
		}
		for _, f := range t.Fields {
			if !Aggregable(fn, f.Type) || (o.Hidden != nil && o.Hidden(t.Name, f)) {
				continue
			}
			expr := strings.ToUpper(fn) + "(" + f.expr() + ")"
			if fn == Sum || fn == Avg {
				expr = "CAST(" + expr + " AS DOUBLE PRECISION)"
			}
			vals = append(vals, value{fn, f, expr})
		}
	}
	if err := l.Err("invalid aggregate"); err != nil {
		return nil, err
	}
	if err := hiddenErr(hid); err != nil {
		return nil, err
	}
	cols := make([]string, 0, len(keys)+1+len(vals))
	for _, k := range keys {
		cols = append(cols, k.col)
	}
	cols = append(cols, "COUNT(*)")
	for _, v := range vals {
		cols = append(cols, v.col)
	}
	b := newBuilder(t.Dialect)
	b.add("SELECT " + strings.Join(cols, ", ") + " FROM " + q(t.Table) + " WHERE deleted_at IS NULL")
	addConds(b, o.Scope)
	if len(o.Filter) > 0 {
		b.add(" AND ")
		if err := t.filter(b, o.Filter, "/filter", o.RelatedScope, o.Hidden); err != nil {
			return nil, err
		}
	}
	if len(keys) > 0 {
		by := strings.Join(cols[:len(keys)], ", ")
		b.add(fmt.Sprintf(" GROUP BY %s ORDER BY %s LIMIT %d", by, by, o.Limit))
	}
	rows, err := db.QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("entity: aggregate %s: %w", t.Name, err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		raw := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("entity: aggregate %s: %w", t.Name, err)
		}
		g := Group{Key: map[string]any{}, Values: map[string]map[string]any{}}
		for i, k := range keys {
			g.Key[k.name] = fromColumn(k.typ, raw[i])
		}
		g.Count, _ = fromColumn(TypeInteger, raw[len(keys)]).(int64)
		for i, v := range vals {
			if g.Values[v.fn] == nil {
				g.Values[v.fn] = map[string]any{}
			}
			typ := v.f.Type
			if v.fn == Sum || v.fn == Avg {
				typ = TypeDecimal
			}
			g.Values[v.fn][v.f.Name] = fromColumn(typ, raw[len(keys)+1+i])
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
