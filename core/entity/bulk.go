package entity

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// Import formats.
const (
	FormatCSV    = "csv"
	FormatJSON   = "json"
	FormatNDJSON = "ndjson"
)

// RowError is one problem of one imported row; Row counts data rows from 1.
type RowError struct {
	Row     int    `json:"row"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows     int        `json:"rows"`
	Imported int        `json:"imported"`
	Failed   int        `json:"failed"`
	Errors   []RowError `json:"errors,omitempty"`
	// Truncated is set when more rows failed than Errors lists.
	Truncated bool `json:"truncated,omitempty"`
	// RolledBack is set when nothing was imported because a row failed.
	RolledBack bool `json:"rolledBack,omitempty"`
}

// ImportOptions control an import.
type ImportOptions struct {
	Format string
	// ContinueOnError imports the valid rows and reports the others; without it one
	// bad row imports nothing (the caller rolls its transaction back when the report
	// says RolledBack).
	ContinueOnError bool
	// Tenant resolves a row's "tenant" column (empty: the default) to its path, or
	// refuses it (not below the API's tenant, or not writable by the caller).
	Tenant func(code string) (path string, err error)
	// Default is the tenant of rows without a tenant column.
	Default string
	Actor   string
	// Progress, when set, is called every ProgressEvery rows.
	Progress      func(rows int)
	ProgressEvery int
	// MaxErrors bounds the errors listed (default 1000).
	MaxErrors int
	// Refs limits the records a manyToOne column may point at to those the caller
	// may read, as CheckRefs does for one record (nil: any live record).
	Refs ScopeFunc
}

// analyzeAfter is the number of imported rows after which an import refreshes the
// table's statistics.
const analyzeAfter = 10000

// rowReader yields rows as field name → value.
type rowReader interface {
	next() (map[string]any, error)
}

// Import reads rows in format from r and inserts them into the table through db, a
// transaction: each row is checked like a created record, and valid rows are written
// in multi-row INSERTs; a row whose unique fields are taken fails like an invalid one.
// Reading and checking run in a second goroutine, beside the writes.
func (t Table) Import(ctx context.Context, db DB, r io.Reader, o ImportOptions) (ImportReport, error) {
	var rep ImportReport
	rows, err := t.reader(r, o.Format)
	if err != nil {
		return rep, err
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = 1000
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 10000
	}
	fail := func(row int, path, msg string) {
		if len(rep.Errors) < o.MaxErrors {
			rep.Errors = append(rep.Errors, RowError{Row: row, Path: path, Message: msg})
		} else {
			rep.Truncated = true
		}
	}
	ins := t.inserter(o.Actor, o.Refs, func(row int, path, msg string) {
		rep.Failed++
		fail(row, path, msg)
	}, func(n int) { rep.Imported += n })
	done := make(chan struct{})
	defer close(done)
	batches := make(chan []checkedRow, 8)
	var readErr error
	go func() {
		defer close(batches)
		readErr = t.check(rows, o, batches, done)
	}()
	for batch := range batches {
		for _, c := range batch {
			rep.Rows++
			if o.Progress != nil && rep.Rows%o.ProgressEvery == 0 {
				o.Progress(rep.Rows)
			}
			if len(c.errs) > 0 {
				rep.Failed++
				for _, e := range c.errs {
					fail(c.row.n, e.Path, e.Message)
				}
				continue
			}
			// Valid rows are written even after a failure without ContinueOnError, so
			// that clashes between rows are reported too; the caller's rollback undoes
			// them.
			if err := ins.add(ctx, db, c.row); err != nil {
				return rep, err
			}
		}
	}
	if readErr != nil {
		return rep, readErr
	}
	if err := ins.flush(ctx, db); err != nil {
		return rep, err
	}
	if rep.Failed > 0 && !o.ContinueOnError {
		rep.Imported, rep.RolledBack = 0, true
		return rep, nil
	}
	// A large import changes the table's statistics: without fresh ones PostgreSQL
	// plans the next reads for the table it had (autovacuum comes later), e.g. a
	// sort of the whole subtree for "ORDER BY id LIMIT 20". ANALYZE samples a fixed
	// number of rows and runs in the transaction.
	if t.Dialect == Postgres && rep.Imported >= analyzeAfter {
		if _, err := db.ExecContext(ctx, "ANALYZE "+q(t.Table)); err != nil {
			return rep, fmt.Errorf("entity: analyze %s: %w", t.Name, err)
		}
	}
	return rep, nil
}

// checkedRow is a row read and checked: valid (errs empty) or not.
type checkedRow struct {
	row  pendingRow
	errs []RowError
}

// check reads every row, checks it and sends batches of checked rows until the input
// ends, done closes, or the input cannot be read further.
func (t Table) check(rows rowReader, o ImportOptions, out chan<- []checkedRow, done <-chan struct{}) error {
	paths, refused := map[string]string{}, map[string]error{}
	batch := make([]checkedRow, 0, 256)
	send := func() bool {
		select {
		case out <- batch:
			batch = make([]checkedRow, 0, 256)
			return true
		case <-done:
			return false
		}
	}
	for n := 1; ; n++ {
		in, err := rows.next()
		if err == io.EOF {
			break
		}
		c := checkedRow{row: pendingRow{n: n}}
		if err != nil {
			var perr *parseError
			if !errors.As(err, &perr) {
				return err
			}
			c.errs = append(c.errs, RowError{Path: "", Message: perr.msg})
			batch = append(batch, c)
			if perr.fatal {
				break
			}
			continue
		}
		code, _ := in["tenant"].(string)
		delete(in, "tenant")
		if code == "" {
			code = o.Default
		}
		path, ok := paths[code]
		tenantErr := refused[code]
		if !ok && tenantErr == nil {
			if path, tenantErr = o.Tenant(code); tenantErr == nil {
				paths[code] = path
			} else {
				refused[code] = tenantErr
			}
		}
		if tenantErr != nil {
			c.errs = append(c.errs, RowError{Path: "/tenant", Message: tenantErr.Error()})
			code = o.Default // the row's fields are still checked, to report them all
		}
		vals, links, err := t.valuesAt(in, true, code)
		if e, ok := apierr.As(err); ok {
			for _, f := range e.Fields {
				c.errs = append(c.errs, RowError{Path: strings.TrimPrefix(f.Path, "/input"), Message: f.Message})
			}
		}
		for _, op := range links {
			c.errs = append(c.errs, RowError{Path: "/" + op.rel.Name, Message: "manyToMany links are not imported; link the records afterwards"})
		}
		c.row.tenant, c.row.path, c.row.vals = code, path, vals
		batch = append(batch, c)
		if len(batch) == cap(batch) && !send() {
			return nil
		}
	}
	if len(batch) > 0 {
		send()
	}
	return nil
}

// pendingRow is a checked row waiting for its batch.
type pendingRow struct {
	n            int
	tenant, path string
	vals         map[string]any
}

// inserter writes checked rows in multi-row INSERTs. Before each batch it fails the
// rows whose unique values an earlier row of the import or a live record holds, so
// every clash is reported with its row; ON CONFLICT DO NOTHING covers a concurrent
// writer, whose clash is reported for the batch.
type inserter struct {
	t      Table
	actor  string
	batch  []pendingRow
	size   int
	unique []Field
	seen   []map[any]int // per unique field: value → row that holds it
	// refs are the manyToOne relations whose ids each batch checks; scope limits
	// the records they may point at.
	refs     []Relation
	scope    ScopeFunc
	stmts    map[int]string
	fail     func(row int, path, msg string)
	imported func(n int)
}

func (t Table) inserter(actor string, scope ScopeFunc, fail func(int, string, string), imported func(int)) *inserter {
	in := &inserter{t: t, actor: actor, stmts: map[int]string{}, fail: fail, imported: imported, scope: scope}
	for _, f := range t.Fields {
		if f.Unique {
			in.unique = append(in.unique, f)
			in.seen = append(in.seen, map[any]int{})
		}
	}
	for _, r := range t.Relations {
		if r.Kind == ManyToOne {
			in.refs = append(in.refs, r)
		}
	}
	// SQLite binds at most 32,766 parameters in one statement, PostgreSQL 65,535.
	in.size = max(1, min(500, 30000/(7+len(t.Fields)+len(in.refs))))
	return in
}

func (in *inserter) add(ctx context.Context, db DB, r pendingRow) error {
	in.batch = append(in.batch, r)
	if len(in.batch) >= in.size {
		return in.flush(ctx, db)
	}
	return nil
}

func (in *inserter) flush(ctx context.Context, db DB) error {
	if err := in.dropDangling(ctx, db); err != nil {
		return err
	}
	rows, err := in.withoutClashes(ctx, db)
	in.batch = in.batch[:0]
	if err != nil || len(rows) == 0 {
		return err
	}
	stmt, ok := in.stmts[len(rows)]
	if !ok {
		cols := []string{"tenant", "tenant_path", "created_at", "updated_at", "created_by", "updated_by", "version"}
		for _, f := range in.t.Fields {
			cols = append(cols, q(f.Column))
		}
		for _, r := range in.refs {
			cols = append(cols, q(r.Column))
		}
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		b := newBuilder(in.t.Dialect)
		b.add(fmt.Sprintf("INSERT INTO %s (%s) VALUES ", q(in.t.Table), strings.Join(cols, ", ")))
		for i := range rows {
			if i > 0 {
				b.add(", ")
			}
			b.add(one, make([]any, len(cols))...)
		}
		b.add(" ON CONFLICT DO NOTHING")
		stmt = b.String()
		in.stmts[len(rows)] = stmt
	}
	ts := now()
	args := make([]any, 0, len(rows)*(7+len(in.t.Fields)+len(in.refs)))
	for _, r := range rows {
		args = append(args, r.tenant, r.path, ts, ts, in.actor, in.actor, int64(1))
		for _, f := range in.t.Fields {
			args = append(args, r.vals[f.Column])
		}
		for _, rel := range in.refs {
			args = append(args, r.vals[rel.Column])
		}
	}
	res, err := db.ExecContext(ctx, stmt, args...)
	if err != nil {
		return fmt.Errorf("entity: import into %s: %w", in.t.Name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	in.imported(int(n))
	if int(n) < len(rows) {
		in.fail(rows[0].n, "", fmt.Sprintf("%d of rows %d–%d clashed with records written meanwhile", len(rows)-int(n), rows[0].n, rows[len(rows)-1].n))
	}
	return nil
}

// dropDangling fails and drops the rows of the batch whose manyToOne ids name no
// live record the caller may read: one statement per relation and batch.
func (in *inserter) dropDangling(ctx context.Context, db DB) error {
	for _, r := range in.refs {
		var ids []int64
		seen := map[int64]bool{}
		for _, row := range in.batch {
			if id, ok := row.vals[r.Column].(int64); ok && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		found, err := in.t.readable(ctx, db, r.Entity, ids, in.scope)
		if err != nil {
			return err
		}
		in.batch = slices.DeleteFunc(in.batch, func(row pendingRow) bool {
			id, ok := row.vals[r.Column].(int64)
			if ok && !found[id] {
				in.fail(row.n, "/"+r.Name, fmt.Sprintf("no %s with id %d that you may read", r.Entity, id))
				return true
			}
			return false
		})
	}
	return nil
}

// withoutClashes fails and drops the rows of the batch whose unique values are held
// by an earlier row or a live record.
func (in *inserter) withoutClashes(ctx context.Context, db DB) ([]pendingRow, error) {
	if len(in.unique) == 0 {
		return in.batch, nil
	}
	bad := map[int]bool{}
	for u, f := range in.unique {
		var vals []any
		for _, r := range in.batch {
			v := r.vals[f.Column]
			if v == nil {
				continue
			}
			if first, ok := in.seen[u][v]; ok {
				in.fail(r.n, "/"+f.Name, fmt.Sprintf("row %d has the same %s", first, f.Name))
				bad[r.n] = true
				continue
			}
			in.seen[u][v] = r.n
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			continue
		}
		b := newBuilder(in.t.Dialect)
		b.add(fmt.Sprintf("SELECT %s FROM %s WHERE deleted_at IS NULL AND %s IN (%s)", q(f.Column), q(in.t.Table), q(f.Column),
			strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")), vals...)
		rows, err := db.QueryContext(ctx, b.String(), b.args...)
		if err != nil {
			return nil, fmt.Errorf("entity: import into %s: %w", in.t.Name, err)
		}
		taken := map[string]bool{}
		for rows.Next() {
			var v any
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			taken[fmt.Sprint(fromColumn(f.Type, v))] = true
		}
		rows.Close()
		for _, r := range in.batch {
			if v := r.vals[f.Column]; v != nil && taken[fmt.Sprint(v)] && !bad[r.n] && in.seen[u][v] == r.n {
				in.fail(r.n, "/"+f.Name, fmt.Sprintf("a live %s already has this %s", in.t.Name, f.Name))
				bad[r.n] = true
			}
		}
	}
	if len(bad) == 0 {
		return in.batch, nil
	}
	out := make([]pendingRow, 0, len(in.batch)-len(bad))
	for _, r := range in.batch {
		if !bad[r.n] {
			out = append(out, r)
		}
	}
	return out, nil
}

// parseError is a row that could not be read; fatal when the rest cannot be either.
type parseError struct {
	msg   string
	fatal bool
}

func (e *parseError) Error() string { return e.msg }

func (t Table) reader(r io.Reader, format string) (rowReader, error) {
	switch format {
	case FormatCSV, "":
		return t.csvReader(r)
	case FormatNDJSON:
		return &ndjsonReader{sc: newScanner(r)}, nil
	case FormatJSON:
		dec := json.NewDecoder(r)
		dec.UseNumber()
		tok, err := dec.Token()
		if err != nil || tok != json.Delim('[') {
			return nil, apierr.New(apierr.BadRequest, "a JSON import is an array of objects")
		}
		return &jsonReader{dec: dec}, nil
	}
	return nil, apierr.New(apierr.BadRequest, "format must be csv, json or ndjson")
}

func newScanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	return sc
}

type ndjsonReader struct{ sc *bufio.Scanner }

func (n *ndjsonReader) next() (map[string]any, error) {
	for n.sc.Scan() {
		line := strings.TrimSpace(n.sc.Text())
		if line == "" {
			continue
		}
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, &parseError{msg: "not a JSON object: " + err.Error()}
		}
		return numbers(m), nil
	}
	if err := n.sc.Err(); err != nil {
		return nil, &parseError{msg: err.Error(), fatal: true}
	}
	return nil, io.EOF
}

type jsonReader struct{ dec *json.Decoder }

func (j *jsonReader) next() (map[string]any, error) {
	if !j.dec.More() {
		return nil, io.EOF
	}
	var m map[string]any
	if err := j.dec.Decode(&m); err != nil {
		return nil, &parseError{msg: "not a JSON object: " + err.Error(), fatal: true}
	}
	return numbers(m), nil
}

// numbers turns json.Number into float64, as GraphQL input arrives.
func numbers(m map[string]any) map[string]any {
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			f, _ := n.Float64()
			m[k] = f
		}
	}
	return m
}

type csvReader struct {
	t      Table
	r      *csv.Reader
	header []string
	types  []string
}

func (t Table) csvReader(r io.Reader) (rowReader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, apierr.New(apierr.BadRequest, "a CSV import starts with a header row of field names: %v", err)
	}
	c := &csvReader{t: t, r: cr, header: append([]string(nil), head...), types: make([]string, len(head))}
	var l apierr.FieldList
	for i, h := range c.header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		c.header[i] = h
		if h == "tenant" {
			continue
		}
		f, ok := t.field(h)
		if r, isRel := t.relation(h); !ok && isRel && r.Kind == ManyToOne {
			f, ok = Field{FieldSpec: FieldSpec{Type: TypeInteger}}, true
		}
		if !ok {
			l.Add(fmt.Sprintf("/header/%d", i), "no field %q in %s", h, t.Name)
		}
		c.types[i] = f.Type
	}
	if err := l.Err("invalid CSV header"); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *csvReader) next() (map[string]any, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, &parseError{msg: err.Error()}
	}
	if len(rec) != len(c.header) {
		return nil, &parseError{msg: fmt.Sprintf("has %d columns; the header has %d", len(rec), len(c.header))}
	}
	m := make(map[string]any, len(rec))
	for i, s := range rec {
		if s == "" {
			continue // an empty cell is an absent value
		}
		switch c.types[i] {
		case TypeInteger, TypeDecimal:
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				m[c.header[i]] = f
				continue
			}
		case TypeBoolean:
			switch strings.ToLower(s) {
			case "true", "1", "yes", "是":
				m[c.header[i]] = true
				continue
			case "false", "0", "no", "否":
				m[c.header[i]] = false
				continue
			}
		}
		m[c.header[i]] = s
	}
	return m, nil
}

// Each calls fn for every live record the scope lets through, in id order, reading
// a batch at a time so that memory does not grow with the table.
func (t Table) Each(ctx context.Context, db DB, scope []Cond, fn func(Record) error) error {
	const batch = 5000
	var after int64
	for {
		conds := append([]Cond{{SQL: "id > ?", Args: []any{after}}}, scope...)
		page, err := t.List(ctx, db, ListOptions{Scope: conds, First: batch})
		if err != nil {
			return err
		}
		for _, r := range page.Records {
			if err := fn(r); err != nil {
				return err
			}
			after = r["id"].(int64)
		}
		if !page.HasNext {
			return nil
		}
	}
}

// RecordWriter writes records in an export format.
type RecordWriter struct {
	format string
	w      io.Writer
	csv    *csv.Writer
	cols   []string
	n      int
}

// NewRecordWriter starts an export of fields (with id and tenant first) in format.
func NewRecordWriter(w io.Writer, format string, fields []Field) (*RecordWriter, error) {
	rw := &RecordWriter{format: format, w: w, cols: []string{"id", "tenant"}}
	for _, f := range fields {
		rw.cols = append(rw.cols, f.Name)
	}
	switch format {
	case FormatCSV, "":
		rw.format, rw.csv = FormatCSV, csv.NewWriter(w)
		return rw, rw.csv.Write(rw.cols)
	case FormatJSON:
		_, err := io.WriteString(w, "[")
		return rw, err
	case FormatNDJSON:
		return rw, nil
	}
	return nil, apierr.New(apierr.BadRequest, "format must be csv, json or ndjson")
}

// Write writes one record.
func (rw *RecordWriter) Write(r Record) error {
	rw.n++
	if rw.format == FormatCSV {
		row := make([]string, len(rw.cols))
		for i, c := range rw.cols {
			if v := r[c]; v != nil {
				row[i] = fmt.Sprint(v)
			}
		}
		return rw.csv.Write(row)
	}
	m := make(map[string]any, len(rw.cols))
	for _, c := range rw.cols {
		m[c] = r[c]
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	sep := "\n"
	if rw.format == FormatJSON && rw.n > 1 {
		sep = ",\n"
	}
	if rw.format == FormatNDJSON {
		b, sep = append(b, '\n'), ""
	}
	_, err = io.WriteString(rw.w, sep+string(b))
	return err
}

// Close ends the export.
func (rw *RecordWriter) Close() error {
	switch rw.format {
	case FormatCSV:
		rw.csv.Flush()
		return rw.csv.Error()
	case FormatJSON:
		_, err := io.WriteString(rw.w, "\n]\n")
		return err
	}
	return nil
}
