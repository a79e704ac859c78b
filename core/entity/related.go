package entity

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// counting counts the statements run through a DB, and runs reads on the
// registry's pool through its prepared statements.
type counting struct {
	DB
	reg *Registry
}

func (c counting) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.reg.stmts.Add(1)
	return c.DB.ExecContext(ctx, query, args...)
}

func (c counting) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.reg.stmts.Add(1)
	if pool, ok := c.DB.(*sql.DB); ok {
		if st := c.reg.prepared(ctx, pool, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return c.DB.QueryContext(ctx, query, args...)
}

// on is db counting t's statements in its registry.
func (t Table) on(db DB) DB {
	if _, ok := db.(counting); ok || t.reg == nil {
		return db
	}
	return counting{db, t.reg}
}

// linkOp is what one write does to one manyToMany relation.
type linkOp struct {
	rel          Relation
	link, unlink []int64
}

// values checks input against the fields and relations: field values by column,
// the manyToOne ids by column, and the manyToMany links to write after the row.
func (t Table) values(in map[string]any, create bool) (map[string]any, []linkOp, error) {
	return t.valuesAt(in, create, t.At)
}

// valuesAt is values with the data elements checked at tenant at.
func (t Table) valuesAt(in map[string]any, create bool, at string) (map[string]any, []linkOp, error) {
	var l apierr.FieldList
	plain, rels := in, map[string]any{}
	if len(t.Relations) > 0 {
		plain = make(map[string]any, len(in))
		for k, v := range in {
			if _, ok := t.relation(k); ok {
				rels[k] = v
			} else {
				plain[k] = v
			}
		}
	}
	vals, err := normalize(t.Fields, plain, create, at, t.Check)
	if err != nil {
		e, ok := apierr.As(err)
		if !ok {
			return nil, nil, err
		}
		l = append(l, e.Fields...)
	}
	var links []linkOp
	for _, r := range t.Relations {
		v, given := rels[r.Name]
		p := "/input/" + r.Name
		switch r.Kind {
		case ManyToOne:
			if !given || v == nil {
				if r.Required && (create || given) {
					l.Add(p, "is required")
				}
				if given {
					vals[r.Column] = nil
				}
				continue
			}
			id, ok := toID(v)
			if !ok {
				l.Add(p, "must be the id of a %s record", r.Entity)
				continue
			}
			vals[r.Column] = id
		case OneToMany:
			if given {
				l.Add(p, "is set on the %s records, in their %s", r.Entity, r.Inverse)
			}
		case ManyToMany:
			if !given || v == nil {
				continue
			}
			m, _ := v.(map[string]any)
			op := linkOp{rel: r}
			for _, k := range []string{"link", "unlink"} {
				list, _ := m[k].([]any)
				for i, x := range list {
					id, ok := toID(x)
					if !ok {
						l.Add(fmt.Sprintf("%s/%s/%d", p, k, i), "must be the id of a %s record", r.Entity)
						continue
					}
					if k == "link" {
						op.link = append(op.link, id)
					} else {
						op.unlink = append(op.unlink, id)
					}
				}
			}
			links = append(links, op)
		}
	}
	return vals, links, l.Err("invalid record")
}

func toID(v any) (int64, bool) {
	switch x := v.(type) {
	case string:
		id, err := strconv.ParseInt(x, 10, 64)
		return id, err == nil && id > 0
	case int64:
		return x, x > 0
	}
	if f, ok := toFloat(v); ok && f > 0 && f == float64(int64(f)) {
		return int64(f), true
	}
	return 0, false
}

// CheckRefs checks that the records an input points at (manyToOne ids and
// manyToMany links) are live and readable by the caller, whose reads scope limits:
// every missing one with its path. Run it in the writing transaction.
func (t Table) CheckRefs(ctx context.Context, db DB, in map[string]any, scope ScopeFunc) error {
	db = t.on(db)
	var l apierr.FieldList
	for _, r := range t.Relations {
		v, given := in[r.Name]
		if !given || v == nil || r.Kind == OneToMany {
			continue
		}
		type ref struct {
			path string
			id   int64
		}
		var refs []ref
		if r.Kind == ManyToOne {
			if id, ok := toID(v); ok {
				refs = append(refs, ref{"/input/" + r.Name, id})
			}
		} else {
			m, _ := v.(map[string]any)
			list, _ := m["link"].([]any)
			for i, x := range list {
				if id, ok := toID(x); ok {
					refs = append(refs, ref{fmt.Sprintf("/input/%s/link/%d", r.Name, i), id})
				}
			}
		}
		if len(refs) == 0 {
			continue
		}
		ids := make([]int64, len(refs))
		for i, x := range refs {
			ids[i] = x.id
		}
		found, err := t.readable(ctx, db, r.Entity, ids, scope)
		if err != nil {
			return err
		}
		for _, x := range refs {
			if !found[x.id] {
				l.Add(x.path, "no %s with id %d that you may read", r.Entity, x.id)
			}
		}
	}
	return l.Err("invalid record")
}

// readable reports which of ids are live records of entity that scope lets through.
func (t Table) readable(ctx context.Context, db DB, entity string, ids []int64, scope ScopeFunc) (map[int64]bool, error) {
	target, ok := t.peer(entity)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "entity %s is not seen here", entity)
	}
	var conds []Cond
	if scope != nil {
		c, none, err := scope(entity)
		if err != nil || none {
			return map[int64]bool{}, err
		}
		conds = c
	}
	b := newBuilder(t.Dialect)
	b.add("SELECT id FROM " + q(target.Table) + " WHERE deleted_at IS NULL AND ")
	b.idsIn("id", ids)
	addConds(b, conds)
	rows, err := db.QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("entity: read %s: %w", entity, err)
	}
	defer rows.Close()
	found := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		found[id] = true
	}
	return found, rows.Err()
}

