package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store/ent"
	entresource "github.com/gdbos/gdbos/core/store/ent/resource"
)

// onItemChange re-projects the item's stored layers and every implementation of it
// (their name, type and category come from the item).
func (c *Catalog) onItemChange(ctx context.Context, tx *ent.Tx, ch resource.Change) error {
	code := ch.Object.Metadata.Name
	if err := c.projectItems(ctx, tx, code); err != nil {
		return err
	}
	return c.projectImplementations(ctx, tx, code, "")
}

// onImplementationChange checks the effective implementation at the changed tenant,
// then re-projects the layers at that tenant and below (they inherit from it).
func (c *Catalog) onImplementationChange(ctx context.Context, tx *ent.Tx, ch resource.Change) error {
	o := ch.Object
	if ch.Op != resource.OpDelete {
		eff, err := c.res.Effective(ctx, KindImplementation, o.Metadata.Tenant, o.Metadata.Name)
		if err != nil {
			return err
		}
		if err := c.checkImplementation(ctx, eff); err != nil {
			return err
		}
	}
	return c.projectImplementations(ctx, tx, o.Metadata.Name, o.Metadata.Tenant)
}

// storedTenants returns the tenants that store a current layer of (kind, name).
func storedTenants(ctx context.Context, tx *ent.Tx, kind, name string) ([]string, error) {
	return tx.Resource.Query().
		Where(entresource.KindEQ(kind), entresource.NameEQ(name), entresource.DeletedEQ(false)).
		Select(entresource.FieldTenant).Strings(ctx)
}

func (c *Catalog) projectItems(ctx context.Context, tx *ent.Tx, code string) error {
	if _, err := tx.ExecContext(ctx, c.bind(`DELETE FROM catalog_items WHERE code = ?`), code); err != nil {
		return fmt.Errorf("catalog: project item %s: %w", code, err)
	}
	tenants, err := storedTenants(ctx, tx, KindItem, code)
	if err != nil {
		return fmt.Errorf("catalog: project item %s: %w", code, err)
	}
	for _, t := range tenants {
		eff, err := c.res.Effective(ctx, KindItem, t, code)
		if err != nil {
			return err
		}
		s := eff.Spec
		_, err = tx.ExecContext(ctx, c.bind(`INSERT INTO catalog_items (tenant, depth, code, name, type, category, level, parent, handling)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			t, len(eff.Layers), code, str(s["name"]), str(s["type"]), str(s["category"]), str(s["level"]), str(s["parent"]), str(s["handling"]))
		if err != nil {
			return fmt.Errorf("catalog: project item %s at %s: %w", code, t, err)
		}
	}
	return nil
}

// projectImplementations rewrites the projection of every stored layer of the
// implementation code at under and below ("" for all tenants).
func (c *Catalog) projectImplementations(ctx context.Context, tx *ent.Tx, code, under string) error {
	tenants, err := storedTenants(ctx, tx, KindImplementation, code)
	if err != nil {
		return fmt.Errorf("catalog: project implementation %s: %w", code, err)
	}
	stored := map[string]bool{}
	for _, t := range tenants {
		if under != "" && !c.tenants.IsWithin(t, under) {
			continue
		}
		stored[t] = true
		eff, err := c.res.Effective(ctx, KindImplementation, t, code)
		if err != nil {
			return err
		}
		if err := c.upsertImplementation(ctx, tx, eff); err != nil {
			return err
		}
	}
	// Layers deleted at under and below leave the projection.
	rows, err := tx.QueryContext(ctx, c.bind(`SELECT id, tenant FROM catalog_impls WHERE code = ?`), code)
	if err != nil {
		return fmt.Errorf("catalog: project implementation %s: %w", code, err)
	}
	var gone []int64
	for rows.Next() {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			rows.Close()
			return err
		}
		if (under == "" || c.tenants.IsWithin(t, under)) && !stored[t] {
			gone = append(gone, id)
		}
	}
	rows.Close()
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, c.bind(`DELETE FROM catalog_impls WHERE id = ?`), id); err != nil {
			return err
		}
		if !c.pg {
			if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_fts WHERE rowid = ?`, id); err != nil {
				return err
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

func (c *Catalog) projection(ctx context.Context, eff resource.Effective) projected {
	s := eff.Spec
	body, _ := s["implementingBody"].(map[string]any)
	p := projected{
		tenant: eff.Tenant, depth: len(eff.Layers), code: eff.Name, name: str(s["name"]), typ: str(s["type"]),
		category: str(s["category"]), department: str(body["department"]), body: str(body["name"]),
		status: str(s["status"]), processing: str(s["processing"]),
		visits: num(s["visits"]), statutory: num(s["statutoryDays"]), promised: num(s["promisedDays"]),
	}
	if t, ok := c.tenants.Get(eff.Tenant); ok {
		p.path = t.Path
	}
	if lineage, ok := c.tenants.LineageCodes(eff.Tenant); ok {
		p.depth = len(lineage)
	}
	if p.status == "" {
		p.status = "active"
	}
	p.implCode = str(s["implementationCode"])
	if p.implCode == "" {
		p.implCode = c.computedCode(ctx, eff.Tenant, s, eff.Name)
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

func (c *Catalog) upsertImplementation(ctx context.Context, tx *ent.Tx, eff resource.Effective) error {
	p := c.projection(ctx, eff)
	terms := termSet(p.text)
	// FTS5 keeps positions: it gets the bigrams in order, so a phrase query finds
	// them adjacent; the PostgreSQL array is a set (adjacency is checked with LIKE).
	ordered := strings.Join(Terms(p.text), " ")
	cols := `tenant, path, depth, code, impl_code, name, type, category, department, body, status, visits, online, statutory_days, promised_days, processing, text, terms`
	args := []any{p.tenant, p.path, p.depth, p.code, p.implCode, p.name, p.typ, p.category, p.department, p.body, p.status,
		p.visits, p.online, p.statutory, p.promised, p.processing, p.text, ordered}
	set := `path = excluded.path, depth = excluded.depth, impl_code = excluded.impl_code, name = excluded.name, type = excluded.type,
		category = excluded.category, department = excluded.department, body = excluded.body, status = excluded.status,
		visits = excluded.visits, online = excluded.online, statutory_days = excluded.statutory_days,
		promised_days = excluded.promised_days, processing = excluded.processing, text = excluded.text, terms = excluded.terms`
	vals := placeholders(len(args))
	if c.pg {
		cols += `, term_set`
		vals += `, ?`
		set += `, term_set = excluded.term_set`
		args = append(args, terms)
	}
	q := c.bind(`INSERT INTO catalog_impls (` + cols + `) VALUES (` + vals + `) ON CONFLICT (tenant, code) DO UPDATE SET ` + set + ` RETURNING id`)
	id, err := scanID(ctx, tx, q, args...)
	if err != nil {
		return fmt.Errorf("catalog: project implementation %s at %s: %w", p.code, p.tenant, err)
	}
	if c.pg {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_fts WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("catalog: index implementation %s at %s: %w", p.code, p.tenant, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_fts (rowid, terms) VALUES (?, ?)`, id, ordered); err != nil {
		return fmt.Errorf("catalog: index implementation %s at %s: %w", p.code, p.tenant, err)
	}
	return nil
}

// scanID runs q, which returns one id, in tx.
func scanID(ctx context.Context, tx *ent.Tx, q string, args ...any) (int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("no id returned")
	}
	var id int64
	if err := rows.Scan(&id); err != nil {
		return 0, err
	}
	return id, rows.Close()
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
