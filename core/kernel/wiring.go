package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/authz"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/mask"
	"github.com/gdbos/gdbos/core/oidc"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/tenant"
	"github.com/gdbos/gdbos/schemas"
)

// Event topics the kernel emits.
const (
	TopicResourceChanged = "resource.changed"
)

// ResourceEvent is the payload of resource.changed.
type ResourceEvent struct {
	Kind    string `json:"kind"`
	Tenant  string `json:"tenant"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	Op      string `json:"op"`
}

// kernelKinds are the kinds every kernel has, with their JSON Schemas in schemas/kinds.
var kernelKinds = []struct {
	name        string
	inheritable bool
}{
	{"Module", true},
	{"Role", false},
	{"RoleBinding", false},
	{"Classification", true},
	{"Policy", false},
	{"IdentityProvider", false},
}

func (k *Kernel) registerKernelKinds() error {
	for _, kk := range kernelKinds {
		schema, err := schemas.FS.ReadFile("kinds/" + kk.name + ".json")
		if err != nil {
			return fmt.Errorf("kernel: schema of %s: %w", kk.name, err)
		}
		kind := resource.Kind{Name: kk.name, APIVersion: resource.DefaultAPIVersion, Schema: schema, Inheritable: kk.inheritable}
		switch kk.name {
		case "Role":
			kind.Admit = k.admitRole
		case "RoleBinding":
			kind.Admit = k.admitBinding
		case "Classification":
			kind.Admit = admitClassification
		case "Policy":
			kind.Admit = admitPolicy
		case "IdentityProvider":
			kind.Admit = oidc.Admit(k.tenants, k.canGrantRole)
		}
		if err := k.resources.RegisterKind(kind); err != nil {
			return err
		}
	}
	return nil
}

// onResourceChange writes the audit entry and the event of a change in its
// transaction, and after commit wakes the dispatcher and, for roles and bindings,
// reloads the authorizer so that the writer's next request sees the change.
func (k *Kernel) onResourceChange(ctx context.Context, tx *ent.Tx, c resource.Change) error {
	o := c.Object
	if err := k.audit.Append(ctx, tx, audit.Entry{
		Time: time.Now(), Actor: c.Actor, Action: "resource." + c.Op, Tenant: o.Metadata.Tenant,
		Target: o.Kind + "/" + o.Metadata.Name, Outcome: "ok", Detail: map[string]any{"version": o.Metadata.Version},
	}); err != nil {
		return err
	}
	ev := ResourceEvent{Kind: o.Kind, Tenant: o.Metadata.Tenant, Name: o.Metadata.Name, Version: o.Metadata.Version, Op: c.Op}
	if err := k.events.Emit(ctx, tx, TopicResourceChanged, o.Metadata.Tenant, ev); err != nil {
		return err
	}
	k.afterCommit(tx, o.Kind)
	return nil
}

// afterCommit arranges, once per transaction, that after it commits the dispatcher
// wakes and what is built from the kinds it changed is reloaded — once per kind, not
// once per object, so a batch of 10,000 bindings reloads the authorizer once.
func (k *Kernel) afterCommit(tx *ent.Tx, kind string) {
	kinds, loaded := k.pendingKinds.LoadOrStore(tx, &sync.Map{})
	kinds.(*sync.Map).Store(kind, true)
	if loaded {
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			defer k.pendingKinds.Delete(tx)
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			k.events.Kick()
			kinds.(*sync.Map).Range(func(kind, _ any) bool {
				k.reloadFor(context.WithoutCancel(ctx), kind.(string))
				return true
			})
			return nil
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			k.pendingKinds.Delete(tx)
			return next.Rollback(ctx, tx)
		})
	})
}

func (k *Kernel) onTenantChange(ctx context.Context, tx *ent.Tx, topic string, t tenant.Tenant) error {
	if err := k.audit.Append(ctx, tx, audit.Entry{
		Time: time.Now(), Actor: "system", Action: topic, Tenant: t.Code, Target: "Tenant/" + t.Code, Outcome: "ok",
		Detail: map[string]any{"name": t.Name, "status": t.Status, "successor": t.Successor},
	}); err != nil {
		return err
	}
	if err := k.events.Emit(ctx, tx, topic, t.Code, t); err != nil {
		return err
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				k.events.Kick()
			}
			return err
		})
	})
	return nil
}

// subscribe keeps this replica's caches in step with changes made on any replica.
func (k *Kernel) subscribe() {
	k.events.Subscribe(TopicResourceChanged, func(ctx context.Context, e event.Event) {
		var ev ResourceEvent
		if err := json.Unmarshal(e.Payload, &ev); err != nil {
			k.log.WarnContext(ctx, "malformed resource event", slog.Any("err", err))
			k.resources.InvalidateAll()
			return
		}
		k.resources.Invalidate(ev.Kind, ev.Name)
		k.scheduleReload(ev.Kind)
	})
	k.events.Subscribe("tenant.", func(ctx context.Context, _ event.Event) {
		if err := k.tenants.Reload(ctx); err != nil {
			k.log.ErrorContext(ctx, "reloading tenants failed", slog.Any("err", err))
		}
		k.resources.InvalidateAll() // effective specs follow lineages
	})
}

// scheduleReload asks the reloader to rebuild what depends on kind soon; a burst of
// events (a batch of 10,000 bindings on another replica) costs one reload.
func (k *Kernel) scheduleReload(kind string) {
	if kind != "Role" && kind != "RoleBinding" && kind != "Policy" {
		return
	}
	k.dirty.Store(kind, true)
	select {
	case k.reloadWake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// reloader rebuilds what the scheduled kinds feed until ctx ends.
func (k *Kernel) reloader(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-k.reloadWake:
		}
		k.dirty.Range(func(kind, _ any) bool {
			k.dirty.Delete(kind)
			k.reloadFor(ctx, kind.(string))
			return true
		})
	}
}

// reloadFor brings what is built from resources of a kind up to date after a change.
func (k *Kernel) reloadFor(ctx context.Context, kind string) {
	switch kind {
	case "Role", "RoleBinding":
		if err := k.ReloadAuthz(ctx); err != nil {
			k.log.ErrorContext(ctx, "reloading authorization failed", slog.Any("err", err))
		}
		k.retireSuperadmin(ctx)
	case "Policy":
		_ = k.ReloadPolicies(ctx) // logged inside; the previous set stays in force
	}
}

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
	after := ""
	for {
		page, err := k.resources.List(ctx, resource.ListOptions{Kind: kind, First: 1000, After: after})
		if err != nil {
			return fmt.Errorf("kernel: list %s: %w", kind, err)
		}
		for _, o := range page.Items {
			fn(o)
		}
		if !page.HasNext {
			return nil
		}
		after = page.EndCursor
	}
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
	if !c.Authenticated {
		return nil
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
