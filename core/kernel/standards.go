package kernel

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/standard"
	"github.com/gdbos/gdbos/schemas"
)

// shippedStandards is the catalog of shipped code tables and data elements; it is
// the same embedded data for every kernel of the process.
var shippedStandards = sync.OnceValues(func() (*standard.Catalog, error) {
	return standard.LoadCatalog(schemas.FS)
})

// standardCache holds the compiled data elements and code tables in effect at each
// tenant. It is emptied whenever a DataElement, CodeTable or tenant changes on any
// replica: changes are rare and compiling is cheap.
type standardCache struct {
	mu       sync.RWMutex
	elements map[[2]string]*standard.Element
	tables   map[[2]string]*standard.CodeTable
}

// watchStandards empties the standards cache when a DataElement, CodeTable or tenant
// changes, here or on another replica.
func (k *Kernel) watchStandards() {
	sc := k.standardCache
	k.events.Subscribe(TopicResourceChanged, func(_ context.Context, e event.Event) {
		var ev ResourceEvent
		if json.Unmarshal(e.Payload, &ev) != nil || ev.Kind == standard.KindDataElement || ev.Kind == standard.KindCodeTable {
			sc.invalidate()
		}
	})
	k.events.Subscribe("tenant.", func(context.Context, event.Event) { sc.invalidate() })
}

// standards returns the kernel's cache of compiled standards.
func (k *Kernel) standards() *standardCache { return k.standardCache }

func (c *standardCache) invalidate() {
	c.mu.Lock()
	c.elements, c.tables = nil, nil
	c.mu.Unlock()
}

// Element returns the data element called name in effect at tenant: the shipped one,
// if any, with the tenant lineage's DataElement resources layered over it. Entity
// schemas check field values with it.
func (k *Kernel) Element(ctx context.Context, tenantCode, name string) (*standard.Element, error) {
	c, key := k.standards(), [2]string{tenantCode, name}
	c.mu.RLock()
	e := c.elements[key]
	c.mu.RUnlock()
	if e != nil {
		return e, nil
	}
	spec, err := k.effectiveStandard(ctx, standard.KindDataElement, tenantCode, name)
	if err != nil {
		return nil, err
	}
	if e, err = standard.CompileSpec(name, spec, tenantTables{ctx: ctx, k: k, tenant: tenantCode}); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.elements == nil {
		c.elements = map[[2]string]*standard.Element{}
	}
	c.elements[key] = e
	c.mu.Unlock()
	return e, nil
}

// CodeTable returns the code table called name in effect at tenant, built like Element.
func (k *Kernel) CodeTable(ctx context.Context, tenantCode, name string) (*standard.CodeTable, error) {
	c, key := k.standards(), [2]string{tenantCode, name}
	c.mu.RLock()
	t := c.tables[key]
	c.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	spec, err := k.effectiveStandard(ctx, standard.KindCodeTable, tenantCode, name)
	if err != nil {
		return nil, err
	}
	if t, err = standard.BuildCodeTable(name, spec); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.tables == nil {
		c.tables = map[[2]string]*standard.CodeTable{}
	}
	c.tables[key] = t
	c.mu.Unlock()
	return t, nil
}

// effectiveStandard layers the effective resource over the shipped spec.
func (k *Kernel) effectiveStandard(ctx context.Context, kind, tenantCode, name string) (map[string]any, error) {
	shipped, err := shippedSpec(kind, name)
	if err != nil {
		return nil, err
	}
	eff, err := k.resources.Effective(ctx, kind, tenantCode, name)
	switch {
	case err == nil:
		return standard.Layer(shipped, eff.Spec), nil
	case apierr.CodeOf(err) == apierr.NotFound && shipped != nil:
		if _, ok := k.tenants.Get(tenantCode); !ok {
			return nil, apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
		}
		return shipped, nil
	}
	return nil, err
}

func shippedSpec(kind, name string) (map[string]any, error) {
	cat, err := shippedStandards()
	if err != nil {
		return nil, err
	}
	if kind == standard.KindDataElement {
		return cat.ElementSpec(name), nil
	}
	return cat.TableSpec(name), nil
}

// tenantTables finds the code tables a data element refers to: in effect at tenant,
// or, while admitting (admitting set), as they stand inside the applying transaction.
type tenantTables struct {
	ctx       context.Context
	k         *Kernel
	tenant    string
	admitting bool
}

func (t tenantTables) CodeTable(name string) (*standard.CodeTable, error) {
	if !t.admitting {
		return t.k.CodeTable(t.ctx, t.tenant, name)
	}
	spec, err := t.k.layeredInTx(t.ctx, standard.KindCodeTable, t.tenant, name, true)
	if err != nil {
		return nil, err
	}
	if spec == nil {
		return nil, apierr.New(apierr.NotFound, "there is no code table %s at tenant %s", name, t.tenant)
	}
	return standard.BuildCodeTable(name, spec)
}

