package policy

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

var (
	alwaysFilter = Filter{SQL: "1 = 1", Always: true}
	neverFilter  = Filter{SQL: "1 = 0", Never: true}
)

// RowFilter returns the SQL condition that selects the rows of target the subject may
// see, for a request scoped at the last tenant of lineage (root first). Every rows
// policy defined along lineage must allow a row.
//
// A policy is partially evaluated with input.row unknown and its residue written as
// SQL over t.Columns; values are always bind arguments. Supported on row fields:
// ==, =, !=, <, <=, >, >= against known strings, numbers and booleans or another
// field; "field in known collection"; startswith, endswith and contains with a known
// string; a boolean field alone; and "not" of any of these. A NULL column counts as a
// missing field, as AllowRow treats nil values. Anything else fails with
// ErrUntranslatable rather than yielding an inexact filter. A value compared with a
// column must have the column's type: Rego orders values of different types (every
// number before every string) where SQL converts them or fails.
//
// Filters are cached per loaded policy set, keyed by every argument.
func (e *Engine) RowFilter(ctx context.Context, target string, lineage []string, subj Subject, t Table) (Filter, error) {
	set := e.current()
	ps := applicable(set.rows, target, lineage)
	if len(ps) == 0 {
		return alwaysFilter, nil
	}
	key, cacheable := filterKey(target, lineage, subj, t)
	if f, ok := set.cache.get(key); cacheable && ok {
		return f, nil
	}
	f, err := rowFilter(ctx, ps, subj, t)
	if err == nil && cacheable {
		set.cache.put(key, f)
	}
	return f, err
}

func rowFilter(ctx context.Context, ps []*prepared, subj Subject, t Table) (Filter, error) {
	w, err := newSQLWriter(t)
	if err != nil {
		return Filter{}, err
	}
	input, err := rowInput(subj, nil)
	if err != nil {
		return Filter{}, err
	}
	var conds []string
	for _, p := range ps {
		cond, err := p.filter(ctx, w, input)
		if err != nil {
			return Filter{}, fmt.Errorf("policy: row filter %s/%s: %w", p.Tenant, p.Name, err)
		}
		switch cond {
		case neverFilter.SQL:
			return neverFilter, nil
		case alwaysFilter.SQL:
			continue
		}
		conds = append(conds, cond)
	}
	if len(conds) == 0 {
		return alwaysFilter, nil
	}
	return Filter{SQL: strings.Join(conds, " AND "), Args: w.args}, nil
}

// filter returns one policy's condition, alwaysFilter.SQL or neverFilter.SQL.
func (p *prepared) filter(ctx context.Context, w *sqlWriter, input ast.Value) (string, error) {
	pq, err := p.partial.Partial(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return "", fmt.Errorf("partial evaluation: %w", err)
	}
	if len(pq.Support) > 0 {
		return "", fmt.Errorf("%w: the policy needs support rules (%v); inline the conditions on input.row in allow", ErrUntranslatable, pq.Support[0].Rules[0].Head)
	}
	if len(pq.Queries) == 0 {
		return neverFilter.SQL, nil
	}
	for _, q := range pq.Queries {
		if len(q) == 0 {
			return alwaysFilter.SQL, nil
		}
	}
	return w.queries(pq.Queries)
}

// AllowRow reports whether every rows policy for target along lineage allows the
// subject this row, given by logical field; nil values are missing fields, as NULL
// columns are in RowFilter.
func (e *Engine) AllowRow(ctx context.Context, target string, lineage []string, subj Subject, row map[string]any) (bool, error) {
	ps := applicable(e.current().rows, target, lineage)
	if len(ps) == 0 {
		return true, nil
	}
	input, err := rowInput(subj, row)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		ok, err := p.allows(ctx, input)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (p *prepared) allows(ctx context.Context, input ast.Value) (bool, error) {
	rs, err := p.eval.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return false, fmt.Errorf("policy: evaluate %s/%s: %w", p.Tenant, p.Name, err)
	}
	return len(rs) == 1 && len(rs[0].Expressions) == 1 && rs[0].Expressions[0].Value == true, nil
}

// rowInput builds {"subject": …, "row": …}; a nil row leaves input.row out.
func rowInput(subj Subject, row map[string]any) (ast.Value, error) {
	s, err := subjectTerm(subj)
	if err != nil {
		return nil, err
	}
	items := [][2]*ast.Term{{ast.InternedTerm("subject"), s}}
	if row != nil {
		r, err := valueTerm(dropNil(row))
		if err != nil {
			return nil, err
		}
		items = append(items, [2]*ast.Term{ast.InternedTerm("row"), r})
	}
	return ast.NewObject(items...), nil
}

func dropNil(row map[string]any) map[string]any {
	out := make(map[string]any, len(row))
	for k, v := range row {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

func subjectTerm(s Subject) (*ast.Term, error) {
	tenants := make([]*ast.Term, len(s.Tenants))
	for i, t := range s.Tenants {
		tenants[i] = ast.StringTerm(t)
	}
	attrs, err := valueTerm(s.Attributes)
	if err != nil {
		return nil, err
	}
	return ast.ObjectTerm(
		ast.Item(ast.InternedTerm("user"), ast.StringTerm(s.User)),
		ast.Item(ast.InternedTerm("superadmin"), ast.BooleanTerm(s.Superadmin)),
		ast.Item(ast.InternedTerm("tenants"), ast.ArrayTerm(tenants...)),
		ast.Item(ast.InternedTerm("attributes"), attrs),
	), nil
}

func valueTerm(v any) (*ast.Term, error) {
	if m, ok := v.(map[string]any); ok && m == nil {
		return ast.ObjectTerm(), nil
	}
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, fmt.Errorf("policy: input: %w", err)
	}
	return ast.NewTerm(val), nil
}
