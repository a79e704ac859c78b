package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/authz"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/mask"
	"github.com/gdbos/gdbos/core/resource"
)

// ReloadAuthz rebuilds the authorizer from every Role and RoleBinding resource.
func (k *Kernel) ReloadAuthz(ctx context.Context) error {
	roles, bindings, err := k.loadRBAC(ctx)
	if err != nil {
		return err
	}
	if err := k.authz.Load(roles, bindings); err != nil {
		return err
	}
	for _, p := range k.authz.Problems() {
		k.log.WarnContext(ctx, "authorization", slog.String("problem", p))
	}
	return nil
}

func (k *Kernel) loadRBAC(ctx context.Context) ([]authz.Role, []authz.Binding, error) {
	var roles []authz.Role
	var bindings []authz.Binding
	if err := k.eachResource(ctx, "Role", func(o resource.Object) { roles = append(roles, roleOf(o)) }); err != nil {
		return nil, nil, err
	}
	if err := k.eachResource(ctx, "RoleBinding", func(o resource.Object) { bindings = append(bindings, bindingOf(o)) }); err != nil {
		return nil, nil, err
	}
	return roles, bindings, nil
}

// eachResource calls fn for every current resource of a kind, at every tenant.
func (k *Kernel) eachResource(ctx context.Context, kind string, fn func(resource.Object)) error {
	objs, err := k.resources.All(ctx, kind)
	if err != nil {
		return fmt.Errorf("kernel: read %s: %w", kind, err)
	}
	for _, o := range objs {
		fn(o)
	}
	return nil
}

// roleSpec and bindingSpec mirror schemas/kinds/Role.json and RoleBinding.json.
type roleSpec struct {
	Permissions []struct {
		Resources []string `json:"resources"`
		Actions   []string `json:"actions"`
	} `json:"permissions"`
}

