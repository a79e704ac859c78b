package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store/ent"
)

// projectChunk bounds the rows of one multi-row statement (18 values a row stays
// under SQLite's and PostgreSQL's limits on bind parameters).
const projectChunk = 400

func changedNames(changes []resource.Change) []string {
	out := make([]string, 0, len(changes))
	for _, ch := range changes {
		out = append(out, ch.Object.Metadata.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// onItemChanges re-projects the changed items at every tenant that stores them and
// every implementation of them (their name, type and category come from the item).
func (c *Catalog) onItemChanges(ctx context.Context, tx *ent.Tx, changes []resource.Change) error {
	codes := changedNames(changes)
	effs, err := c.res.EffectiveEverywhere(ctx, KindItem, codes)
	if err != nil {
		return err
	}
	for i := 0; i < len(codes); i += projectChunk {
		chunk := codes[i:min(i+projectChunk, len(codes))]
		if _, err := tx.ExecContext(ctx, c.bind(`DELETE FROM catalog_items WHERE code IN (`+placeholders(len(chunk))+`)`), anys(chunk)...); err != nil {
			return fmt.Errorf("catalog: project items: %w", err)
		}
	}
	var rows [][]any
	for _, code := range codes {
		for _, e := range effs[code] {
			s := e.Spec
			rows = append(rows, []any{e.Tenant, c.depth(e.Tenant), code, str(s["name"]), str(s["type"]), str(s["category"]),
				str(s["level"]), str(s["parent"]), str(s["handling"])})
		}
	}
	if err := c.insertRows(ctx, tx, `INSERT INTO catalog_items (tenant, depth, code, name, type, category, level, parent, handling) VALUES `, rows, ""); err != nil {
		return fmt.Errorf("catalog: project items: %w", err)
	}
	impls, err := c.res.EffectiveEverywhere(ctx, KindImplementation, codes)
	if err != nil {
		return err
	}
	return c.project(ctx, tx, codes, impls, newSettingsMemo(c))
}

// onImplementationChanges checks every changed implementation's effective spec,
// then re-projects every stored layer of the changed codes (layers below a changed
// one inherit from it).
func (c *Catalog) onImplementationChanges(ctx context.Context, tx *ent.Tx, changes []resource.Change) error {
	codes := changedNames(changes)
	effs, err := c.res.EffectiveEverywhere(ctx, KindImplementation, codes)
	if err != nil {
		return err
	}
	changed := map[[2]string]bool{}
	for _, ch := range changes {
		if ch.Op != resource.OpDelete {
			changed[[2]string{ch.Object.Metadata.Tenant, ch.Object.Metadata.Name}] = true
		}
	}
	memo := newSettingsMemo(c)
	var errs apierr.FieldList
	var first string
	for _, code := range codes {
		for _, e := range effs[code] {
			if !changed[[2]string{e.Tenant, code}] {
				continue
			}
			problems, err := c.checkImplementation(ctx, e, memo)
			if err != nil {
				return err
			}
			prefix := ""
			if len(changed) > 1 {
				prefix = "/" + e.Tenant + "/" + code
			}
			for _, p := range problems {
				if first == "" {
					first = fmt.Sprintf("%s %q is not valid at tenant %s", KindImplementation, code, e.Tenant)
				}
				errs = append(errs, apierr.FieldError{Path: prefix + p.Path, Message: p.Message})
			}
		}
	}
	if len(errs) > 0 {
		if len(changed) > 1 {
			first = fmt.Sprintf("%d problem(s) in the implementations; the first: %s", len(errs), first)
		}
		return errs.Err(first)
	}
	return c.project(ctx, tx, codes, effs, memo)
}

// project rewrites the projection of codes from effs (every stored layer of each
// code): rows of layers no longer stored go, the others are upserted.
func (c *Catalog) project(ctx context.Context, tx *ent.Tx, codes []string, effs map[string][]resource.Effective, memo *settingsMemo) error {
	keep := map[[2]string]bool{}
	var all []projected
	for _, code := range codes {
		for _, e := range effs[code] {
			keep[[2]string{e.Tenant, code}] = true
			all = append(all, c.projection(ctx, e, memo))
		}
	}
	if err := c.dropGone(ctx, tx, codes, keep); err != nil {
		return err
	}
	for i := 0; i < len(all); i += projectChunk {
		if err := c.upsert(ctx, tx, all[i:min(i+projectChunk, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) dropGone(ctx context.Context, tx *ent.Tx, codes []string, keep map[[2]string]bool) error {
	var gone []any
	for i := 0; i < len(codes); i += projectChunk {
		chunk := codes[i:min(i+projectChunk, len(codes))]
		rows, err := tx.QueryContext(ctx, c.bind(`SELECT id, tenant, code FROM catalog_impls WHERE code IN (`+placeholders(len(chunk))+`)`), anys(chunk)...)
		if err != nil {
			return fmt.Errorf("catalog: project implementations: %w", err)
		}
		for rows.Next() {
			var id int64
			var t, code string
			if err := rows.Scan(&id, &t, &code); err != nil {
				rows.Close()
				return err
			}
			if !keep[[2]string{t, code}] {
				gone = append(gone, id)
			}
		}
		rows.Close()
	}
	for i := 0; i < len(gone); i += projectChunk {
		ids := gone[i:min(i+projectChunk, len(gone))]
		if _, err := tx.ExecContext(ctx, c.bind(`DELETE FROM catalog_impls WHERE id IN (`+placeholders(len(ids))+`)`), ids...); err != nil {
			return fmt.Errorf("catalog: project implementations: %w", err)
		}
		if !c.pg {
			if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_fts WHERE rowid IN (`+placeholders(len(ids))+`)`, ids...); err != nil {
				return fmt.Errorf("catalog: unindex implementations: %w", err)
			}
		}
	}
	return nil
}

// projected is one row of catalog_impls.
type projected struct {
	tenant, path, code, implCode, name, typ, category, department, body, status, processing, text string
	depth, visits, statutory, promised                                                            int
	online                                                                                        bool
}

func (c *Catalog) depth(tenantCode string) int {
	lineage, _ := c.tenants.LineageCodes(tenantCode)
	return len(lineage)
}

func (c *Catalog) projection(ctx context.Context, eff resource.Effective, memo *settingsMemo) projected {
	s := eff.Spec
	body, _ := s["implementingBody"].(map[string]any)
	p := projected{
		tenant: eff.Tenant, depth: c.depth(eff.Tenant), code: eff.Name, name: str(s["name"]), typ: str(s["type"]),
		category: str(s["category"]), department: str(body["department"]), body: str(body["name"]),
		status: str(s["status"]), processing: str(s["processing"]),
		visits: num(s["visits"]), statutory: num(s["statutoryDays"]), promised: num(s["promisedDays"]),
	}
	if t, ok := c.tenants.Get(eff.Tenant); ok {
		p.path = t.Path
	}
	if p.status == "" {
		p.status = "active"
	}
	p.implCode = str(s["implementationCode"])
	if p.implCode == "" {
		p.implCode = c.computedCode(ctx, eff.Tenant, s, eff.Name, memo)
	}
	p.online = p.visits == 0 && str(s["onlineURL"]) != ""
	p.text = strings.ToLower(searchText(s))
	return p
}

// searchText is what search looks in: the name, acceptance conditions and
// materials, one line each.
func searchText(s map[string]any) string {
	parts := []string{str(s["name"])}
	for _, v := range list(s["conditions"]) {
		parts = append(parts, str(v))
	}
	for _, v := range list(s["materials"]) {
		if m, ok := v.(map[string]any); ok {
			parts = append(parts, str(m["name"]))
		}
	}
	return strings.Join(parts, "\n")
}

const implInsertColumns = `tenant, path, depth, code, impl_code, name, type, category, department, body, status, visits, online, statutory_days, promised_days, processing, text, terms`

// upsert writes rows of catalog_impls in one statement and, on SQLite, their FTS5
// entries in another. FTS5 gets the bigrams in order, so a phrase query finds them
// adjacent; the PostgreSQL array is a set (adjacency is checked with LIKE).
func (c *Catalog) upsert(ctx context.Context, tx *ent.Tx, ps []projected) error {
	cols := implInsertColumns
	if c.pg {
		cols += `, term_set`
	}
	var rows [][]any
	ordered := map[[2]string]string{}
	for _, p := range ps {
		scope := scopeTerms(p.path)
		terms := strings.Join(append(Terms(p.text), scope...), " ")
		ordered[[2]string{p.tenant, p.code}] = terms
		row := []any{p.tenant, p.path, p.depth, p.code, p.implCode, p.name, p.typ, p.category, p.department, p.body, p.status,
			p.visits, p.online, p.statutory, p.promised, p.processing, p.text, terms}
		if c.pg {
			row = append(row, append(termSet(p.text), scope...))
		}
		rows = append(rows, row)
	}
	set := []string{}
	for _, col := range strings.Split(cols, ", ")[1:] {
		if col != "code" {
			set = append(set, col+" = excluded."+col)
		}
	}
	q, args := c.valuesSQL(`INSERT INTO catalog_impls (`+cols+`) VALUES `, rows)
	q += ` ON CONFLICT (tenant, code) DO UPDATE SET ` + strings.Join(set, ", ") + ` RETURNING id, tenant, code`
	res, err := tx.QueryContext(ctx, c.bind(q), args...)
	if err != nil {
		return fmt.Errorf("catalog: project implementations: %w", err)
	}
	var fts [][]any
	for res.Next() {
		var id int64
		var t, code string
		if err := res.Scan(&id, &t, &code); err != nil {
			res.Close()
			return err
		}
		fts = append(fts, []any{id, ordered[[2]string{t, code}]})
	}
	if err := res.Close(); err != nil {
		return err
	}
	if c.pg {
		return nil
	}
	if err := c.insertRows(ctx, tx, `INSERT OR REPLACE INTO catalog_fts (rowid, terms) VALUES `, fts, ""); err != nil {
		return fmt.Errorf("catalog: index implementations: %w", err)
	}
	return nil
}

// scopeTerms are the index terms that place a row in the subtree of every tenant of
// its path, so a search within a county intersects the county's term with the
// words' instead of filtering the province's matches (docs/adr/0031).
func scopeTerms(path string) []string {
	var out []string
	for _, t := range strings.Split(strings.Trim(path, "/"), "/") {
		if t != "" {
			out = append(out, scopePrefix+t)
		}
	}
	return out
}

// scopePrefix starts scope terms; Terms of a query never yields it with digits
// alone, and a user who types it only narrows to a subtree they may read anyway.
const scopePrefix = "tenant"

// valuesSQL appends "(?, …), (?, …)" for rows to q.
func (c *Catalog) valuesSQL(q string, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString(q)
	var args []any
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(len(r)) + ")")
		args = append(args, r...)
	}
	return b.String(), args
}

// insertRows runs a multi-row INSERT of rows, projectChunk rows at a time.
func (c *Catalog) insertRows(ctx context.Context, tx *ent.Tx, q string, rows [][]any, suffix string) error {
	for i := 0; i < len(rows); i += projectChunk {
		s, args := c.valuesSQL(q, rows[i:min(i+projectChunk, len(rows))])
		if _, err := tx.ExecContext(ctx, c.bind(s+suffix), args...); err != nil {
			return err
		}
	}
	return nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// notFoundAt is NOT_FOUND for a code at a tenant.
func notFoundAt(kind, tenant, code string) error {
	return apierr.New(apierr.NotFound, "%s %q not found at tenant %s", kind, code, tenant)
}
