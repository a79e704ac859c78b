package graph

import (
	"context"
	"strings"

	"github.com/gdbos/gdbos/core/entity"
)

// Masked fields are hidden from every use that would reveal them: a caller who sees
// an ID number masked may not filter, order, group or aggregate on it either, or a
// filter on its first digits, one digit at a time, would read it back. A field is
// hidden in a data API when, at the API's tenant or at any tenant below it that
// classifies the entity, it is personal or sensitive and the caller may not unmask
// the entity there.

// hidden is the entity.HiddenFunc of the caller in this API, with its answers kept
// for the request.
func (d dataTable) hidden(ctx context.Context) entity.HiddenFunc {
	l := loaderFrom(ctx)
	return func(ent string, f entity.Field) bool {
		h, err := l.hidden(ctx, d, TypeName(ent), storedName(f))
		// A classification that cannot be read hides the field: the mask would not
		// be applied either.
		return err != nil || h
	}
}

// hidden reports whether field of typ is hidden from the caller in d's API.
func (l *loader) hidden(ctx context.Context, d dataTable, typ, field string) (bool, error) {
	key := [3]string{typ, d.t.Code, field}
	l.mu.Lock()
	h, ok := l.hide[key]
	l.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := d.g.hiddenIn(ctx, d, typ, field)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	l.hide[key] = h
	l.mu.Unlock()
	return h, nil
}

func (g *Graph) hiddenIn(ctx context.Context, d dataTable, typ, field string) (bool, error) {
	layered, err := g.svc.Resources.Tenants(ctx, "Classification", typ)
	if err != nil {
		return false, err
	}
	tenants := []string{d.t.Code}
	for _, code := range layered {
		if t, ok := g.svc.Tenants.Get(code); ok && code != d.t.Code && strings.HasPrefix(t.Path, d.t.Path) {
			tenants = append(tenants, code)
		}
	}
	for _, code := range tenants {
		fc, err := g.classOf(ctx, typ, code, field)
		if err != nil {
			return false, err
		}
		if (fc.Level == "personal" || fc.Level == "sensitive") && !g.allowed(ctx, code, typ, "unmask") {
			return true, nil
		}
	}
	return false, nil
}