type bindingSpec struct {
	Role       string `json:"role"`
	RoleTenant string `json:"roleTenant"`
	Subjects   []struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"subjects"`
}

func decodeSpec(spec map[string]any, into any) {
	b, _ := json.Marshal(spec)
	_ = json.Unmarshal(b, into) // the schema already validated the shape
}

func permissionsOf(spec map[string]any) []authz.Permission {
	var rs roleSpec
	decodeSpec(spec, &rs)
	var out []authz.Permission
	for _, p := range rs.Permissions {
		for _, on := range p.Resources {
			for _, a := range p.Actions {
				out = append(out, authz.Permission{On: on, Action: a})
			}
		}
	}
	return out
}

func roleOf(o resource.Object) authz.Role {
	return authz.Role{Tenant: o.Metadata.Tenant, Name: o.Metadata.Name, Permissions: permissionsOf(o.Spec)}
}

func bindingOf(o resource.Object) authz.Binding {
	var bs bindingSpec
	decodeSpec(o.Spec, &bs)
	b := authz.Binding{Tenant: o.Metadata.Tenant, Name: o.Metadata.Name, Role: bs.Role, RoleTenant: bs.RoleTenant}
	for _, s := range bs.Subjects {
		if s.Kind == "User" {
			b.Users = append(b.Users, s.Name)
		}
	}
	return b
}

// admitRole refuses a role that holds permissions its writer does not hold: bound
// somewhere, it would hand them on.
func (k *Kernel) admitRole(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	if err := checkDuties("role "+obj.Metadata.Name, permissionsOf(obj.Spec)); err != nil {
		return err
	}
	c := graph.CallerFrom(ctx)
	if !c.Authenticated {
		return nil // the kernel itself (bootstrap, demo)
	}
	return k.authz.CanGrant(graph.Subject(c.Principal), obj.Metadata.Tenant, permissionsOf(obj.Spec))
}

// admitBinding refuses a binding that grants what its writer does not hold, and one
// whose role cannot be found.
func (k *Kernel) admitBinding(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	var bs bindingSpec
	decodeSpec(obj.Spec, &bs)
	role, err := k.findRole(ctx, obj.Metadata.Tenant, bs.Role, bs.RoleTenant)
	if err != nil {
		return err
	}
	if err := k.checkSubjectDuties(ctx, obj, bs, permissionsOf(role.Spec)); err != nil {
		return err
	}
	c := graph.CallerFrom(ctx)
	superadmin := c.Authenticated && c.Principal.Superadmin
	if err := k.admitAppointment(ctx, obj, bs, role, superadmin); err != nil {
		return err
	}
	if !c.Authenticated || superadmin {
		return nil // the kernel itself, or the superadmin appointing an administrator
	}
	return k.authz.CanGrant(graph.Subject(c.Principal), obj.Metadata.Tenant, permissionsOf(role.Spec))
}

// findRole resolves a binding's role: at roleTenant when given, else at the nearest
// tenant on the binding's path that defines it.
func (k *Kernel) findRole(ctx context.Context, bindingTenant, name, roleTenant string) (resource.Object, error) {
	notFound := apierr.Invalid("invalid role binding", []apierr.FieldError{{Path: "/spec/role", Message: fmt.Sprintf("no role %q at %s or above it (apply the Role first)", name, bindingTenant)}})
	lineage, ok := k.tenants.LineageCodes(bindingTenant)
	if !ok {
		return resource.Object{}, notFound
	}
	if roleTenant != "" {
		if !k.tenants.IsWithin(bindingTenant, roleTenant) {
			return resource.Object{}, apierr.Invalid("invalid role binding", []apierr.FieldError{{Path: "/spec/roleTenant", Message: "must be the binding's tenant or one above it"}})
		}
		lineage = []string{roleTenant}
	}
	for i := len(lineage) - 1; i >= 0; i-- {
		o, err := k.resources.Get(ctx, "Role", lineage[i], name)
		if err == nil {
			return o, nil
		}
		if apierr.CodeOf(err) != apierr.NotFound {
			return resource.Object{}, err
		}
	}
	return resource.Object{}, notFound
}

// admitClassification checks each mask rule beyond what the JSON Schema can say.
func admitClassification(_ context.Context, obj resource.Object, _ *resource.Object) error {
	var spec struct {
		Fields map[string]struct {
			Mask mask.Rule `json:"mask"`
		} `json:"fields"`
	}
	decodeSpec(obj.Spec, &spec)
	var l apierr.FieldList
	for _, name := range slices.Sorted(maps.Keys(spec.Fields)) {
		if err := spec.Fields[name].Mask.Check(); err != nil {
			l.Add("/spec/fields/"+name+"/mask", "%v", err)
		}
	}
	return l.Err("invalid classification")
}

// checkSubjectDuties refuses a binding that would give one of its users, together
// with what they already hold through other bindings, both conflicting duties. It
// reads the authorizer's index, so its cost does not grow with the number of
// bindings. (Held counts the binding being replaced too: an update that moves a user
// from one duty to the other is refused; delete and re-create it instead.)
func (k *Kernel) checkSubjectDuties(_ context.Context, _ resource.Object, bs bindingSpec, perms []authz.Permission) error {
	for _, s := range bs.Subjects {
		if s.Kind != "User" {
			continue
		}
		if err := checkDuties("user "+s.Name+" with this binding", append(k.authz.Held(s.Name), perms...)); err != nil {
			return err
		}
	}
	return nil
}

// canGrantRole is what admitBinding asks, for a role named by another resource (an
// identity provider's group bindings): the role must exist and the caller must hold
// everything it grants at tenantCode.
func (k *Kernel) canGrantRole(ctx context.Context, tenantCode, role string) error {
	r, err := k.findRole(ctx, tenantCode, role, "")
	if err != nil {
		return err
	}
	c := graph.CallerFrom(ctx)
	if !c.Authenticated {
		return nil
	}
	return k.authz.CanGrant(graph.Subject(c.Principal), tenantCode, permissionsOf(r.Spec))
}
