package entity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
)

// Record is one row: system fields (id, tenant, createdAt, updatedAt, createdBy,
// updatedBy, deletedAt, version) and the entity's fields by name.
type Record map[string]any

// Cond is an SQL condition such as a compiled row policy or a subtree test, from code,
// never from input. Its parameters are "?" (bound to Args in order) or "$n" (bound
// to Args[n-1]), as store.Where takes them.
type Cond struct {
	SQL  string
	Args []any
}

// Table is one entity as seen at a tenant: where its rows are and which fields that
// tenant sees.
type Table struct {
	Dialect string
	Name    string
	Table   string
	Fields  []Field
	// Relations are the relations seen at the tenant; Referrers every manyToOne
	// (of any entity, seen anywhere) that points at this entity.
	Relations []Relation
	Referrers []Referrer
	// At is the tenant whose data elements check values; Check checks them (nil:
	// fields naming elements are checked by type only).
	At    string
	Check ElementCheck
	// reg, when set, finds the related entities as seen at path, and counts
	// statements.
	reg  *Registry
	path string
	// sys are the system fields read (nil: all of them); see project.
	sys []sysField
	// Version names the schema version whose fields the table shows; Older reports
	// that it is not the storage version but read and written through its columns;
	// Deprecated is the warning of a deprecated version ("" when it is not).
	Version    string
	Older      bool
	Deprecated string
	// stored are the storage version's fields (of an older version's table);
	// implied the storage fields it does not show, with what its creates write.
	stored  []Field
	implied []Implied
}

// Stored returns the fields as the storage version names them: the table's own,
// or, for an older version, the storage version's. Row policies go by them.
func (t Table) Stored() []Field {
	if t.Older {
		return t.stored
	}
	return t.Fields
}

type sysField struct{ name, column string }

