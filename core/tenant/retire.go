package tenant

import (
	"context"
	"fmt"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	enttenant "github.com/gdbos/gdbos/core/store/ent/tenant"
)

// Retire takes code out of service and records the successor that replaced it. The
// successor, when given, must exist and be active (VALIDATION_FAILED at
// "/successor"); empty means the division was abolished without one. A tenant that is
// unknown is NOT_FOUND; one already retired or with active children is CONFLICT.
func (s *Service) Retire(ctx context.Context, actor, code, successor string) (Tenant, error) {
	var out Tenant
	err := s.st.Tx(ctx, func(tx *ent.Tx) error {
		var err error
		if out, err = prepareRetire(ctx, tx, code, successor); err != nil {
			return err
		}
		_, err = tx.Tenant.UpdateOneID(code).SetStatus(StatusRetired).SetSuccessor(successor).Save(ctx)
		if err != nil {
			return fmt.Errorf("tenant: retire %s: %w", code, err)
		}
		return s.notify(withActor(ctx, actor), tx, TopicRetired, out)
	})
	if err != nil {
		return Tenant{}, err
	}
	s.afterWrite(ctx, out, false)
	return out, nil
}

func prepareRetire(ctx context.Context, tx *ent.Tx, code, successor string) (Tenant, error) {
	row, err := tx.Tenant.Get(ctx, code)
	if ent.IsNotFound(err) {
		return Tenant{}, apierr.New(apierr.NotFound, "tenant %s does not exist", code)
	}
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant: look up %s: %w", code, err)
	}
	t := fromEnt(row)
	if !t.Active() {
		return Tenant{}, apierr.New(apierr.Conflict, "tenant %s is already %s", code, t.Status)
	}
	if err := checkSuccessor(ctx, tx, code, successor); err != nil {
		return Tenant{}, err
	}
	active, err := tx.Tenant.Query().Where(enttenant.ParentCode(code), enttenant.Status(StatusActive)).Count(ctx)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant: count children of %s: %w", code, err)
	}
	if active > 0 {
		return Tenant{}, apierr.New(apierr.Conflict, "tenant %s has %d active children; retire them first", code, active)
	}
	t.Status, t.Successor = StatusRetired, successor
	return t, nil
}

func checkSuccessor(ctx context.Context, tx *ent.Tx, code, successor string) error {
	if successor == "" {
		return nil
	}
	var errs apierr.FieldList
	switch succ, err := tx.Tenant.Get(ctx, successor); {
	case successor == code:
		errs.Add("/successor", "cannot be the retired tenant itself")
	case ent.IsNotFound(err):
		errs.Add("/successor", "tenant %s does not exist", successor)
	case err != nil:
		return fmt.Errorf("tenant: look up successor %s: %w", successor, err)
	case succ.Status != StatusActive:
		errs.Add("/successor", "tenant %s is %s", successor, succ.Status)
	}
	return errs.Err("tenant: invalid retirement")
}