// layeredInTx layers the shipped spec and the resources of tenant's ancestors (and
// of tenant itself when self) as the applying transaction sees them; nil when there
// is none. Locks are not applied: this is for admission, which judges the result.
func (k *Kernel) layeredInTx(ctx context.Context, kind, tenantCode, name string, self bool) (map[string]any, error) {
	spec, err := shippedSpec(kind, name)
	if err != nil {
		return nil, err
	}
	lineage, _ := k.tenants.LineageCodes(tenantCode)
	if !self && len(lineage) > 0 {
		lineage = lineage[:len(lineage)-1]
	}
	for _, code := range lineage {
		o, err := k.resources.Get(ctx, kind, code, name)
		if apierr.CodeOf(err) == apierr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		spec = standard.Layer(spec, o.Spec)
	}
	return spec, nil
}

// admitDataElement compiles the element as it will be in effect at its tenant, so a
// pattern that does not compile, minimum above maximum or an unknown code table is
// refused with every path.
func (k *Kernel) admitDataElement(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	base, err := k.layeredInTx(ctx, standard.KindDataElement, obj.Metadata.Tenant, obj.Metadata.Name, false)
	if err != nil {
		return err
	}
	tables := tenantTables{ctx: ctx, k: k, tenant: obj.Metadata.Tenant, admitting: true}
	_, err = standard.CompileSpec(obj.Metadata.Name, standard.Layer(base, obj.Spec), tables)
	return err
}

// admitCodeTable builds the table as it will be in effect at its tenant, so a
// missing parent or successor, a cycle or a bad date is refused with every path.
func (k *Kernel) admitCodeTable(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	base, err := k.layeredInTx(ctx, standard.KindCodeTable, obj.Metadata.Tenant, obj.Metadata.Name, false)
	if err != nil {
		return err
	}
	_, err = standard.BuildCodeTable(obj.Metadata.Name, standard.Layer(base, obj.Spec))
	return err
}

// standardQueries adds validateValue, codeTable and dataElements to the schema.
func (k *Kernel) standardQueries(q graphql.Fields) {
	q["validateValue"] = k.validateValueField()
	q["codeTable"] = k.codeTableField()
	q["dataElements"] = k.dataElementsField()
}

// dataValue is any JSON value given to validateValue. (core/graph's JSON scalar is
// not exported, and a schema may not hold two types named JSON.)
var dataValue = graphql.NewScalar(graphql.ScalarConfig{
	Name:         "DataValue",
	Description:  "Any JSON value, checked against a data element.",
	Serialize:    func(v any) any { return v },
	ParseValue:   func(v any) any { return v },
	ParseLiteral: parseDataLiteral,
})

var problemType = graphql.NewObject(graphql.ObjectConfig{
	Name:        "ValueProblem",
	Description: "One rule of a data element that a value breaks.",
	Fields: graphql.Fields{
		"path":    {Type: graphql.NewNonNull(graphql.String)},
		"rule":    {Type: graphql.NewNonNull(graphql.String)},
		"message": {Type: graphql.NewNonNull(graphql.String)},
	},
})

var valueCheckType = graphql.NewObject(graphql.ObjectConfig{
	Name: "ValueCheck",
	Fields: graphql.Fields{
		"ok":       {Type: graphql.NewNonNull(graphql.Boolean)},
		"problems": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(problemType)))},
	},
})

func (k *Kernel) validateValueField() *graphql.Field {
	return &graphql.Field{
		Type:        graphql.NewNonNull(valueCheckType),
		Description: "Check a value against the data element in effect at tenant; every broken rule is listed.",
		Args: graphql.FieldConfigArgument{
			"tenant":  {Type: graphql.NewNonNull(graphql.String)},
			"element": {Type: graphql.NewNonNull(graphql.String)},
			"value":   {Type: graphql.NewNonNull(dataValue)},
		},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tenantCode, name := p.Args["tenant"].(string), p.Args["element"].(string)
			if err := k.graph.Authorize(p.Context, tenantCode, standard.KindDataElement, "read"); err != nil {
				return nil, err
			}
			e, err := k.Element(p.Context, tenantCode, name)
			if err != nil {
				return nil, err
			}
			ps := e.Check(p.Args["value"])
			if ps == nil {
				ps = []standard.Problem{}
			}
			return map[string]any{"ok": len(ps) == 0, "problems": ps}, nil
		},
	}
}

// codeNode is one code of a codeTable answer.
type codeNode struct {
	t   *standard.CodeTable
	c   *standard.Code
	at  time.Time
	all bool
}

