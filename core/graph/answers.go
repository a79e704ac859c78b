package graph

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/graphql-go/graphql/language/ast"
)

// treeOnlyFields are the root fields whose whole answer, at any depth, is computed
// from the tenant tree and the caller's authorization decisions, and nothing else:
// the Tenant type reaches only tenants. An answer to a query made only of these
// fields is kept, keyed by the query, its variables, the caller and the generations
// of the tree and of the authorizer, so that any change to either misses the cache.
// A field added to Tenant that reads other data must remove its root from this set.
var treeOnlyFields = map[string]bool{"tenant": true, "tenants": true, "__typename": true}

// answerKey returns the cache key of a query whose answer may be reused, or "".
func (g *Graph) answerKey(ctx context.Context, doc *ast.Document, req Request) string {
	c := CallerFrom(ctx)
	if !c.Authenticated || !treeOnly(doc, req.OperationName) {
		return ""
	}
	vars, err := json.Marshal(req.Variables) // map keys are sorted: a stable encoding
	if err != nil {
		return ""
	}
	p := c.Principal
	var b strings.Builder
	for _, part := range []string{
		req.Query, req.OperationName, string(vars), p.Username, strconv.FormatBool(p.Superadmin),
		p.TokenTenant, strings.Join(p.TokenScopes, ","),
		strconv.FormatUint(g.svc.Tenants.Generation(), 10), strconv.FormatUint(g.svc.Authz.Generation(), 10),
	} {
		b.WriteString(strconv.Itoa(len(part)))
		b.WriteByte(':')
		b.WriteString(part)
	}
	return b.String()
}

// treeOnly reports whether the operation to run is a query whose root selections
// (through fragments) are all tree-only fields.
func treeOnly(doc *ast.Document, op string) bool {
	frags := map[string]*ast.FragmentDefinition{}
	var target *ast.OperationDefinition
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.FragmentDefinition:
			frags[d.Name.Value] = d
		case *ast.OperationDefinition:
			if op == "" || (d.Name != nil && d.Name.Value == op) {
				if target != nil {
					return false // ambiguous: let the executor report it
				}
				target = d
			}
		}
	}
	if target == nil || target.Operation != ast.OperationTypeQuery {
		return false
	}
	return rootsTreeOnly(target.SelectionSet, frags, map[string]bool{})
}

func rootsTreeOnly(ss *ast.SelectionSet, frags map[string]*ast.FragmentDefinition, seen map[string]bool) bool {
	for _, s := range ss.Selections {
		switch s := s.(type) {
		case *ast.Field:
			if !treeOnlyFields[s.Name.Value] || len(s.Directives) > 0 {
				return false
			}
		case *ast.InlineFragment:
			if !rootsTreeOnly(s.SelectionSet, frags, seen) {
				return false
			}
		case *ast.FragmentSpread:
			f, ok := frags[s.Name.Value]
			if !ok || seen[s.Name.Value] {
				return false
			}
			seen[s.Name.Value] = true
			if !rootsTreeOnly(f.SelectionSet, frags, seen) {
				return false
			}
		}
	}
	return true
}
