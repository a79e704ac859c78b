// Package catalog is GDBOS's government service-item module (政务服务事项): the basic
// catalog (ServiceItem) defined at the province, implementation lists
// (ServiceImplementation) at every tier with the 四级四同 fields locked, devolution
// (下放) from a city to its districts, service guides (办事指南) and search.
//
// Implementations build on items (resource.Kind.Base): the effective implementation
// at a tenant is the item's layers merged with the implementation's, so the item's
// locks bind every implementation through the kernel's own lock check. The module
// keeps a projection of every stored implementation (catalog_impls) in step inside
// the writing transaction, for lists and search at scale.
package catalog

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"

	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/tenant"
)

// ID is the module's identifier; "catalog" is the name of the Module resource that
// enables it at a tenant.
const ID = "gdbos.modules.catalog"

// The module's resource kinds.
const (
	KindItem           = "ServiceItem"
	KindImplementation = "ServiceImplementation"
)

// Area is the permission area of the module's GraphQL fields that are not a kind
// (devolution, search, lists, statistics).
const Area = "catalog"

//go:embed kinds
var kindFS embed.FS

// Catalog is the module. The zero value is ready for Provision.
type Catalog struct {
	host     module.Host
	res      *resource.Service
	tenants  *tenant.Service
	st       *store.Store
	log      *slog.Logger
	itemKind resource.Kind
	implKind resource.Kind
	opts     Options
	demoDone chan struct{}
	// running holds the progress of devolutions in flight (id → *progress);
	// background counts the asynchronous ones, which Cleanup waits for.
	running    sync.Map
	background sync.WaitGroup
	sqlDialect
}

// Options configure the module.
type Options struct {
	// Demo loads the generated Harbin catalog (GenerateDemo) in the background
	// once the kernel starts, unless the database already holds it.
	Demo bool
}

// New returns the module, without side effects.
func New(opts ...Options) *Catalog {
	c := &Catalog{}
	if len(opts) > 0 {
		c.opts = opts[0]
	}
	return c
}

// Start begins the demo load when asked for.
func (c *Catalog) Start(ctx context.Context) error {
	if c.opts.Demo {
		c.loadDemoInBackground(ctx)
	}
	return nil
}

// Cleanup waits for a demo load in progress (its context ends with the kernel).
func (c *Catalog) Cleanup() error {
	if c.demoDone != nil {
		<-c.demoDone
	}
	c.background.Wait()
	return nil
}

// Info describes the module.
func (*Catalog) Info() module.Info {
	return module.Info{
		ID:          ID,
		Name:        "Service-item catalog",
		Description: "政务服务事项: basic catalog, implementation lists per tier with 四级四同 locks, devolution, service guides, search, online rate",
	}
}

// Provision registers the kinds, migrates the module's tables and adds the GraphQL
// fields and permissions.
func (c *Catalog) Provision(ctx context.Context, h module.Host) error {
	c.host, c.res, c.tenants, c.st, c.log = h, h.Resources(), h.Tenants(), h.Store(), h.Logger()
	c.sqlDialect = sqlDialect{pg: c.st.IsPostgres()}
	itemSchema, implSchema, err := kindSchemas()
	if err != nil {
		return err
	}
	c.itemKind = resource.Kind{Name: KindItem, Schema: itemSchema, Inheritable: true, Admit: c.admitItem, OnChanges: c.onItemChanges}
	c.implKind = resource.Kind{Name: KindImplementation, Schema: implSchema, Inheritable: true, Base: KindItem,
		Admit: c.admitImplementation, OnChanges: c.onImplementationChanges}
	if err := h.RegisterKind(c.itemKind); err != nil {
		return err
	}
	if err := h.RegisterKind(c.implKind); err != nil {
		return err
	}
	listSchema, err := kindFS.ReadFile("kinds/ServiceList.json")
	if err != nil {
		return err
	}
	if err := h.RegisterKind(resource.Kind{Name: KindList, Schema: listSchema, Admit: c.admitList}); err != nil {
		return err
	}
	if err := c.migrate(ctx); err != nil {
		return err
	}
	h.Subscribe(TopicCaseSubmitted, c.onCase)
	if err := h.Handle("GET /guide/{tenant}/{code}", http.HandlerFunc(c.serveGuide)); err != nil {
		return err
	}
	for _, p := range permissions {
		if err := h.RegisterPermission(p); err != nil {
			return err
		}
	}
	return c.addFields()
}

var permissions = []module.Permission{
	{On: KindItem, Actions: []string{"read", "write", "delete"}, Description: "the basic catalog (基本目录)"},
	{On: KindImplementation, Actions: []string{"read", "write", "delete"}, Description: "implementation lists (实施清单)"},
	{On: KindList, Actions: []string{"read", "write", "delete"}, Description: "curated lists (办事不求人)"},
	{On: Area, Actions: []string{"read", "write"}, Description: "devolution and statistics (网办率) of the catalog"},
}

// kindSchemas returns the JSON Schemas of the two kinds. An implementation's schema is
// the item's with the implementation's fields added: its effective spec holds both.
func kindSchemas() (item, impl []byte, err error) {
	item, err = kindFS.ReadFile("kinds/ServiceItem.json")
	if err != nil {
		return nil, nil, err
	}
	raw, err := kindFS.ReadFile("kinds/implementation-fields.json")
	if err != nil {
		return nil, nil, err
	}
	var doc map[string]any
	var fields map[string]any
	if err := json.Unmarshal(item, &doc); err != nil {
		return nil, nil, fmt.Errorf("catalog: ServiceItem schema: %w", err)
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, nil, fmt.Errorf("catalog: implementation fields: %w", err)
	}
	props := maps.Clone(doc["properties"].(map[string]any))
	maps.Copy(props, fields)
	doc["properties"] = props
	doc["title"] = KindImplementation
	doc["description"] = "An entry of an implementation list (实施清单): one per tenant and item; metadata.name is the item's 基本编码."
	doc["required"] = []string{"code", "name", "type", "legalBasis", "tiers", "implementingBody", "statutoryDays", "promisedDays", "processing", "visits"}
	impl, err = json.Marshal(doc)
	return item, impl, err
}

// interface guards
var (
	_ module.Module       = (*Catalog)(nil)
	_ module.Provisioner  = (*Catalog)(nil)
	_ module.Starter      = (*Catalog)(nil)
	_ module.CleanerUpper = (*Catalog)(nil)
)