func (n codeNode) children() []codeNode { return nodes(n.t, n.c.Code, n.at, n.all) }

func nodes(t *standard.CodeTable, parent string, at time.Time, all bool) []codeNode {
	var out []codeNode
	for _, c := range t.Children(parent) {
		if all || c.ValidAt(at) {
			out = append(out, codeNode{t, c, at, all})
		}
	}
	return out
}

func codeField(f func(c *standard.Code) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return f(p.Source.(codeNode).c), nil }
}

func date(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02")
}

// codeNodeType is recursive (children), so it is built in init.
var codeNodeType *graphql.Object

func init() {
	codeNodeType = graphql.NewObject(graphql.ObjectConfig{
		Name:        "CodeNode",
		Description: "A code of a code table, with the codes below it.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"code":      {Type: graphql.NewNonNull(graphql.String), Resolve: codeField(func(c *standard.Code) any { return c.Code })},
				"name":      {Type: graphql.NewNonNull(graphql.String), Resolve: codeField(func(c *standard.Code) any { return c.Name })},
				"parent":    {Type: graphql.String, Resolve: codeField(func(c *standard.Code) any { return c.Parent })},
				"level":     {Type: graphql.String, Resolve: codeField(func(c *standard.Code) any { return c.Level })},
				"validFrom": {Type: graphql.String, Resolve: codeField(func(c *standard.Code) any { return date(c.ValidFrom) })},
				"validTo":   {Type: graphql.String, Resolve: codeField(func(c *standard.Code) any { return date(c.ValidTo) })},
				"retired":   {Type: graphql.NewNonNull(graphql.Boolean), Resolve: codeField(func(c *standard.Code) any { return c.Retired })},
				"successor": {Type: graphql.String, Resolve: codeField(func(c *standard.Code) any { return c.Successor })},
				"valid": {Type: graphql.NewNonNull(graphql.Boolean), Description: "Whether the code may be used at the time asked.",
					Resolve: func(p graphql.ResolveParams) (any, error) { n := p.Source.(codeNode); return n.c.ValidAt(n.at), nil }},
				"children": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(codeNodeType))),
					Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(codeNode).children(), nil }},
			}
		}),
	})
}

// codeTableType is built in init, after codeNodeType.
var codeTableType *graphql.Object

func init() {
	codeTableType = graphql.NewObject(graphql.ObjectConfig{
		Name:        "CodeTableView",
		Description: "A code table in effect at a tenant, as a tree.",
		Fields: graphql.Fields{
			"name":     {Type: graphql.NewNonNull(graphql.String)},
			"title":    {Type: graphql.String},
			"standard": {Type: graphql.String},
			"version":  {Type: graphql.String},
			"count":    {Type: graphql.NewNonNull(graphql.Int), Description: "Codes in the table, valid or not."},
			"codes":    {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(codeNodeType))), Description: "The top codes."},
		},
	})
}

func (k *Kernel) codeTableField() *graphql.Field {
	return &graphql.Field{
		Type:        graphql.NewNonNull(codeTableType),
		Description: "The code table in effect at tenant, as a tree of the codes valid at `at` (default now; YYYY-MM-DD or RFC 3339), or of every code with all.",
		Args: graphql.FieldConfigArgument{
			"tenant": {Type: graphql.NewNonNull(graphql.String)},
			"name":   {Type: graphql.NewNonNull(graphql.String)},
			"at":     {Type: graphql.String},
			"all":    {Type: graphql.Boolean, DefaultValue: false},
		},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			tenantCode, name := p.Args["tenant"].(string), p.Args["name"].(string)
			if err := k.graph.Authorize(p.Context, tenantCode, standard.KindCodeTable, "read"); err != nil {
				return nil, err
			}
			at := time.Now()
			if s, ok := p.Args["at"].(string); ok && s != "" {
				var err error
				if at, err = parseAt(s); err != nil {
					return nil, apierr.Invalid("invalid argument", []apierr.FieldError{{Path: "at", Message: err.Error()}})
				}
			}
			t, err := k.CodeTable(p.Context, tenantCode, name)
			if err != nil {
				return nil, err
			}
			all, _ := p.Args["all"].(bool)
			return map[string]any{"name": t.Name, "title": t.Title, "standard": t.Standard, "version": t.Version,
				"count": t.Len(), "codes": nodes(t, "", at, all)}, nil
		},
	}
}

func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, apierr.New(apierr.BadRequest, "%q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return t, nil
}

// parseDataLiteral keeps float literals as written (json.Number), so that a decimal's
// scale is judged as given.
func parseDataLiteral(v ast.Value) any {
	return graph.ParseLiteral(v, func(s string) any { return json.Number(s) })
}