// link writes a record's manyToMany links and unlinks.
func (t Table) link(ctx context.Context, db DB, id int64, ops []linkOp) error {
	for _, op := range ops {
		if len(op.link) > 0 {
			b := newBuilder(t.Dialect)
			b.add(fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES ", q(op.rel.JoinTable), op.rel.Self, op.rel.Other))
			for i, other := range op.link {
				if i > 0 {
					b.add(", ")
				}
				b.add("(?, ?)", id, other)
			}
			b.add(" ON CONFLICT DO NOTHING")
			if _, err := db.ExecContext(ctx, b.String(), b.args...); err != nil {
				return fmt.Errorf("entity: link %s.%s: %w", t.Name, op.rel.Name, err)
			}
		}
		if len(op.unlink) > 0 {
			b := newBuilder(t.Dialect)
			b.add(fmt.Sprintf("DELETE FROM %s WHERE %s = ? AND ", q(op.rel.JoinTable), op.rel.Self), id)
			b.idsIn(op.rel.Other, op.unlink)
			if _, err := db.ExecContext(ctx, b.String(), b.args...); err != nil {
				return fmt.Errorf("entity: unlink %s.%s: %w", t.Name, op.rel.Name, err)
			}
		}
	}
	return nil
}

// referred refuses the delete of a record that live records point at.
func (t Table) referred(ctx context.Context, db DB, id int64) error {
	if len(t.Referrers) == 0 {
		return nil
	}
	b := newBuilder(t.Dialect)
	for i, r := range t.Referrers {
		if i > 0 {
			b.add(" UNION ALL ")
		}
		b.add(fmt.Sprintf("SELECT %d, COUNT(*) FROM %s WHERE %s = ? AND deleted_at IS NULL", i, q(r.Table), q(r.Column)), id)
	}
	rows, err := db.QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return fmt.Errorf("entity: referrers of %s: %w", t.Name, err)
	}
	defer rows.Close()
	var refs []map[string]any
	var words []string
	for rows.Next() {
		var i, n int64
		if err := rows.Scan(&i, &n); err != nil {
			return err
		}
		if n > 0 {
			r := t.Referrers[i]
			refs = append(refs, map[string]any{"entity": r.Entity, "relation": r.Relation, "count": n})
			words = append(words, fmt.Sprintf("%d %s (%s)", n, r.Entity, r.Relation))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(refs) == 0 {
		return nil
	}
	e := apierr.New(apierr.Conflict, "%s %d is referred to by %s; point them elsewhere or delete them first", t.Name, id, strings.Join(words, ", "))
	e.Details = map[string]any{"referrers": refs}
	return e
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxArms bounds the parents a SQLite Load reads with one UNION ALL arm each;
// beyond it one window query reads them all.
const maxArms = 200

// idsIn writes "col IN ids": an array parameter on PostgreSQL (one statement text
// whatever the number of ids), literal integers on SQLite.
func (b *builder) idsIn(col string, ids []int64) {
	if b.pg {
		b.add(q(col)+" = ANY(?)", ids)
		return
	}
	b.sb.WriteString(q(col) + " IN (")
	for i, id := range ids {
		if i > 0 {
			b.sb.WriteByte(',')
		}
		b.sb.WriteString(strconv.FormatInt(id, 10))
	}
	b.sb.WriteByte(')')
}

// Load reads, in one statement, the records related through relation rel to each
// of parents: for a manyToOne, parents are the related ids (the values of the
// relation in the records read) and each page holds that record; for the other
// kinds, parents are this entity's ids and each page holds up to o.First related
// records in o.OrderBy order, with Total counted. o.Scope limits the related records
// as it limits lists of them; o.Filter and o.OrderBy apply to them.
func (t Table) Load(ctx context.Context, db DB, rel string, parents []int64, o ListOptions) (map[int64]Page, error) {
	db = t.on(db)
	r, ok := t.relation(rel)
	if !ok {
		return nil, fmt.Errorf("entity: %s has no relation %s", t.Name, rel)
	}
	target, ok := t.peer(r.Entity)
	if !ok {
		return nil, fmt.Errorf("entity: %s is not seen at %s", r.Entity, t.At)
	}
	out := make(map[int64]Page, len(parents))
	if len(parents) == 0 {
		return out, nil
	}
	b := newBuilder(t.Dialect)
	pt := target.project(o.Fields)
	if r.Kind == ManyToOne {
		b.add("SELECT " + pt.selectList() + " FROM " + q(target.Table) + " WHERE deleted_at IS NULL AND ")
		b.idsIn("id", parents)
		addConds(b, o.Scope)
		recs, err := pt.query(ctx, db, b)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			out[rec["id"].(int64)] = Page{Records: []Record{rec}, Total: 1}
		}
		return out, nil
	}
	order, err := target.orderBy(o.OrderBy, o.Hidden)
	if err != nil {
		return nil, err
	}
	parent, from := q(r.Column), q(target.Table)
	if r.Kind == ManyToMany {
		parent = "j." + r.Self
		from += " JOIN " + q(r.JoinTable) + " j ON j." + r.Other + " = " + q(target.Table) + ".id"
	}
	// The conditions on the related records, in "?" style, bound once per parent.
	w := newBuilder(SQLite)
	w.add("deleted_at IS NULL")
	addConds(w, o.Scope)
	if len(o.Filter) > 0 {
		w.add(" AND ")
		if err := target.filter(w, o.Filter, "/filter", o.RelatedScope, o.Hidden); err != nil {
			return nil, err
		}
	}
	cond, condArgs := w.String(), w.args
	total := "-1"
	switch {
	case b.pg:
		// One statement text whatever the number of parents: each parent's page is
		// an index walk that stops after First+1 records.
		if o.Count {
			total = "c.total_"
		}
		b.add("SELECT x.*, 0 AS rn_, "+total+" AS total_ FROM unnest(?::bigint[]) AS p(pid_)", parents)
		// The parent's index finds its records (OFFSET 0 keeps the conditions out
		// of that scan), then the conditions and the order apply to them. Left to
		// itself, the planner may walk an index in the page's order (the primary
		// key's, for id) filtering on the parent, or, with the generic plan of a
		// prepared statement, AND the parent's index with the whole subtree's
		// tenant_path range: either reads most of the table for each parent.
		b.add(" CROSS JOIN LATERAL (SELECT " + pt.selectList() + ", parent_ FROM (SELECT " + q(target.Table) + ".*, p.pid_ AS parent_ FROM " + from +
			" WHERE " + parent + " = p.pid_ AND deleted_at IS NULL OFFSET 0) f WHERE ")
		b.addNative(cond, condArgs)
		b.add(fmt.Sprintf("%s LIMIT %d) x", order, o.First+1))
		if o.Count {
			b.add(" CROSS JOIN LATERAL (SELECT COUNT(*) AS total_ FROM (SELECT " + q(target.Table) + ".* FROM " + from +
				" WHERE " + parent + " = p.pid_ AND deleted_at IS NULL OFFSET 0) f WHERE ")
			b.addNative(cond, condArgs)
			b.add(") c")
		}
	case len(parents) <= maxArms:
		// One arm per parent, each an index walk that stops after First+1 records;
		// arms are read in turn, each in its order.
		for i, p := range parents {
			if i > 0 {
				b.add(" UNION ALL ")
			}
			b.add("SELECT * FROM (SELECT " + pt.selectList() + ", " + parent + " AS parent_, 0 AS rn_, ")
			if o.Count {
				b.add("(SELECT COUNT(*) FROM "+from+" WHERE "+parent+" = ? AND ", p)
				b.addNative(cond, condArgs)
				b.add(")")
			} else {
				b.add(total)
			}
			b.add(" AS total_ FROM "+from+" WHERE "+parent+" = ? AND ", p)
			b.addNative(cond, condArgs)
			b.add(fmt.Sprintf("%s LIMIT %d)", order, o.First+1))
		}
	default:
		b.add(fmt.Sprintf("SELECT * FROM (SELECT %s, %s AS parent_, ROW_NUMBER() OVER (PARTITION BY %s%s) AS rn_, COUNT(*) OVER (PARTITION BY %s) AS total_ FROM %s WHERE ",
			pt.selectList(), parent, parent, order, parent, from))
		if r.Kind == ManyToMany {
			b.add("j.")
			b.idsIn(r.Self, parents)
		} else {
			b.idsIn(r.Column, parents)
		}
		b.add(" AND ")
		b.addNative(cond, condArgs)
		b.add(fmt.Sprintf(") sub WHERE rn_ <= %d ORDER BY parent_, rn_", o.First+1))
	}
	recs, extra, err := pt.queryExtra(ctx, db, b, 3)
	if err != nil {
		return nil, err
	}
	for i, rec := range recs {
		p, n := extra[i][0], int(extra[i][2])
		pg := out[p]
		if len(pg.Records) == o.First {
			pg.HasNext = true
			out[p] = pg
			continue
		}
		pg.Records, pg.Total = append(pg.Records, rec), n
		out[p] = pg
	}
	for _, p := range parents {
		if _, ok := out[p]; !ok {
			out[p] = Page{Records: []Record{}, Total: -1 + b2i(o.Count)}
		}
	}
	return out, nil
}