// project is t reading only the named fields and manyToOne relations, with id and
// tenant (what nested reads and masks need); nil names: every field.
func (t Table) project(names []string) Table {
	if names == nil {
		return t
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	t.sys = nil
	for _, s := range system {
		if s.name == "id" || s.name == "tenant" || want[s.name] {
			t.sys = append(t.sys, s)
		}
	}
	var fields []Field
	for _, f := range t.Fields {
		if want[f.Name] {
			fields = append(fields, f)
		}
	}
	var rels []Relation
	for _, r := range t.Relations {
		if r.Kind != ManyToOne || want[r.Name] {
			rels = append(rels, r)
		}
	}
	t.Fields, t.Relations = fields, rels
	return t
}

func (t Table) systemFields() []sysField {
	if t.sys != nil {
		return t.sys
	}
	return system
}

var system = []sysField{
	{"id", "id"}, {"tenant", "tenant"}, {"createdAt", "created_at"}, {"updatedAt", "updated_at"},
	{"createdBy", "created_by"}, {"updatedBy", "updated_by"}, {"deletedAt", "deleted_at"}, {"version", "version"},
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// Insert validates in and writes a record at tenant (whose path is path).
// Relations are given by name: a manyToOne as the related record's id, a
// manyToMany as {link: [ids], unlink: [ids]}; CheckRefs checks that they exist.
func (t Table) Insert(ctx context.Context, db DB, tenant, path, actor string, in map[string]any) (Record, error) {
	db = t.on(db)
	vals, links, err := t.values(in, true)
	if err != nil {
		return nil, err
	}
	if err := t.imply(vals); err != nil {
		return nil, err
	}
	ts := now()
	cols := []string{"tenant", "tenant_path", "created_at", "updated_at", "created_by", "updated_by", "version"}
	args := []any{tenant, path, ts, ts, actor, actor, int64(1)}
	for _, f := range t.Fields {
		if v, ok := vals[f.Column]; ok {
			cols, args = append(cols, q(f.Column)), append(args, v)
		}
	}
	for _, im := range t.implied {
		if v, ok := vals[im.Field.Column]; ok {
			cols, args = append(cols, q(im.Field.Column)), append(args, v)
		}
	}
	for _, r := range t.Relations {
		if v, ok := vals[r.Column]; ok && r.Kind == ManyToOne {
			cols, args = append(cols, q(r.Column)), append(args, v)
		}
	}
	b := newBuilder(t.Dialect)
	b.add(fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) RETURNING id", q(t.Table), strings.Join(cols, ", "),
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")), args...)
	var id int64
	if err := queryRow(ctx, db, b.String(), b.args, &id); err != nil {
		return nil, t.writeError(err)
	}
	if err := t.link(ctx, db, id, links); err != nil {
		return nil, err
	}
	return t.Get(ctx, db, id, nil, true)
}

// Update changes the given fields of a live record that the conditions let the
// caller see; version, when positive, must be the record's current version.
func (t Table) Update(ctx context.Context, db DB, id int64, version int64, actor string, in map[string]any, scope []Cond) (Record, error) {
	db = t.on(db)
	vals, links, err := t.values(in, false)
	if err != nil {
		return nil, err
	}
	b := newBuilder(t.Dialect)
	b.add(fmt.Sprintf("UPDATE %s SET updated_at = ?, updated_by = ?, version = version + 1", q(t.Table)), now(), actor)
	for _, f := range t.Fields {
		if v, ok := vals[f.Column]; ok {
			b.add(", "+q(f.Column)+" = ?", v)
		}
	}
	for _, r := range t.Relations {
		if v, ok := vals[r.Column]; ok && r.Kind == ManyToOne {
			b.add(", "+q(r.Column)+" = ?", v)
		}
	}
	b.add(" WHERE id = ? AND deleted_at IS NULL", id)
	if version > 0 {
		b.add(" AND version = ?", version)
	}
	addConds(b, scope)
	if err := t.exec(ctx, db, b, id, version); err != nil {
		return nil, err
	}
	if err := t.link(ctx, db, id, links); err != nil {
		return nil, err
	}
	return t.Get(ctx, db, id, nil, false)
}

// Delete marks a live record deleted; Restore brings it back.
// A record that live records point at (through a manyToOne) is not deleted: the
// answer is a CONFLICT naming the referring relations and how many records each has.
func (t Table) Delete(ctx context.Context, db DB, id int64, actor string, scope []Cond) error {
	db = t.on(db)
	if err := t.referred(ctx, db, id); err != nil {
		return err
	}
	b := newBuilder(t.Dialect)
	ts := now()
	b.add(fmt.Sprintf("UPDATE %s SET deleted_at = ?, updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL", q(t.Table)), ts, ts, actor, id)
	addConds(b, scope)
	return t.exec(ctx, db, b, id, 0)
}

// Restore undoes Delete.
func (t Table) Restore(ctx context.Context, db DB, id int64, actor string, scope []Cond) (Record, error) {
	db = t.on(db)
	b := newBuilder(t.Dialect)
	b.add(fmt.Sprintf("UPDATE %s SET deleted_at = NULL, updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ? AND deleted_at IS NOT NULL", q(t.Table)), now(), actor, id)
	addConds(b, scope)
	if err := t.exec(ctx, db, b, id, 0); err != nil {
		return nil, err
	}
	return t.Get(ctx, db, id, scope, false)
}

func (t Table) exec(ctx context.Context, db DB, b *builder, id, version int64) error {
	res, err := db.ExecContext(ctx, b.String(), b.args...)
	if err != nil {
		return t.writeError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if version > 0 {
			return apierr.New(apierr.Conflict, "%s %d is not at version %d (or is not yours to change); read it again", t.Name, id, version)
		}
		return apierr.New(apierr.NotFound, "no %s with id %d here", t.Name, id)
	}
	return nil
}

// imply completes the values of a record created through an older version with
// the storage fields it does not show: the mapping's constant, or a refusal when
// the storage version requires the field.
func (t Table) imply(vals map[string]any) error {
	var l apierr.FieldList
	for _, im := range t.implied {
		switch {
		case im.Value != nil:
			v, _ := convert(im.Field, im.Value)
			vals[im.Field.Column] = v
		case im.Field.Required:
			l.Add("/input", "version %s cannot create %s records: the storage version requires %q, which %s does not have; create it through the storage version", t.Version, t.Name, im.Field.Name, t.Version)
		}
	}
	return l.Err("invalid record")
}

// writeError turns a unique violation into a CONFLICT naming the unique fields.
func (t Table) writeError(err error) error {
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "unique") || strings.Contains(msg, "duplicate key") {
		var names []string
		for _, f := range t.Fields {
			if f.Unique {
				names = append(names, f.Name)
			}
		}
		return apierr.New(apierr.Conflict, "another %s has the same %s", t.Name, strings.Join(names, " or "))
	}
	return fmt.Errorf("entity: write %s: %w", t.Name, err)
}

// Get reads one record the conditions let the caller see; deleted ones only with
// withDeleted.
func (t Table) Get(ctx context.Context, db DB, id int64, scope []Cond, withDeleted bool) (Record, error) {
	db = t.on(db)
	b := newBuilder(t.Dialect)
	b.add("SELECT "+t.selectList()+" FROM "+q(t.Table)+" WHERE id = ?", id)
	if !withDeleted {
		b.add(" AND deleted_at IS NULL")
	}
	addConds(b, scope)
	recs, err := t.query(ctx, db, b)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, apierr.New(apierr.NotFound, "no %s with id %d here", t.Name, id)
	}
	return recs[0], nil
}

