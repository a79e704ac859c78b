package kernel

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/approval"
)

// The three administrators of the separation of duties (三员): configuration,
// permissions, audit. Their roles are created at every root tenant on first start.
const (
	RoleSystemAdmin   = "system-admin"
	RoleSecurityAdmin = "security-admin"
	RoleAuditAdmin    = "audit-admin"
)

// Approval actions.
const (
	approvalRetired  = "superadmin.retired"
	approvalReenable = "superadmin.reenable"
	// reenableWindow is how long a first approval waits for a second.
	reenableWindow = 24 * time.Hour
)

func builtinRoles(tenantCode string) []resource.Object {
	role := func(name, desc string, perms ...map[string]any) resource.Object {
		list := make([]any, len(perms))
		for i, p := range perms {
			list[i] = p
		}
		return resource.Object{
			APIVersion: resource.DefaultAPIVersion, Kind: "Role",
			Metadata: resource.Metadata{Tenant: tenantCode, Name: name, Labels: map[string]string{"gdbos.io/builtin": "true"}},
			Spec:     map[string]any{"description": desc, "permissions": list},
		}
	}
	perm := func(actions []any, resources ...any) map[string]any {
		return map[string]any{"resources": resources, "actions": actions}
	}
	rwd := []any{"read", "write", "delete"}
	read := []any{"read"}
	return []resource.Object{
		role(RoleSystemAdmin, "系统管理员: tenants, org units, users, tokens and configuration",
			perm(rwd, "tenants", "orgunits", "users", "tokens", "Module", "Classification", "IdentityProvider",
				"Calendar", "DataElement", "CodeTable", "EntitySchema", "DataLimits")),
		// One grants only what one holds (ADR 3), so whoever grants every permission
		// holds every permission — except the audit trail, which no wildcard covers.
		role(RoleSecurityAdmin, "安全管理员: roles, role bindings and policies; holds what it may grant, the audit trail excepted",
			perm([]any{"*"}, "*")),
		role(RoleAuditAdmin, "安全审计员: reads and verifies the audit log",
			perm(read, "audit", "tenants")),
	}
}

