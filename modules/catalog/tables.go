package catalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"
)

// The module's own tables. catalog_items and catalog_impls are projections of the
// stored layers of ServiceItem and ServiceImplementation (their effective values at
// the layer's tenant), rewritten inside the transaction that changes a layer; the
// resources stay the source of truth. catalog_devolutions records devolution batches
// for their report and undo; catalog_lists holds curated lists; catalog_cases counts
// case events for the online rate.
func tables() []*schema.Table {
	col := func(name string, t field.Type, opts ...func(*schema.Column)) *schema.Column {
		c := &schema.Column{Name: name, Type: t}
		for _, o := range opts {
			o(c)
		}
		return c
	}
	null := func(c *schema.Column) { c.Nullable = true }
	str := field.TypeString
	integer := field.TypeInt
	id := func() *schema.Column { return &schema.Column{Name: "id", Type: field.TypeInt64, Increment: true} }
	withIndexes := func(t *schema.Table, idx ...*schema.Index) *schema.Table {
		t.PrimaryKey = t.Columns[:1]
		t.Indexes = idx
		return t
	}
	items := &schema.Table{Name: "catalog_items", Columns: []*schema.Column{
		id(), col("tenant", str), col("depth", integer), col("code", str), col("name", str), col("type", str),
		col("category", str), col("level", str), col("parent", str), col("handling", str),
	}}
	withIndexes(items, &schema.Index{Name: "catalog_items_tenant_code", Unique: true, Columns: []*schema.Column{items.Columns[1], items.Columns[3]}})
	impls := &schema.Table{Name: "catalog_impls", Columns: []*schema.Column{
		id(), col("tenant", str), col("path", str), col("depth", integer), col("code", str), col("impl_code", str),
		col("name", str), col("type", str), col("category", str), col("department", str), col("body", str),
		col("status", str), col("visits", integer), col("online", field.TypeBool), col("statutory_days", integer),
		col("promised_days", integer), col("processing", str), col("text", field.TypeString, func(c *schema.Column) { c.Size = 1 << 20 }),
		col("terms", field.TypeString, func(c *schema.Column) { c.Size = 1 << 20 }),
	}}
	withIndexes(impls,
		&schema.Index{Name: "catalog_impls_tenant_code", Unique: true, Columns: []*schema.Column{impls.Columns[1], impls.Columns[4]}},
		&schema.Index{Name: "catalog_impls_code", Columns: []*schema.Column{impls.Columns[4]}},
		&schema.Index{Name: "catalog_impls_path", Columns: []*schema.Column{impls.Columns[2]}},
	)
	devolutions := &schema.Table{Name: "catalog_devolutions", Columns: []*schema.Column{
		id(), col("tenant", str), col("actor", str), col("status", str), col("created_at", field.TypeTime),
		col("undone_at", field.TypeTime, null), col("request", field.TypeString, func(c *schema.Column) { c.Size = 1 << 24 }),
		col("prior", field.TypeString, func(c *schema.Column) { c.Size = 1 << 30 }),
		col("report", field.TypeString, func(c *schema.Column) { c.Size = 1 << 24 }),
	}}
	withIndexes(devolutions, &schema.Index{Name: "catalog_devolutions_tenant", Columns: []*schema.Column{devolutions.Columns[1]}})
	cases := &schema.Table{Name: "catalog_cases", Columns: []*schema.Column{
		id(), col("case_number", str), col("tenant", str), col("path", str), col("department", str), col("code", str),
		col("month", str), col("online", field.TypeBool),
	}}
	withIndexes(cases,
		&schema.Index{Name: "catalog_cases_number", Unique: true, Columns: []*schema.Column{cases.Columns[1]}},
		&schema.Index{Name: "catalog_cases_path_month", Columns: []*schema.Column{cases.Columns[3], cases.Columns[6]}},
	)
	return []*schema.Table{items, impls, devolutions, cases}
}

func (c *Catalog) migrate(ctx context.Context) error {
	if err := c.host.Migrate(ctx, tables()...); err != nil {
		return fmt.Errorf("catalog: migrate: %w", err)
	}
	ddl := []string{`CREATE VIRTUAL TABLE IF NOT EXISTS catalog_fts USING fts5(terms, tokenize='unicode61 remove_diacritics 0')`}
	if c.pg {
		// Bigram terms as an array with a GIN index: no dependence on a text-search
		// parser's idea of Chinese words, nor on an extension (docs/adr/0031).
		ddl = []string{
			`ALTER TABLE catalog_impls ADD COLUMN IF NOT EXISTS term_set text[] NOT NULL DEFAULT '{}'`,
			`CREATE INDEX IF NOT EXISTS catalog_impls_term_set ON catalog_impls USING GIN (term_set)`,
		}
	}
	for _, q := range ddl {
		if _, err := c.st.DB.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("catalog: migrate: %w", err)
		}
	}
	return nil
}

// sqlDialect writes the module's SQL for SQLite or PostgreSQL.
type sqlDialect struct{ pg bool }

// bind rewrites ? placeholders as $1, $2 … on PostgreSQL. The module's statements
// have no literal question marks.
func (d sqlDialect) bind(q string) string {
	if !d.pg {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
