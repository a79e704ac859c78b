package graph

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/policy"
	"github.com/gdbos/gdbos/core/resource"
)

// checkGuards asks the guard policies along the object's tenant path whether the
// caller may do action to it; a refusal carries every reason the guards gave and is
// audited.
func (g *Graph) checkGuards(ctx context.Context, action string, o resource.Object) error {
	if g.svc.Policies == nil {
		return nil
	}
	lineage, ok := g.svc.Tenants.LineageCodes(o.Metadata.Tenant)
	if !ok {
		return nil // validation reports the unknown tenant
	}
	var obj map[string]any
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	c := CallerFrom(ctx)
	sub := Subject(c.Principal)
	reasons, err := g.svc.Policies.Guard(ctx, lineage, policy.GuardInput{
		Subject: policySubject(sub, nil), Action: action, Kind: o.Kind, Tenant: o.Metadata.Tenant, Object: obj,
	})
	if err != nil || len(reasons) == 0 {
		return err
	}
	if err := g.svc.Audit.Record(ctx, audit.Entry{
		Actor: c.Principal.Username, Action: "policy.denied", Tenant: o.Metadata.Tenant,
		Target: o.Kind + "/" + o.Metadata.Name, Outcome: "denied", Detail: map[string]any{"reasons": reasons, "action": action},
	}); err != nil {
		g.log.ErrorContext(ctx, "audit: recording a guard's refusal failed", slog.Any("err", err))
	}
	return &apierr.Error{
		Code:    apierr.Forbidden,
		Message: "refused by policy: " + strings.Join(reasons, "; "),
		Details: map[string]any{"reasons": reasons},
	}
}

// allowUser evaluates the rows policies on one user record, for single reads and
// for writes to it: a record a policy hides cannot be changed either.
func (g *Graph) allowUser(ctx context.Context, u identity.User) error {
	if g.svc.Policies == nil || u.HomeTenant == "" {
		return nil
	}
	lineage, ok := g.svc.Tenants.LineageCodes(u.HomeTenant)
	if !ok {
		return nil
	}
	sub := Subject(CallerFrom(ctx).Principal)
	roots := g.svc.Authz.TenantsWithPermission(sub, "users", "read")
	row := map[string]any{"tenant": u.HomeTenant, "path": u.HomePath, "username": u.Username, "disabled": u.Disabled, "superadmin": u.Superadmin}
	ok, err := g.svc.Policies.AllowRow(ctx, "User", lineage, policySubject(sub, roots), row)
	if err != nil {
		return err
	}
	if !ok {
		return apierr.New(apierr.Forbidden, "a row policy keeps user %s from you", u.Username)
	}
	return nil
}
