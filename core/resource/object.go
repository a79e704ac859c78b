// Package resource stores GDBOS's configuration as generic, versioned resources
// (kind, tenant, name, spec) in the Kubernetes style: a JSON Schema per kind, strict
// decoding, validation that reports every error with its path, history, diff and
// revert. A resource defined at a tenant is inherited by the tenant's descendants,
// which may override any field their ancestors did not lock.
package resource

import (
	"context"
	"time"

	"github.com/gdbos/gdbos/core/store/ent"
)

// DefaultAPIVersion is the apiVersion of kinds that do not name their own.
const DefaultAPIVersion = "gdbos.io/v1"

// Object is one layer of configuration: what one tenant defines for (kind, name).
type Object struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   Metadata       `json:"metadata"`
	Spec       map[string]any `json:"spec"`
	// Locks are JSON pointers into Spec ("/name", "/limits/days") that descendants
	// of Metadata.Tenant may not override.
	Locks []string `json:"locks,omitempty"`
}

// Metadata identifies an object and records its last change. Version, UpdatedAt and
// UpdatedBy are set by the service; values given on input are ignored.
type Metadata struct {
	Tenant    string            `json:"tenant"`
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels,omitempty"`
	Version   int               `json:"version,omitempty"`
	UpdatedAt time.Time         `json:"updatedAt,omitzero"`
	UpdatedBy string            `json:"updatedBy,omitempty"`
}

// Kind describes a resource kind: the schema of its spec and how it behaves.
type Kind struct {
	Name string
	// APIVersion defaults to DefaultAPIVersion.
	APIVersion string
	// Schema is a JSON Schema (draft 2020-12) for the spec.
	Schema []byte
	// Inheritable kinds apply along the tenant tree and honour locks; others apply
	// only at the tenant that defines them.
	Inheritable bool
	// Admit, when set, is asked inside Apply, after schema validation and lock
	// checks, whether obj may replace old (nil when obj is new). A non-nil error
	// refuses the whole batch.
	Admit func(ctx context.Context, obj Object, old *Object) error
	// Base names an inheritable kind whose layers of the same name come before this
	// kind's own along a tenant's lineage: the effective spec merges the base's
	// layers first, and the base's locks bind this kind's layers (a service item's
	// locked name binds every implementation of it). The base is registered first.
	Base string
	// OnChanges, when set, is called once per operation (an apply batch, a revert, a
	// delete) inside the writing transaction with every change of an object of this
	// kind, after the whole batch is written and before the effective specs are
	// validated, dry runs included: a module keeps tables derived from its kind in
	// step, in bulk, and may refuse the batch (an error rolls it back). Effective and
	// EffectiveEverywhere called with its ctx read through the transaction.
	OnChanges func(ctx context.Context, tx *ent.Tx, changes []Change) error
}

// Tenants is what the service needs to know about the tenant tree.
type Tenants interface {
	// LineageCodes returns the codes from the root down to code itself, and false
	// when code is not a tenant.
	LineageCodes(code string) ([]string, bool)
	// IsWithin reports whether code is ancestor or a descendant of it.
	IsWithin(code, ancestor string) bool
}

// Change is one object that an operation changed, handed to the OnChange hook.
type Change struct {
	// Op is "create", "update", "delete" or "revert".
	Op     string
	Object Object
	// Old is the previous state, nil when the object did not exist (or was deleted).
	Old   *Object
	Actor string
}

// OnChange is called inside the writing transaction for every object that changes;
// an error rolls the whole operation back.
type OnChange func(ctx context.Context, tx *ent.Tx, c Change) error

// The operations recorded in a version.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
	OpRevert = "revert"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// DryRun validates, checks locks and computes results, then rolls back.
	DryRun bool
	// Progress, when set, is called inside the transaction after each object is
	// written (done of total), for long batches that report how far they are.
	Progress func(done, total int)
}

// The outcomes of applying one object.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// ApplyResult says what Apply did (or, in a dry run, would do) with one object.
type ApplyResult struct {
	// Object is the object as stored, with its version.
	Object Object
	// Op is Created, Updated or Unchanged.
	Op   string
	Diff []DiffEntry
}

// DiffEntry is one difference between two objects.
type DiffEntry struct {
	// Op is "add", "remove" or "replace".
	Op string `json:"op"`
	// Path is "/spec/…", "/metadata/labels/…" or "/locks".
	Path string `json:"path"`
	Old  any    `json:"old,omitempty"`
	New  any    `json:"new,omitempty"`
}

// Version is one entry of an object's history.
type Version struct {
	Version   int
	Op        string
	Object    Object
	Author    string
	CreatedAt time.Time
	Deleted   bool
}

// ListOptions select objects for List. Empty fields match everything.
type ListOptions struct {
	Kind   string
	Tenant string
	// Subtree includes Tenant's descendants.
	Subtree bool
	Name    string
	// First caps the page size (0 means 100, the maximum is 1000).
	First int
	// After is the EndCursor of the previous page.
	After string
}

// Page is one page of a List.
type Page struct {
	Items     []Object
	HasNext   bool
	EndCursor string
	// Total counts every object matching the options, across all pages.
	Total int
}

// Effective is the configuration that applies at a tenant: every layer along its
// lineage merged, locks honoured.
type Effective struct {
	Kind   string
	Tenant string
	Name   string
	Spec   map[string]any
	// Layers are the tenants that contributed, root first.
	Layers []string
	// Locks maps each locked pointer to the tenant that locked it.
	Locks map[string]string
}

// Layer is one tenant's value for a field.
type Layer struct {
	Tenant string
	Value  any
}

// The statuses of a field in Explain.
const (
	Defined    = "defined"
	Overridden = "overridden"
	Inherited  = "inherited"
	LockedBy   = "locked"
)

// FieldOrigin says where one leaf field of an effective spec comes from.
type FieldOrigin struct {
	// Path is "/spec/…".
	Path  string
	Value any
	// Tenant is the tenant whose value is in effect.
	Tenant string
	// Status is Defined, Overridden, Inherited or LockedBy ("locked").
	Status   string
	LockedBy string
	// Shadowed lists overrides that a lock made ineffective.
	Shadowed []Layer
}
