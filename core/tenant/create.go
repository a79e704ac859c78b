package tenant

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/division"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	enttenant "github.com/gdbos/gdbos/core/store/ent/tenant"
)

// Create adds t to the tree. Code must be a valid division code not yet taken
// (CONFLICT otherwise); Level, when given, must match the code; Parent defaults to
// the code's implied parent and must exist, be active, and sit one level above
// (division.ValidateChild) with a code the child's digits extend. Every problem is
// reported at once (VALIDATION_FAILED with paths "/code", "/name", "/level",
// "/parent"). Path and Status are computed; Successor is ignored.
func (s *Service) Create(ctx context.Context, actor string, t Tenant) (Tenant, error) {
	var out Tenant
	err := s.st.Tx(ctx, func(tx *ent.Tx) error {
		var err error
		if out, err = prepareCreate(ctx, tx, t); err != nil {
			return err
		}
		if err := insertTenant(ctx, tx, out); err != nil {
			return err
		}
		return s.notify(withActor(ctx, actor), tx, TopicCreated, out)
	})
	if err != nil {
		return Tenant{}, err
	}
	s.afterWrite(ctx, out, true)
	return out, nil
}

// afterWrite brings the tree up to date after a commit; when the change does not fit
// the tree (another replica changed the table meanwhile) it reloads instead.
func (s *Service) afterWrite(ctx context.Context, t Tenant, created bool) {
	s.mu.Lock()
	var ok bool
	if created {
		ok = s.tree.insert(t)
	} else {
		ok = s.tree.update(t)
	}
	s.gen.Add(1)
	s.mu.Unlock()
	if !ok {
		_ = s.Reload(ctx) // the write committed; a failed reload leaves the old tree until the next one
	}
}

func prepareCreate(ctx context.Context, tx *ent.Tx, t Tenant) (Tenant, error) {
	var errs apierr.FieldList
	out := Tenant{Code: t.Code, Name: strings.TrimSpace(t.Name), Level: t.Level, Parent: t.Parent, Status: StatusActive}
	if out.Name == "" {
		errs.Add("/name", "is required")
	}
	if t.Level != "" && !t.Level.Valid() {
		errs.Add("/level", "must be nation, province, city, county or township")
		out.Level = ""
	}
	implied := false
	level, err := division.Parse(t.Code)
	if err != nil {
		errs.Add("/code", "%v", err)
	} else {
		if out.Level != "" && out.Level != level {
			errs.Add("/level", "is %s but code %s is a %s", t.Level, t.Code, level)
		}
		out.Level = level
		if out.Parent == "" {
			out.Parent, implied = division.ImpliedParent(t.Code), true
		}
	}
	if err := checkParent(ctx, tx, &out, implied, &errs); err != nil {
		return Tenant{}, err
	}
	if err := errs.Err("tenant: invalid tenant"); err != nil {
		return Tenant{}, err
	}
	taken, err := tx.Tenant.Query().Where(enttenant.ID(out.Code)).Exist(ctx)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant: look up %s: %w", out.Code, err)
	}
	if taken {
		return Tenant{}, apierr.New(apierr.Conflict, "tenant %s already exists", out.Code)
	}
	return out, nil
}

// checkParent validates out.Parent against the table and sets out.Path. It returns
// an error only when the database fails.
func checkParent(ctx context.Context, tx *ent.Tx, out *Tenant, implied bool, errs *apierr.FieldList) error {
	out.Path = "/" + out.Code + "/"
	if out.Parent == "" {
		if out.Level != "" && out.Level != division.Nation && out.Level != division.Province {
			errs.Add("/parent", "is required for a %s", out.Level)
		}
		return nil
	}
	p, err := tx.Tenant.Get(ctx, out.Parent)
	if ent.IsNotFound(err) && implied {
		errs.Add("/parent", "is required: the parent %s implied by the code does not exist", out.Parent)
		return nil
	}
	if ent.IsNotFound(err) {
		errs.Add("/parent", "tenant %s does not exist", out.Parent)
		return nil
	}
	if err != nil {
		return fmt.Errorf("tenant: look up parent %s: %w", out.Parent, err)
	}
	parent := fromEnt(p)
	if !parent.Active() {
		errs.Add("/parent", "tenant %s is %s", parent.Code, parent.Status)
	}
	if out.Level != "" {
		if err := division.ValidateChild(parent.Level, out.Level); err != nil {
			errs.Add("/parent", "a %s cannot sit directly below the %s %s", out.Level, parent.Level, parent.Code)
		}
		if prefix := division.Prefix(parent.Code); !strings.HasPrefix(out.Code, prefix) {
			errs.Add("/parent", "code %s does not extend the digits %s of %s", out.Code, prefix, parent.Code)
		}
	}
	out.Path = parent.Path + out.Code + "/"
	return nil
}

func insertTenant(ctx context.Context, tx *ent.Tx, t Tenant) error {
	_, err := createBuilder(tx, t).Save(ctx)
	if store.IsUniqueViolation(err) {
		return apierr.Wrap(apierr.Conflict, err, "tenant %s already exists", t.Code)
	}
	if err != nil {
		return fmt.Errorf("tenant: insert %s: %w", t.Code, err)
	}
	return nil
}

func createBuilder(tx *ent.Tx, t Tenant) *ent.TenantCreate {
	return tx.Tenant.Create().
		SetID(t.Code).
		SetName(t.Name).
		SetLevel(string(t.Level)).
		SetParentCode(t.Parent).
		SetPath(t.Path).
		SetStatus(t.Status)
}