// ListOptions select a page of records.
type ListOptions struct {
	// Scope is ANDed: the caller's subtrees, row policies.
	Scope []Cond
	// Filter is the GraphQL filter input.
	Filter  map[string]any
	OrderBy []Order
	First   int
	Offset  int
	Count   bool
	Deleted bool
	// Fields, when set, names the fields and manyToOne relations the records carry
	// besides id and tenant (a GraphQL selection); nil: all of them.
	Fields []string
	// RelatedScope gives the conditions of the caller's reads of a related entity,
	// for filters on relations; none means no record of it may be read. Nil: none
	// beyond live records.
	RelatedScope ScopeFunc
	// Hidden, when set, names the fields the caller may not filter or order on.
	Hidden HiddenFunc
}

// ScopeFunc gives the conditions that limit the caller's reads of an entity; none
// reports that the caller may read no record of it.
type ScopeFunc func(entity string) (scope []Cond, none bool, err error)

// Order sorts by a field, then by id.
type Order struct {
	Field string
	Desc  bool
}

// Page is one page of a list.
type Page struct {
	Records []Record
	HasNext bool
	// Total is every matching record, or -1 when not counted.
	Total int
	// Cursor is set by the API layer: where the next page starts.
	Cursor string
}

// List returns a page of records matching the scope and filter.
func (t Table) List(ctx context.Context, db DB, o ListOptions) (Page, error) {
	db = t.on(db)
	where := newBuilder(t.Dialect)
	if o.Deleted {
		where.add(" WHERE deleted_at IS NOT NULL")
	} else {
		where.add(" WHERE deleted_at IS NULL")
	}
	addConds(where, o.Scope)
	if len(o.Filter) > 0 {
		where.add(" AND ")
		if err := t.filter(where, o.Filter, "/filter", o.RelatedScope, o.Hidden); err != nil {
			return Page{}, err
		}
	}
	page := Page{Total: -1}
	if o.Count {
		c := newBuilder(t.Dialect)
		c.add("SELECT COUNT(*) FROM " + q(t.Table))
		c.addNative(where.String(), where.args)
		if err := queryRow(ctx, db, c.String(), c.args, &page.Total); err != nil {
			return Page{}, fmt.Errorf("entity: count %s: %w", t.Name, err)
		}
	}
	b := newBuilder(t.Dialect)
	pt := t.project(o.Fields)
	b.add("SELECT " + pt.selectList() + " FROM " + q(t.Table))
	b.addNative(where.String(), where.args)
	order, err := t.orderBy(o.OrderBy, o.Hidden)
	if err != nil {
		return Page{}, err
	}
	b.add(fmt.Sprintf("%s LIMIT %d OFFSET %d", order, o.First+1, o.Offset))
	recs, err := pt.query(ctx, db, b)
	if err != nil {
		return Page{}, err
	}
	if len(recs) > o.First {
		page.HasNext, recs = true, recs[:o.First]
	}
	page.Records = recs
	return page, nil
}

