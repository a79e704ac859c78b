package catalog

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gdbos/gdbos/core/apierr"
)

// Search finds active implementations stored at tenant and below whose name,
// acceptance conditions or materials contain every word of query (a run of Chinese
// characters must appear as written). SQLite answers from an FTS5 index of bigrams,
// PostgreSQL from a GIN index over the same bigrams, then checks adjacency with
// LIKE (docs/adr/0031). Results come in the order they were indexed.
func (c *Catalog) Search(ctx context.Context, tenantCode, query string, f Filter, first int, after string) (Page, error) {
	t, ok := c.tenants.Get(tenantCode)
	if !ok {
		return Page{}, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	query = strings.TrimSpace(query)
	if query == "" || utf8.RuneCountInString(query) > 100 {
		return Page{}, apierr.Invalid("invalid search", []apierr.FieldError{{Path: "query", Message: "must be 1 to 100 characters"}})
	}
	cur, err := decodeCursor(after)
	if err != nil {
		return Page{}, err
	}
	var afterID int64
	if cur != "" {
		if afterID, err = strconv.ParseInt(cur, 10, 64); err != nil {
			return Page{}, apierr.Invalid("invalid cursor", []apierr.FieldError{{Path: "after", Message: "is not a cursor from this search"}})
		}
	}
	words := strings.Fields(query)
	from, where, args, order := c.matchClause(words, scopePrefix+tenantCode)
	where += ` AND i.path LIKE ? AND i.status = 'active'`
	args = append(args, likePrefix(t.Path))
	fw, fargs := f.where("i.")
	where += fw
	args = append(args, fargs...)
	cols := "i." + strings.ReplaceAll(implColumns, ", ", ", i.")
	q := `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + where
	pageArgs := append([]any{}, args...)
	if afterID > 0 {
		q += ` AND ` + order + ` > ?`
		pageArgs = append(pageArgs, afterID)
	}
	n := pageSize(first)
	q += ` ORDER BY ` + order + ` LIMIT ?`
	pageArgs = append(pageArgs, n+1)
	page, err := c.page(ctx, q, pageArgs, n, func(i Implementation) string { return strconv.FormatInt(i.ID, 10) })
	if err != nil {
		return Page{}, err
	}
	page.Total = c.counter(`SELECT COUNT(*) FROM `+from+` WHERE `+where, args)
	return page, nil
}

// matchClause returns the FROM and WHERE parts that match every word within the
// scope term's subtree, and the column results are ordered by. SQLite drives the
// query from FTS5 in rowid order, so a LIMIT stops it early; a word of one Chinese
// character has no bigram and is matched with LIKE alone.
func (c *Catalog) matchClause(words []string, scope string) (from, where string, args []any, order string) {
	var indexed []string
	var conds []string
	for _, w := range words {
		conds = append(conds, `i.text LIKE ? ESCAPE '\'`)
		args = append(args, likeContains(strings.ToLower(w)))
		if ts := Terms(w); len(ts) > 1 || (len(ts) == 1 && utf8.RuneCountInString(ts[0]) > 1) {
			indexed = append(indexed, w)
		}
	}
	like := strings.Join(conds, " AND ")
	if c.pg {
		terms := []string{scope}
		for _, w := range indexed {
			terms = append(terms, Terms(w)...)
		}
		return `catalog_impls i`, `i.term_set @> ? AND ` + like, append([]any{terms}, args...), `i.id`
	}
	match := scope
	if q := ftsQuery(strings.Join(indexed, " ")); q != "" {
		match = q + " AND " + scope
	}
	return `catalog_fts f JOIN catalog_impls i ON i.id = f.rowid`, `catalog_fts MATCH ? AND ` + like,
		append([]any{match}, args...), `f.rowid`
}
