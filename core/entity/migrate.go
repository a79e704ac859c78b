package entity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// maxMigrationErrors bounds the records a refused migration reports.
const maxMigrationErrors = 100

// Migrate changes an entity's table from prev's storage version to next's, before
// Sync adds what next lacks; run both in the publishing transaction, so that a
// refused migration changes nothing. With the same storage version it only checks
// that no new field takes a column kept for an older version's field. With a new
// one it moves columns aside whose field changes type (to f_NAME__OLDVERSION),
// renames the columns of renamed fields, adds and fills the columns of new and
// changed fields from next's mapping, and checks every record against the new
// storage version's fields (check validates data elements at each record's
// tenant). Columns of dropped fields stay, for the older versions still served.
func Migrate(ctx context.Context, db DB, dialect string, prev, next Layout, check ElementCheck) error {
	have, err := columns(ctx, db, dialect, next.Table)
	if err != nil || len(have) == 0 {
		return err
	}
	pf, nf := baseFields(prev), baseFields(next)
	var l apierr.FieldList
	changing := len(pf) > 0 && len(prev.Versions) > 0 && len(next.Versions) > 0 && prev.Versions[0].Name != next.Versions[0].Name
	var entries []FieldMapping
	if changing && next.Mapping != nil {
		entries = next.Mapping.Fields
	}
	entry := func(name string) (FieldMapping, bool) {
		i := slices.IndexFunc(entries, func(e FieldMapping) bool { return e.Field == name })
		if i < 0 {
			return FieldMapping{}, false
		}
		return entries[i], true
	}
	prevField := func(name string) (Field, bool) {
		i := slices.IndexFunc(pf, func(f Field) bool { return f.Name == name })
		if i < 0 {
			return Field{}, false
		}
		return pf[i], true
	}
	var stmts []*builder
	stmt := func(sql string, args ...any) {
		b := newBuilder(dialect)
		b.add(sql, args...)
		stmts = append(stmts, b)
	}
	// A column renamed keeps its indexes under names made from its old name: drop
	// them, for Sync makes the new column's own (and, moved aside, the old name
	// would keep the new column from getting its index).
	rename := func(from, to string) {
		for _, ix := range columnIndexes(prev, from) {
			stmt("DROP INDEX IF EXISTS " + q(ix))
		}
		stmt(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", q(next.Table), q(from), q(to)))
		delete(have, from)
		have[to] = true
	}
	// moved is where each field of prev now is.
	moved := map[string]string{}
	for _, f := range pf {
		moved[f.Name] = f.Column
	}
	for i, f := range nf {
		p, inPrev := prevField(f.Name)
		_, mapped := entry(f.Name)
		switch {
		case inPrev && mapped && have[p.Column]:
			aside := p.Column + "__" + prev.Versions[0].Name
			if have[aside] {
				l.Add(fmt.Sprintf("/spec/fields/%d/name", i), "column %s, where version %s's %q would be kept, exists already", aside, prev.Versions[0].Name, f.Name)
				continue
			}
			rename(p.Column, aside)
			moved[p.Name] = aside
		case !inPrev && have[f.Column]:
			l.Add(fmt.Sprintf("/spec/fields/%d/name", i), "column %s is kept for field %q of an older version; name the new field otherwise", f.Column, f.Name)
		case inPrev && !mapped && p.Type != f.Type:
			l.Add(fmt.Sprintf("/spec/fields/%d/type", i), "field %q changes type (%s → %s) without a mapping from version %s", f.Name, p.Type, f.Type, prev.Versions[0].Name)
		}
	}
	// A field renamed (or copied without conversion) from one next does not keep
	// under its name takes that field's column, as bindVersions expects.
	renamed := map[string]bool{}
	var sets []string
	var args []any
	for _, e := range entries {
		i := slices.IndexFunc(nf, func(f Field) bool { return f.Name == e.Field })
		if i < 0 {
			continue // Check refused it
		}
		f := nf[i]
		if e.Value != nil {
			v, _ := convert(f, e.Value)
			sets, args = append(sets, q(f.Column)+" = ?"), append(args, v)
			continue
		}
		src, ok := prevField(e.From)
		if !ok {
			continue // Check refused it
		}
		keptByName := false
		if g, ok := findField(specs(nf), src.Name); ok && g.Type == src.Type {
			_, remapped := entry(src.Name)
			keptByName = !remapped
		}
		if src.Type == f.Type && !keptByName && !renamed[src.Name] {
			if have[f.Column] {
				continue // reported above
			}
			rename(moved[src.Name], f.Column)
			moved[src.Name], renamed[src.Name] = f.Column, true
			continue
		}
		sets = append(sets, q(f.Column)+" = "+castExpr(q(moved[src.Name]), src.Type, f.Type))
	}
	if err := l.Err("invalid entity schema"); err != nil {
		return err
	}
	for _, f := range nf {
		if !have[f.Column] {
			stmt(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", q(next.Table), q(f.Column), sqlType(dialect, f.Type)))
			have[f.Column] = true
		}
	}
	if len(sets) > 0 {
		stmt("UPDATE "+q(next.Table)+" SET "+strings.Join(sets, ", "), args...)
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s.String(), s.args...); err != nil {
			return fmt.Errorf("entity: migrate %s to version %s: %w", next.Name, next.Versions[0].Name, err)
		}
	}
	if !changing {
		return nil
	}
	return checkRecords(ctx, db, dialect, next, nf, check)
}

func baseFields(lo Layout) []Field {
	var out []Field
	for _, f := range lo.Fields {
		if f.Tenant == lo.Tenant {
			out = append(out, f)
		}
	}
	return out
}

func specs(fields []Field) []FieldSpec {
	out := make([]FieldSpec, len(fields))
	for i, f := range fields {
		out[i] = f.FieldSpec
	}
	return out
}

// castExpr converts col of type from to type to, as conversions allows.
func castExpr(col, from, to string) string {
	switch {
	case sqlType("", from) == sqlType("", to) && !(from == TypeDate && to == TypeDateTime):
		return col
	case from == TypeDate && to == TypeDateTime:
		return "(" + col + " || 'T00:00:00Z')"
	}
	return "CAST(" + col + " AS " + map[string]string{TypeDecimal: "NUMERIC", TypeString: "TEXT", TypeText: "TEXT"}[to] + ")"
}

// checkRecords reads every record, deleted ones too (they may be restored), and
// reports each value the storage version's fields refuse.
func checkRecords(ctx context.Context, db DB, dialect string, lo Layout, fields []Field, check ElementCheck) error {
	cols := []string{"id", "tenant"}
	for _, f := range fields {
		cols = append(cols, q(f.Column))
	}
	rows, err := db.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+q(lo.Table)+" ORDER BY id")
	if err != nil {
		return fmt.Errorf("entity: check records of %s: %w", lo.Name, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var l apierr.FieldList
	more := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("entity: check records of %s: %w", lo.Name, err)
		}
		id := fromColumn(TypeInteger, vals[0])
		tenant, _ := fromColumn(TypeString, vals[1]).(string)
		for i, f := range fields {
			var problems []string
			v := fromColumn(f.Type, vals[2+i])
			switch {
			case v == nil && f.Required:
				problems = []string{"is required"}
			case v != nil:
				problems = checkValue(f, v, tenant, check)
			}
			for _, p := range problems {
				if len(l) >= maxMigrationErrors {
					more++
					continue
				}
				l.Add(fmt.Sprintf("/records/%v/%s", id, f.Name), "%s", p)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("entity: check records of %s: %w", lo.Name, err)
	}
	rows.Close()
	for _, f := range fields {
		if !f.Unique {
			continue
		}
		dups, err := duplicates(ctx, db, lo.Table, f.Column)
		if err != nil {
			return fmt.Errorf("entity: check records of %s: %w", lo.Name, err)
		}
		for _, id := range dups {
			if len(l) >= maxMigrationErrors {
				more++
				continue
			}
			l.Add(fmt.Sprintf("/records/%d/%s", id, f.Name), "another live record has the same value; the field is unique")
		}
	}
	if more > 0 {
		l.Add("/records", "and %d more problems", more)
	}
	return l.Err(fmt.Sprintf("records of %s do not fit version %s; nothing was changed", lo.Name, lo.Versions[0].Name))
}

// duplicates are the live records whose value of col another live record has.
func duplicates(ctx context.Context, db DB, table, col string) ([]int64, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT id FROM %[1]s WHERE deleted_at IS NULL AND %[2]s IN `+
		`(SELECT %[2]s FROM %[1]s WHERE deleted_at IS NULL AND %[2]s IS NOT NULL GROUP BY %[2]s HAVING COUNT(*) > 1) ORDER BY id`, q(table), q(col)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// checkValue is what a record's stored value breaks of its field's rules.
func checkValue(f Field, v any, tenant string, check ElementCheck) []string {
	_, problems := convert(f, v)
	if len(problems) == 0 && f.Element != "" && check != nil {
		problems = check(tenant, f.Element, v)
	}
	return problems
}
