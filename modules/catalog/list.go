package catalog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// Implementation is one implementation as lists show it: the projection of the
// effective implementation stored at Tenant.
type Implementation struct {
	ID                 int64
	Tenant             string
	Code               string
	ImplementationCode string
	Name               string
	Type               string
	Category           string
	Department         string
	Body               string
	Status             string
	Visits             int
	Online             bool
	StatutoryDays      int
	PromisedDays       int
	Processing         string
}

const implColumns = `id, tenant, code, impl_code, name, type, category, department, body, status, visits, online, statutory_days, promised_days, processing`

func scanImplementations(rows *sql.Rows) ([]Implementation, error) {
	defer rows.Close()
	var out []Implementation
	for rows.Next() {
		var i Implementation
		if err := rows.Scan(&i.ID, &i.Tenant, &i.Code, &i.ImplementationCode, &i.Name, &i.Type, &i.Category, &i.Department,
			&i.Body, &i.Status, &i.Visits, &i.Online, &i.StatutoryDays, &i.PromisedDays, &i.Processing); err != nil {
			return nil, fmt.Errorf("catalog: read implementations: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// Filter narrows a list or a search.
type Filter struct {
	Department string
	Type       string
	Category   string
	OnlineOnly bool
}

func (f Filter) where(alias string) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		conds = append(conds, alias+cond)
		args = append(args, v)
	}
	if f.Department != "" {
		add("department = ?", f.Department)
	}
	if f.Type != "" {
		add("type = ?", f.Type)
	}
	if f.Category != "" {
		add("category = ?", f.Category)
	}
	if f.OnlineOnly {
		add("online = ?", true)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(conds, " AND "), args
}

// Page is one page of implementations; Total counts every match, lazily.
type Page struct {
	Items     []Implementation
	HasNext   bool
	EndCursor string
	Total     func(ctx context.Context) (int, error)
	key       func(Implementation) string
}

// Effective returns the implementation list in force at tenant: for every item, the
// active implementation stored at the deepest tenant of its lineage (a district's
// own, else the city's, else the province's). Retired implementations (devolved
// away) do not count; ordered by 基本编码.
func (c *Catalog) Effective(ctx context.Context, tenantCode string, f Filter, first int, after string) (Page, error) {
	lineage, ok := c.tenants.LineageCodes(tenantCode)
	if !ok {
		return Page{}, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	cur, err := decodeCursor(after)
	if err != nil {
		return Page{}, err
	}
	// A row is in force when no active row of the same code sits deeper on the
	// lineage. NOT EXISTS probes the code index per row, and the outer scan can walk
	// codes in order and stop at the page's end (a window function sorts them all).
	in := placeholders(len(lineage))
	args := anys(lineage)
	fw, fargs := f.where("i.")
	base := `FROM catalog_impls i WHERE i.status = 'active' AND i.tenant IN (` + in + `)` + fw +
		` AND NOT EXISTS (SELECT 1 FROM catalog_impls j WHERE j.code = i.code AND j.status = 'active' AND j.depth > i.depth AND j.tenant IN (` + in + `))`
	countArgs := append(append(append([]any{}, args...), fargs...), args...)
	cols := "i." + strings.ReplaceAll(implColumns, ", ", ", i.")
	q := `SELECT ` + cols + ` ` + base
	pageArgs := append([]any{}, countArgs...)
	if cur != "" {
		q += ` AND i.code > ?`
		pageArgs = append(pageArgs, cur)
	}
	n := pageSize(first)
	q += ` ORDER BY i.code LIMIT ?`
	pageArgs = append(pageArgs, n+1)
	page, err := c.page(ctx, q, pageArgs, n, func(i Implementation) string { return i.Code })
	if err != nil {
		return Page{}, err
	}
	page.Total = c.counter(`SELECT COUNT(*) `+base, countArgs)
	return page, nil
}

// Stored lists the implementations stored at tenant (and below it, with subtree),
// ordered by tenant and 基本编码.
func (c *Catalog) Stored(ctx context.Context, tenantCode string, subtree bool, f Filter, first int, after string) (Page, error) {
	t, ok := c.tenants.Get(tenantCode)
	if !ok {
		return Page{}, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	cur, err := decodeCursor(after)
	if err != nil {
		return Page{}, err
	}
	where := `WHERE tenant = ?`
	args := []any{tenantCode}
	if subtree {
		cond, cargs := c.pathWithin("path", t.Path)
		where, args = `WHERE `+cond, cargs
	}
	fw, fargs := f.where("")
	where += fw
	args = append(args, fargs...)
	q := `SELECT ` + implColumns + ` FROM catalog_impls ` + where
	pageArgs := append([]any{}, args...)
	if cur != "" {
		ct, cc, _ := strings.Cut(cur, "|")
		q += ` AND (tenant > ? OR (tenant = ? AND code > ?))`
		pageArgs = append(pageArgs, ct, ct, cc)
	}
	n := pageSize(first)
	q += ` ORDER BY tenant, code LIMIT ?`
	pageArgs = append(pageArgs, n+1)
	page, err := c.page(ctx, q, pageArgs, n, func(i Implementation) string { return i.Tenant + "|" + i.Code })
	if err != nil {
		return Page{}, err
	}
	page.Total = c.counter(`SELECT COUNT(*) FROM catalog_impls `+where, args)
	return page, nil
}

func (c *Catalog) page(ctx context.Context, q string, args []any, n int, key func(Implementation) string) (Page, error) {
	rows, err := c.st.DB.QueryContext(ctx, c.bind(q), args...)
	if err != nil {
		return Page{}, fmt.Errorf("catalog: list: %w", err)
	}
	items, err := scanImplementations(rows)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items, key: key}
	if len(items) > n {
		p.Items, p.HasNext = items[:n], true
	}
	if len(p.Items) > 0 {
		p.EndCursor = encodeCursor(key(p.Items[len(p.Items)-1]))
	}
	return p, nil
}

func (c *Catalog) counter(q string, args []any) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		var n int
		if err := c.st.DB.QueryRowContext(ctx, c.bind(q), args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("catalog: count: %w", err)
		}
		return n, nil
	}
}

// Page sizes of the module's lists.
const (
	defaultPage = 50
	maxPage     = 1000
)

func pageSize(first int) int {
	if first <= 0 {
		return defaultPage
	}
	return min(first, maxPage)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 {
		return "", apierr.Invalid("invalid cursor", []apierr.FieldError{{Path: "after", Message: "is not a cursor from this list"}})
	}
	return string(b), nil
}

// likePrefix is a LIKE pattern matching strings that start with p; tenant paths
// hold only digits and slashes, so nothing needs escaping.
func likePrefix(p string) string { return p + "%" }

// pathWithin is a condition that col lies in the subtree of the tenant path p. On
// SQLite LIKE uses no index (it is case-insensitive by default), and a subtree
// without implementations then scanned every row in list order: a range on the
// BINARY-collated path uses the path index ('0' is the byte after '/'). PostgreSQL
// keeps LIKE, whose meaning does not depend on the database's collation.
func (d sqlDialect) pathWithin(col, p string) (string, []any) {
	if d.pg {
		return col + ` LIKE ?`, []any{likePrefix(p)}
	}
	return col + ` >= ? AND ` + col + ` < ?`, []any{p, p[:len(p)-1] + "0"}
}

// likeContains is a LIKE pattern (with ESCAPE '\') matching strings that contain s.
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
