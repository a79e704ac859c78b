package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/gdbos/gdbos/core/apierr"
)

// dataLimits bound one data API request (a DataLimits resource, or the defaults).
type dataLimits struct {
	MaxDepth    int `json:"maxDepth"`
	MaxPageSize int `json:"maxPageSize"`
	MaxCost     int `json:"maxCost"`
}

// defaultDataLimits apply where no DataLimits resource says otherwise.
var defaultDataLimits = dataLimits{MaxDepth: 12, MaxPageSize: dataMaxPage, MaxCost: 100_000}

// DataLimitsName is the name of the DataLimits resource a tenant's data API reads.
const DataLimitsName = "default"

// limitsFor returns the limits of the caller at a tenant: the effective DataLimits
// resource, raised to the most generous entry among the roles the caller holds there.
func (g *Graph) limitsFor(ctx context.Context, tenantCode string) (dataLimits, error) {
	l := defaultDataLimits
	eff, err := g.svc.Resources.Effective(ctx, "DataLimits", tenantCode, DataLimitsName)
	switch {
	case apierr.CodeOf(err) == apierr.NotFound:
		return l, nil
	case err != nil:
		return l, err
	}
	var spec struct {
		dataLimits
		Roles []struct {
			Role string `json:"role"`
			dataLimits
		} `json:"roles"`
	}
	b, _ := json.Marshal(eff.Spec)
	_ = json.Unmarshal(b, &spec) // the schema validated the shape
	base := spec.dataLimits
	if base.MaxDepth > 0 {
		l.MaxDepth = base.MaxDepth
	}
	if base.MaxPageSize > 0 {
		l.MaxPageSize = base.MaxPageSize
	}
	if base.MaxCost > 0 {
		l.MaxCost = base.MaxCost
	}
	held := g.svc.Authz.RolesAt(Subject(CallerFrom(ctx).Principal), tenantCode)
	best, found := dataLimits{}, false
	for _, r := range spec.Roles {
		if !holdsRole(held, r.Role) {
			continue
		}
		found = true
		best.MaxDepth = max(best.MaxDepth, r.MaxDepth)
		best.MaxPageSize = max(best.MaxPageSize, r.MaxPageSize)
		best.MaxCost = max(best.MaxCost, r.MaxCost)
	}
	if found {
		if best.MaxDepth > 0 {
			l.MaxDepth = best.MaxDepth
		}
		if best.MaxPageSize > 0 {
			l.MaxPageSize = best.MaxPageSize
		}
		if best.MaxCost > 0 {
			l.MaxCost = best.MaxCost
		}
	}
	return l, nil
}

// holdsRole matches "NAME" or "TENANT/NAME" against held roles ("TENANT/NAME").
func holdsRole(held []string, role string) bool {
	for _, h := range held {
		if h == role || (!strings.Contains(role, "/") && strings.HasSuffix(h, "/"+role)) {
			return true
		}
	}
	return false
}

// checkDataLimits refuses a data API request deeper, with larger pages or costlier
// than the caller's limits at the tenant allow, before anything runs.
func (g *Graph) checkDataLimits(ctx context.Context, tenantCode string, api *dataAPI, req Request) error {
	doc, errs := g.prepareIn(&api.schema, api.docs, req.Query)
	if errs != nil {
		return nil // execution reports them
	}
	l, err := g.limitsFor(ctx, tenantCode)
	if err != nil {
		return err
	}
	if d := maxDepth(doc); d > l.MaxDepth {
		return apierr.New(apierr.BadRequest, "query is %d levels deep; at most %d allowed here", d, l.MaxDepth)
	}
	c := costWalker{schema: &api.schema, vars: req.Variables, frags: map[string]*ast.FragmentDefinition{}, limits: l}
	for _, d := range doc.Definitions {
		if f, ok := d.(*ast.FragmentDefinition); ok {
			c.frags[f.Name.Value] = f
		}
	}
	for _, d := range doc.Definitions {
		od, ok := d.(*ast.OperationDefinition)
		if !ok || (req.OperationName != "" && (od.Name == nil || od.Name.Value != req.OperationName)) {
			continue
		}
		root := api.schema.QueryType()
		if od.Operation == ast.OperationTypeMutation {
			root = api.schema.MutationType()
		}
		if root != nil {
			c.walk(od.SelectionSet, root, 1, "", 0)
		}
	}
	if len(c.problems) > 0 {
		return apierr.Invalid("query exceeds the page size allowed here", c.problems)
	}
	if c.cost > l.MaxCost {
		return apierr.New(apierr.BadRequest, "query may return %d records; at most %d allowed here (lower first: on nested lists)", c.cost, l.MaxCost)
	}
	return nil
}

// costWalker sums, over every list field, its first: times the lists above it.
type costWalker struct {
	schema   *graphql.Schema
	vars     map[string]any
	frags    map[string]*ast.FragmentDefinition
	limits   dataLimits
	cost     int
	problems []apierr.FieldError
}

func (c *costWalker) walk(ss *ast.SelectionSet, parent *graphql.Object, mult int, path string, depth int) {
	if ss == nil || depth > 64 {
		return
	}
	for _, s := range ss.Selections {
		switch s := s.(type) {
		case *ast.Field:
			def, ok := parent.Fields()[s.Name.Value]
			if !ok {
				continue
			}
			p := path + "/" + s.Name.Value
			m := mult
			if arg := argDef(def, "first"); arg != nil {
				first := c.intArg(s, "first", arg.DefaultValue)
				if first > c.limits.MaxPageSize {
					c.problems = append(c.problems, apierr.FieldError{Path: p + "/first", Message: fmt.Sprintf("is %d; at most %d here", first, c.limits.MaxPageSize)})
				}
				m = mult * max(first, 1)
				c.cost += m
			}
			if obj, ok := named(def.Type).(*graphql.Object); ok {
				c.walk(s.SelectionSet, obj, m, p, depth+1)
			}
		case *ast.InlineFragment:
			c.walk(s.SelectionSet, parent, mult, path, depth+1)
		case *ast.FragmentSpread:
			if f := c.frags[s.Name.Value]; f != nil {
				c.walk(f.SelectionSet, parent, mult, path, depth+1)
			}
		}
	}
}

func argDef(f *graphql.FieldDefinition, name string) *graphql.Argument {
	for _, a := range f.Args {
		if a.Name() == name {
			return a
		}
	}
	return nil
}

func named(t graphql.Type) graphql.Type {
	for {
		switch w := t.(type) {
		case *graphql.NonNull:
			t = w.OfType
		case *graphql.List:
			t = w.OfType
		default:
			return t
		}
	}
}

// intArg reads an integer argument, literal or variable, else the default.
func (c *costWalker) intArg(f *ast.Field, name string, def any) int {
	n, _ := def.(int)
	for _, a := range f.Arguments {
		if a.Name == nil || a.Name.Value != name {
			continue
		}
		switch v := a.Value.(type) {
		case *ast.IntValue:
			fmt.Sscan(v.Value, &n)
		case *ast.Variable:
			switch x := c.vars[v.Name.Value].(type) {
			case float64:
				n = int(x)
			case int:
				n = x
			}
		}
	}
	return n
}