func (t Table) orderBy(os []Order, hidden HiddenFunc) (string, error) {
	var parts []string
	var l, hid apierr.FieldList
	for i, o := range os {
		col := t.column(o.Field)
		if col == "" {
			l.Add(fmt.Sprintf("/orderBy/%d/field", i), "no field %q here", o.Field)
			continue
		}
		if f, ok := t.field(o.Field); ok && hide(&hid, hidden, t.Name, f, fmt.Sprintf("/orderBy/%d/field", i)) {
			continue
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		parts = append(parts, col+dir)
	}
	parts = append(parts, "id ASC")
	if err := l.Err("invalid order"); err != nil {
		return "", err
	}
	return " ORDER BY " + strings.Join(parts, ", "), hiddenErr(hid)
}

// column is the quoted column of a field or system field name, or "".
func (t Table) column(name string) string {
	for _, s := range system {
		if s.name == name {
			return q(s.column)
		}
	}
	for _, f := range t.Fields {
		if f.Name == name {
			return f.expr()
		}
	}
	return ""
}

func (t Table) selectList() string {
	cols := make([]string, 0, len(system)+len(t.Fields))
	for _, s := range t.systemFields() {
		cols = append(cols, q(s.column))
	}
	for _, f := range t.Fields {
		cols = append(cols, f.expr())
	}
	for _, r := range t.Relations {
		if r.Kind == ManyToOne {
			cols = append(cols, q(r.Column))
		}
	}
	return strings.Join(cols, ", ")
}

func (t Table) query(ctx context.Context, db DB, b *builder) ([]Record, error) {
	out, _, err := t.queryExtra(ctx, db, b, 0)
	return out, err
}

// queryExtra reads records whose select list (selectList) is followed by extra
// integer columns, returned per record.
func (t Table) queryExtra(ctx context.Context, db DB, b *builder, extra int) ([]Record, [][]int64, error) {
	rows, err := db.QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("entity: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	var out []Record
	var more [][]int64
	var m2o []Relation
	for _, r := range t.Relations {
		if r.Kind == ManyToOne {
			m2o = append(m2o, r)
		}
	}
	sys := t.systemFields()
	n := len(sys) + len(t.Fields) + len(m2o)
	// One scan buffer for every row: Scan copies what it stores in an *any.
	vals := make([]any, n+extra)
	ptrs := make([]any, n+extra)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var x []int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, fmt.Errorf("entity: read %s: %w", t.Name, err)
		}
		r := make(Record, n)
		for i, s := range sys {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if s.name == "id" || s.name == "version" {
				v = fromColumn(TypeInteger, v)
			}
			r[s.name] = v
		}
		for i, f := range t.Fields {
			r[f.Name] = fromColumn(f.Type, vals[len(sys)+i])
		}
		for i, rel := range m2o {
			r[rel.Name] = fromColumn(TypeInteger, vals[len(sys)+len(t.Fields)+i])
		}
		out = append(out, r)
		if extra > 0 {
			if len(x) < extra {
				x = make([]int64, 64*extra)
			}
			for i := range extra {
				x[i], _ = fromColumn(TypeInteger, vals[n+i]).(int64)
			}
			more, x = append(more, x[:extra:extra]), x[extra:]
		}
	}
	return out, more, rows.Err()
}

func addConds(b *builder, conds []Cond) {
	for _, c := range conds {
		b.add(" AND (")
		b.addNative(c.SQL, c.Args)
		b.add(")")
	}
}

func queryRow(ctx context.Context, db DB, query string, args []any, dest any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest); err != nil {
		return err
	}
	return errors.Join(rows.Close(), rows.Err())
}