// ensureBuiltinRoles creates the three administrators' roles at every root tenant
// where they are missing; administrators may refine them afterwards.
func (k *Kernel) ensureBuiltinRoles(ctx context.Context) error {
	var missing []resource.Object
	for _, root := range k.tenants.Roots() {
		for _, r := range builtinRoles(root.Code) {
			_, err := k.resources.Get(ctx, "Role", root.Code, r.Metadata.Name)
			if apierr.CodeOf(err) == apierr.NotFound {
				missing = append(missing, r)
			} else if err != nil {
				return err
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err := k.resources.Apply(ctx, "system", missing, resource.ApplyOptions{})
	return err
}

// isBuiltinAdminRole reports whether role is one of the three administrators' built-in
// roles, as the kernel defines them at a root tenant.
func (k *Kernel) isBuiltinAdminRole(role resource.Object) bool {
	switch role.Metadata.Name {
	case RoleSystemAdmin, RoleSecurityAdmin, RoleAuditAdmin:
	default:
		return false
	}
	for _, r := range k.tenants.Roots() {
		if r.Code == role.Metadata.Tenant {
			return role.Metadata.Labels["gdbos.io/builtin"] == "true"
		}
	}
	return false
}

// admitAppointment checks a binding of one of the three administrators' roles, and
// any binding the bootstrap superadmin writes: the superadmin may appoint the three
// and nothing else, nobody may bind the superadmin, and no person holds two of the
// three duties.
func (k *Kernel) admitAppointment(ctx context.Context, obj resource.Object, bs bindingSpec, role resource.Object, superadmin bool) error {
	var l apierr.FieldList
	builtin := k.isBuiltinAdminRole(role)
	if superadmin && (!builtin || obj.Metadata.Tenant != role.Metadata.Tenant) {
		return apierr.New(apierr.Forbidden, "the bootstrap superadmin may only bind the system-admin, security-admin and audit-admin roles of a root tenant; %s is not one of them", bs.Role)
	}
	for i, s := range bs.Subjects {
		if s.Kind == "User" && s.Name == identity.AdminUsername {
			l.Add(fmt.Sprintf("/spec/subjects/%d/name", i), "the bootstrap superadmin holds no roles; appoint the three administrators instead")
		}
	}
	if err := l.Err("invalid role binding"); err != nil || !builtin {
		return err
	}
	others := map[string]string{} // user → the other administrator role they hold
	err := k.eachResource(ctx, "RoleBinding", func(o resource.Object) {
		if o.Metadata.Tenant == obj.Metadata.Tenant && o.Metadata.Name == obj.Metadata.Name {
			return // the binding being replaced
		}
		b := bindingOf(o)
		if b.Role == role.Metadata.Name || (b.Role != RoleSystemAdmin && b.Role != RoleSecurityAdmin && b.Role != RoleAuditAdmin) {
			return
		}
		for _, u := range b.Users {
			others[u] = b.Role
		}
	})
	if err != nil {
		return err
	}
	for i, s := range bs.Subjects {
		if other, ok := others[s.Name]; ok && s.Kind == "User" {
			l.Add(fmt.Sprintf("/spec/subjects/%d/name", i), "%s is already bound to %s; the three administrators are three different people", s.Name, other)
		}
	}
	if len(l) > 0 {
		return &apierr.Error{Code: apierr.Forbidden, Message: "separation of duties: one person holds one administrator role", Fields: l}
	}
	return nil
}

// exportable leaves the built-in roles and the appointments of the three
// administrators out of exports: every installation creates the roles on first start
// and its own superadmin appoints its own administrators, so a backup applied
// elsewhere neither needs nor may carry them (the security administrator cannot
// grant the audit trail).
func (k *Kernel) exportable(ctx context.Context, o resource.Object) bool {
	if o.Metadata.Labels["gdbos.io/builtin"] == "true" {
		return false
	}
	if o.Kind != "RoleBinding" {
		return true
	}
	role, err := k.findRole(ctx, o.Metadata.Tenant, bindingOf(o).Role, bindingOf(o).RoleTenant)
	return err != nil || !k.isBuiltinAdminRole(role)
}

// threeAdministrators reports whether each built-in role is bound, at a root tenant,
// to someone other than the bootstrap superadmin.
func (k *Kernel) threeAdministrators(ctx context.Context) (bool, error) {
	roots := map[string]bool{}
	for _, r := range k.tenants.Roots() {
		roots[r.Code] = true
	}
	bound := map[string]bool{}
	err := k.eachResource(ctx, "RoleBinding", func(o resource.Object) {
		if !roots[o.Metadata.Tenant] {
			return
		}
		b := bindingOf(o)
		for _, u := range b.Users {
			if u != identity.AdminUsername {
				bound[b.Role] = true
			}
		}
	})
	return bound[RoleSystemAdmin] && bound[RoleSecurityAdmin] && bound[RoleAuditAdmin], err
}

// retireSuperadmin disables the bootstrap superadmin, once, when the three
// administrators exist: from then on nobody holds every permission.
func (k *Kernel) retireSuperadmin(ctx context.Context) {
	// The after-commit reload and the event's may both get here: the second waits for
	// the first, so that neither returns while the superadmin is still enabled.
	k.retiring.Lock()
	defer k.retiring.Unlock()
	ready, err := k.threeAdministrators(ctx)
	if err != nil || !ready {
		return
	}
	n, err := k.store.Client.Approval.Query().Where(approval.ActionEQ(approvalRetired)).Count(ctx)
	if err != nil || n > 0 {
		return
	}
	err = k.store.Tx(ctx, func(tx *ent.Tx) error {
		return tx.Approval.Create().SetAction(approvalRetired).SetApprover("system").Exec(ctx)
	})
	if err == nil {
		err = k.identity.SetDisabled(ctx, "system", identity.AdminUsername, true)
	}
	if err != nil {
		k.log.ErrorContext(ctx, "retiring the superadmin failed", slog.Any("err", err))
		return
	}
	k.log.InfoContext(ctx, "the three administrators exist: the bootstrap superadmin is disabled")
}

// ApproveSuperadmin records one administrator's consent to re-enable the bootstrap
// superadmin; the second consent from another administrator re-enables it. It
// reports whether the superadmin is enabled now.
func (k *Kernel) ApproveSuperadmin(ctx context.Context, approver string) (bool, error) {
	if approver == identity.AdminUsername {
		return false, apierr.New(apierr.Forbidden, "the superadmin cannot approve its own return")
	}
	enabled := false
	err := k.store.Tx(ctx, func(tx *ent.Tx) error {
		since := time.Now().Add(-reenableWindow)
		open, err := tx.Approval.Query().Where(approval.ActionEQ(approvalReenable), approval.ConsumedAtIsNil(), approval.CreatedAtGT(since)).All(ctx)
		if err != nil {
			return fmt.Errorf("kernel: read approvals: %w", err)
		}
		for _, a := range open {
			if a.Approver == approver {
				return apierr.New(apierr.Conflict, "%s has already approved; a second administrator must approve", approver)
			}
		}
		if err := tx.Approval.Create().SetAction(approvalReenable).SetApprover(approver).Exec(ctx); err != nil {
			return fmt.Errorf("kernel: record approval: %w", err)
		}
		if len(open) == 0 {
			return nil
		}
		enabled = true
		_, err = tx.Approval.Update().Where(approval.ActionEQ(approvalReenable), approval.ConsumedAtIsNil()).SetConsumedAt(time.Now()).Save(ctx)
		return err
	})
	if err != nil || !enabled {
		return false, err
	}
	return true, k.identity.SetDisabled(ctx, approver, identity.AdminUsername, false)
}

// approveSuperadminField is the mutation through which the three administrators
// bring the retired superadmin back, two of them agreeing.
func (k *Kernel) approveSuperadminField() *graphql.Field {
	return &graphql.Field{
		Type:        graphql.NewNonNull(graphql.Boolean),
		Description: "Consent, as one of the three administrators, to re-enable the bootstrap superadmin; true once two have consented.",
		Resolve: func(p graphql.ResolveParams) (any, error) {
			c := graph.CallerFrom(p.Context)
			if !k.isAdministrator(c) {
				return nil, apierr.New(apierr.Forbidden, "only the system, security or audit administrator may approve")
			}
			return k.ApproveSuperadmin(p.Context, c.Principal.Username)
		},
	}
}

// isAdministrator reports whether the caller holds, at every root, what one of the
// three administrators holds.
func (k *Kernel) isAdministrator(c *graph.Caller) bool {
	if !c.Authenticated || c.Principal.Superadmin {
		return false
	}
	sub := graph.Subject(c.Principal)
	for _, duty := range [][2]string{{"tenants", "write"}, {"RoleBinding", "write"}, {"audit", "read"}} {
		all := true
		for _, r := range k.tenants.Roots() {
			if !k.authz.Allowed(sub, r.Code, duty[0], duty[1]) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
