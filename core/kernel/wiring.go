package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/oidc"
	"github.com/gdbos/gdbos/core/plugin"
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
	{"EntitySchema", false},
	{"DataLimits", true},
	{"DataElement", true},
	{"CodeTable", true},
	{"Calendar", true},
	{plugin.KindPlugin, false},
	{plugin.KindGrant, true},
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
		case "EntitySchema":
			kind.Admit = k.admitEntitySchema
		case "DataLimits":
			kind.Admit = admitDataLimits
		case "DataElement":
			kind.Admit = k.admitDataElement
		case "CodeTable":
			kind.Admit = k.admitCodeTable
		case "Calendar":
			kind.Admit = admitCalendar
		case plugin.KindPlugin:
			kind.Admit = k.plugins.AdmitPlugin(k.isRootTenant)
		case plugin.KindGrant:
			kind.Admit = k.plugins.AdmitGrant
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
	if o.Kind == "EntitySchema" {
		if err := k.syncEntity(ctx, tx, c); err != nil {
			return err
		}
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
	k.events.Subscribe("", k.plugins.Dispatch)
	k.events.Subscribe("tenant.", func(ctx context.Context, _ event.Event) {
		if err := k.tenants.Reload(ctx); err != nil {
			k.log.ErrorContext(ctx, "reloading tenants failed", slog.Any("err", err))
		}
		k.resources.InvalidateAll() // effective specs follow lineages
	})
}

// reloadable are the kinds that reloadFor rebuilds something for.
var reloadable = map[string]bool{"Role": true, "RoleBinding": true, "Policy": true, "Calendar": true,
	"DataElement": true, "CodeTable": true, "EntitySchema": true, plugin.KindPlugin: true, plugin.KindGrant: true}

// scheduleReload asks the reloader to rebuild what depends on kind soon; a burst of
// events (a batch of 10,000 bindings on another replica) costs one reload.
func (k *Kernel) scheduleReload(kind string) {
	if !reloadable[kind] {
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
	case "EntitySchema":
		if err := k.ReloadEntities(ctx); err != nil {
			k.log.ErrorContext(ctx, "reloading entities failed", slog.Any("err", err))
		}
	case "DataElement", "CodeTable":
		k.standards().invalidate()
	case "Calendar":
		k.invalidateCalendars()
	case plugin.KindPlugin, plugin.KindGrant:
		k.reloadPlugins(ctx, kind)
	}
}
